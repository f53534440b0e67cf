/**
 * The set-up script's known-answer check, which verifies a downloaded SqueezeNet where ../shared is missing:
 * the project's model passes it, and a model with other weights fails it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { logitsOf } from '../scripts/setup-model.mjs';
import { SQUEEZENET_ONNX, readBytes } from './paths';

const known: { tolerance: number; logits: [number, number][] } = JSON.parse(
  readFileSync(new URL('../scripts/squeezenet-known-answer.json', import.meta.url), 'utf8'),
);

function worstDiff(logits: Float32Array): number {
  return Math.max(...known.logits.map(([i, v]) => Math.abs(logits[i] - v)));
}

describe('known answer of the default model', () => {
  it('holds for the sha256-verified model', async () => {
    const logits: Float32Array = await logitsOf(readBytes(SQUEEZENET_ONNX));
    expect(logits).toHaveLength(1000);
    expect(worstDiff(logits)).toBeLessThan(known.tolerance / 10);
  });

  it('fails for the same graph with one weight tensor perturbed', async () => {
    const bytes = readBytes(SQUEEZENET_ONNX).slice();
    // Flip the sign of a run of float32 values deep in the file (weights of a late layer).
    const view = new DataView(bytes.buffer);
    for (let off = bytes.length - 400_000; off < bytes.length - 200_000; off += 4) {
      view.setFloat32(off, -view.getFloat32(off, true), true);
    }
    const logits: Float32Array = await logitsOf(bytes);
    expect(worstDiff(logits)).toBeGreaterThan(known.tolerance);
  });
});
