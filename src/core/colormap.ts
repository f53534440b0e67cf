/**
 * Colormaps as 256-entry RGBA lookup tables. Every renderer (the WGSL overlay kernel, the CPU canvas path,
 * the CLI's PNG and the colour bar) indexes the same tables, so the same map gives the same pixels
 * everywhere.
 *
 * diverging: blue (against, -1) -> near-white (0) -> red (for, +1), the control points of ColorBrewer RdBu.
 * sequential: black -> purple -> orange -> pale yellow (an inferno-like ramp) for non-negative maps.
 */
export type ColormapName = 'diverging' | 'sequential' | 'gray';

type Stop = [number, number, number, number];

const STOPS: Record<ColormapName, Stop[]> = {
  diverging: [
    [0, 5, 48, 97],
    [0.125, 33, 102, 172],
    [0.25, 67, 147, 195],
    [0.375, 146, 197, 222],
    [0.5, 247, 247, 247],
    [0.625, 244, 165, 130],
    [0.75, 214, 96, 77],
    [0.875, 178, 24, 43],
    [1, 103, 0, 31],
  ],
  sequential: [
    [0, 0, 0, 4],
    [0.25, 87, 16, 110],
    [0.5, 188, 55, 84],
    [0.75, 249, 142, 9],
    [1, 252, 255, 164],
  ],
  gray: [
    [0, 0, 0, 0],
    [1, 255, 255, 255],
  ],
};

export const LUT_SIZE = 256;

const cache = new Map<ColormapName, Uint8Array>();

/** RGBA lookup table (alpha 255), LUT_SIZE entries. */
export function colormapLut(name: ColormapName): Uint8Array {
  const hit = cache.get(name);
  if (hit) return hit;
  const stops = STOPS[name];
  const lut = new Uint8Array(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = i / (LUT_SIZE - 1);
    let k = 0;
    while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
    const [t0, r0, g0, b0] = stops[k];
    const [t1, r1, g1, b1] = stops[k + 1];
    const f = (t - t0) / (t1 - t0);
    lut[4 * i] = Math.round(r0 + f * (r1 - r0));
    lut[4 * i + 1] = Math.round(g0 + f * (g1 - g0));
    lut[4 * i + 2] = Math.round(b0 + f * (b1 - b0));
    lut[4 * i + 3] = 255;
  }
  cache.set(name, lut);
  return lut;
}

/**
 * LUT index of a normalised value: signed maps use [-1, 1] -> [0, 255] (0 at the centre), non-negative maps
 * [0, 1] -> [0, 255]. Values outside the range are clamped; NaN maps to the centre / bottom.
 */
export function lutIndex(v: number, signed: boolean): number {
  const t = signed ? (v + 1) / 2 : v;
  const c = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : signed ? 0.5 : 0;
  return Math.round(c * (LUT_SIZE - 1));
}

/**
 * Display contrast: a normalised value v becomes sign(v) |v|^gamma before it picks its colour and coverage.
 * 1 is linear (PANE-SPEC 4.5's display); smaller exponents lift weak evidence, which pixel-level maps need:
 * their magnitudes span several decades, so linearly only the strongest few pixels show.
 */
export const CONTRASTS = [1, 0.5, 0.25] as const;

export function applyContrast(v: number, gamma: number): number {
  if (gamma === 1 || !Number.isFinite(v) || v === 0) return v;
  return Math.sign(v) * Math.abs(v) ** gamma;
}

/**
 * Coverage of a map pixel over the picture: its normalised magnitude. Weak evidence lets the photo show
 * through and strong evidence covers it, so a signed map's near-white centre never veils the image.
 */
export function overlayAlpha(v: number, signed: boolean): number {
  const m = signed ? Math.abs(v) : v;
  return Number.isFinite(m) ? Math.min(1, Math.max(0, m)) : 0;
}

/**
 * Blend a normalised map over an RGBA image: out = (1 - a) * image + a * colour with
 * a = opacity * overlayAlpha(v). `image` and `out` are RGBA of the same size as `map`.
 */
export function blendOverlay(
  image: Uint8Array | Uint8ClampedArray,
  map: ArrayLike<number>,
  signed: boolean,
  lut: Uint8Array,
  opacity: number,
  out: Uint8Array | Uint8ClampedArray,
): void {
  const o = Math.min(1, Math.max(0, opacity));
  for (let i = 0; i < map.length; i++) {
    const k = 4 * lutIndex(map[i], signed);
    const a = o * overlayAlpha(map[i], signed);
    for (let c = 0; c < 3; c++) out[4 * i + c] = Math.round((1 - a) * image[4 * i + c] + a * lut[k + c]);
    out[4 * i + 3] = 255;
  }
}
