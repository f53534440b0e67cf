/** Where tests find the default model and its reference vectors. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SHARED_SQUEEZENET = `${ROOT}../shared/models/squeezenet1.1`;
/** Placed by scripts/setup-model.mjs (npm test runs it first). */
export const SQUEEZENET_ONNX = `${ROOT}public/models/squeezenet1_1.onnx`;
export const CHELSEA = `${ROOT}public/demo/chelsea.png`;

export function readBytes(path: string): Uint8Array {
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npm run setup\` (tests need the default model)`);
  return new Uint8Array(readFileSync(path));
}
