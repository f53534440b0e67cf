/**
 * Preprocessing parameters are checked before any pixel is read: `--std 1e-320` or `--scale 1e308` (or the
 * same values in a model's metadata) would turn every pixel into an infinity.
 */
import type { PreprocessSpec } from './preprocess';

/** Largest magnitude a preprocessed pixel may reach: beyond it the first convolution overflows float32. */
const MAX_INPUT_MAGNITUDE = 1e30;

/** Why `spec` maps some pixel value 0..255 outside the finite range, or undefined when it does not. */
export function preprocessRangeProblem(
  spec: Pick<PreprocessSpec, 'mean' | 'std' | 'scale' | 'channels'>,
): string | undefined {
  const values = [
    ['scale', spec.scale],
    ...spec.mean.map((m, c) => [`mean[${c}]`, m] as const),
    ...spec.std.map((s, c) => [`std[${c}]`, s] as const),
  ] as const;
  for (const [name, v] of values) {
    if (!Number.isFinite(v)) return `preprocessing ${name} is ${v}; it must be a finite number`;
  }
  for (let c = 0; c < spec.channels; c++) {
    // The pixel transform is (v * scale - mean) / std; it is monotone in v, so the ends 0 and 255 bound it.
    const ends = [0, 255].map((v) => (v * spec.scale - spec.mean[c]) / spec.std[c]);
    if (spec.std[c] === 0 || ends.some((x) => !(Math.abs(x) <= MAX_INPUT_MAGNITUDE))) {
      return (
        `preprocessing with scale ${spec.scale}, mean ${spec.mean[c]} and std ${spec.std[c]} maps pixel ` +
        `values to ${ends.map((x) => x.toPrecision(3)).join(' .. ')} in channel ${c}; ` +
        `inputs must stay within +-${MAX_INPUT_MAGNITUDE}`
      );
    }
  }
  return undefined;
}
