import { safeText } from '../core/text';

/** An error whose message is written for the person using the app and can be shown as is. */
export class UserError extends Error {
  override name = 'UserError';
}

/** A message for the banner: user errors as they are, anything else prefixed with what was being done. */
export function describeError(context: string, e: unknown): string {
  if (e instanceof UserError) return e.message;
  const detail = e instanceof Error ? e.message : String(e);
  return `${context}: ${safeText(detail, 300)}`;
}
