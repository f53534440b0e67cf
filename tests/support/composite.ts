/**
 * The plain reference for one perturbation-curve image, which src/core/eval/substrate.ts's CurveImages
 * (built incrementally) is checked against: `base` with its first `count` pixels of `order` (all channels)
 * taken from `fill`, as model input, made from scratch.
 */
import type { ImageGeometry } from '../../src/core/eval/substrate';

export function composite(
  base: Float64Array,
  fill: Float64Array,
  order: Int32Array,
  count: number,
  geo: ImageGeometry,
): Float32Array {
  const out = Float32Array.from(base);
  const plane = geo.H * geo.W;
  for (let r = 0; r < count; r++) {
    const p = order[r];
    for (let c = 0; c < geo.C; c++) out[c * plane + p] = fill[c * plane + p];
  }
  return out;
}
