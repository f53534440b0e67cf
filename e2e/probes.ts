/**
 * Probe points of a map and the colour a canvas must show there: the colormap entry of value / scale, with
 * alpha |value| / scale (the overlay fades where the map is 0).
 */
import { expect } from '@playwright/test';
import { colormapLut, lutIndex, overlayAlpha, type ColormapName } from '../src/core/colormap';
import type { Pixels } from './fixtures';

/** The 6 strongest points and up to 10 spread over the rest with |v| >= a fifth of the scale. */
export function probePoints(data: number[], scale: number): number[] {
  const strong = data.map((v, i) => [Math.abs(v), i]).filter(([a]) => a >= 0.2 * scale);
  strong.sort((a, b) => b[0] - a[0]);
  const top = strong.slice(0, 6).map(([, i]) => i);
  const step = Math.max(1, Math.floor(strong.length / 10));
  const spread = strong.filter((_, k) => k >= 6 && k % step === 0).map(([, i]) => i);
  return [...top, ...spread.slice(0, 10)];
}

export function expectPixel(p: Pixels, i: number, v: number, signed: boolean, colormap: ColormapName) {
  const lut = colormapLut(colormap);
  const k = lutIndex(v, signed);
  const got = p.data.slice(4 * i, 4 * i + 4);
  // A neighbouring table entry is fine (float rounding at a bin edge). A 2-D canvas stores colours
  // premultiplied by alpha in 8 bits, so reading them back is exact only to about 255 / (2 alpha).
  const tolerance = 1 + Math.ceil(255 / (2 * Math.max(1, got[3])));
  const close = [k - 1, k, k + 1]
    .filter((j) => j >= 0 && j < 256)
    .some((j) => [0, 1, 2].every((c) => Math.abs(got[c] - lut[4 * j + c]) <= tolerance));
  expect(close, `pixel ${i} = ${got} for v = ${v.toFixed(4)} (lut ${lut.slice(4 * k, 4 * k + 3)})`).toBe(
    true,
  );
  expect(Math.abs(got[3] - Math.round(255 * overlayAlpha(v, signed)))).toBeLessThanOrEqual(3);
  if (signed) expect(v > 0 ? got[0] > got[2] : got[2] > got[0], `sign colour at ${i}`).toBe(true);
}
