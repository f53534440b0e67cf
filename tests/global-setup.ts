/**
 * Before the tests: the default model at public/models, as `npm test` and `npm start` place it
 * (scripts/setup-model.mjs), and the torchvision exports in .cache/torchvision
 * (scripts/fixtures/ensure-torchvision.mjs, cached once made). The tests that read them then run under
 * `npm run test:unit` or `npm run test:browser` alone too, so the counts are the same either way. Where the
 * model cannot be placed the run stops here with the reason; without a python3 that has torch the
 * torchvision tests fail and say so (they never skip).
 */
// @ts-expect-error: a plain .mjs script without type declarations
import { placeModel } from '../scripts/setup-model.mjs';
// @ts-expect-error: a plain .mjs script without type declarations
import { ensureTorchvision } from '../scripts/fixtures/ensure-torchvision.mjs';

export default async function setup(): Promise<void> {
  try {
    await (placeModel as () => Promise<void>)();
  } catch (e) {
    throw new Error(`the tests need the default model: ${(e as Error).message}`);
  }
  if ((ensureTorchvision as () => number)() !== 0)
    throw new Error(
      'the torchvision exports could not be made (scripts/fixtures/export-torchvision.py failed)',
    );
}
