/**
 * Controls every faithfulness metric needs (PANE-SPEC 6): a random order (uniform noise, seeded) and a
 * centre bias (a map that only knows that photographers centre their subject).
 */
import { mulberry32, uniformArray } from '../random';

export function randomMap(h: number, w: number, seed: number): Float64Array {
  return uniformArray(mulberry32(seed), h * w, 0, 1);
}

/** An isotropic Gaussian centred on the image, standard deviation sigmaFraction * min(h, w). */
export function centreMap(h: number, w: number, sigmaFraction: number): Float64Array {
  const sigma = sigmaFraction * Math.min(h, w);
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      out[y * w + x] = Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * sigma * sigma));
    }
  }
  return out;
}
