/**
 * Before the unit tests: the default model at public/models, as `npm test` and `npm start` place it
 * (scripts/setup-model.mjs). The tests that read it then run under `npm run test:unit` alone too, so the
 * counts are the same either way; where it cannot be placed, the run stops here with the reason.
 */
// @ts-expect-error: a plain .mjs script without type declarations
import { placeModel } from '../scripts/setup-model.mjs';

export default async function setup(): Promise<void> {
  try {
    await (placeModel as () => Promise<void>)();
  } catch (e) {
    throw new Error(`unit tests need the default model: ${(e as Error).message}`);
  }
}
