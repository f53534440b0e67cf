/**
 * Untrusted text (file contents, file names, tensor and node names, URLs) made safe for a message: control
 * characters are escaped, so an ESC sequence cannot retitle a terminal, erase a line or paint a fake success
 * message, and the length is capped, so a binary file cannot flood the screen. Used by every user-facing
 * message of the CLI and the app.
 */

/** Longest excerpt of untrusted text a message shows. */
const MAX_EXCERPT = 200;

/**
 * C0 and C1 controls, DEL, and the invisible characters that reorder or hide text (bidi overrides and
 * isolates, line and paragraph separators, zero-width characters, BOM).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = Object.hasOwn(NAMED, c) ? NAMED[c] : undefined;
  if (named) return named;
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** `text` with every control character written as an escape (`\x1b`, `\n`, `\u{202e}`); nothing is cut. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * `text` escaped and capped at `max` characters of the original (an ellipsis and the count of what was left
 * out mark the cut).
 */
export function safeText(text: string, max = MAX_EXCERPT): string {
  const chars = [...text];
  if (chars.length <= max) return escapeControls(text);
  return `${escapeControls(chars.slice(0, max).join(''))}… (${chars.length - max} more characters)`;
}

/** `safeText` in single quotes, for names and paths inside a sentence. */
export function quoted(text: string, max = MAX_EXCERPT): string {
  return `'${safeText(text, max)}'`;
}

/** A message for one line of a terminal: newlines become '; ', other control characters are escaped. */
export function oneLine(message: string): string {
  return escapeControls(message.split(/\r?\n/).join('; '));
}
