/**
 * Colormaps as 256-entry RGBA lookup tables. Every renderer (the WGSL overlay kernel, the CPU canvas path,
 * the CLI's PNG, the colour bar and the exports) indexes the same tables, so the same map gives the same
 * pixels everywhere.
 *
 * The tables are d3-scale-chromatic's, sampled at the 256 points i / 255:
 * diverging: d3.interpolateRdBu reversed, so blue is against (-1), near-white 0 and red for (+1).
 * sequential: d3.interpolateInferno (its own 256-colour table, entry for entry) for non-negative maps.
 * gray: black to white.
 */
import { interpolateInferno, interpolateRdBu } from 'd3-scale-chromatic';

export type ColormapName = 'diverging' | 'sequential' | 'gray';

export const LUT_SIZE = 256;

/** Where entry i of each table samples its d3 interpolator (t in [0, 1]). */
const SAMPLERS: Record<ColormapName, (t: number) => string> = {
  diverging: (t) => interpolateRdBu(1 - t),
  sequential: interpolateInferno,
  gray: (t) => {
    const g = Math.round(255 * t);
    return `rgb(${g}, ${g}, ${g})`;
  },
};

/** d3's interpolators answer "#rrggbb" or "rgb(r, g, b)". */
export function parseCssRgb(colour: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
  const rgb = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(colour);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  throw new Error(`not a CSS colour: ${colour}`);
}

const cache = new Map<ColormapName, Uint8Array>();

/** RGBA lookup table (alpha 255), LUT_SIZE entries. */
export function colormapLut(name: ColormapName): Uint8Array {
  const hit = cache.get(name);
  if (hit) return hit;
  const sample = SAMPLERS[name];
  const lut = new Uint8Array(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    lut.set(parseCssRgb(sample(i / (LUT_SIZE - 1))), 4 * i);
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
