/**
 * How visible a perturbation is (PANE-SPEC 6.3): L2 and L0 of the change and PSNR / SSIM against the clean
 * image, all in pixel space [0, 1], [C, H, W] planes.
 */
import type { ImageGeometry } from './substrate';

export interface PerturbationSize {
  /** Euclidean norm of x' - x over all channels. */
  l2: number;
  /** Pixels with any channel changed. */
  l0: number;
  /** 10 log10(1 / MSE); null when the images are equal. */
  psnr: number | null;
  /**
   * Mean SSIM over channels (Wang et al. 2004: Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, L = 1, over
   * the valid region); null for images smaller than the window.
   */
  ssim: number | null;
}

/**
 * `cleanStats`: ssimStats(clean, geo), when several perturbations of one clean image are measured (the
 * same numbers, without filtering the clean image again each time).
 */
export function perturbationSize(
  clean: Float64Array,
  adv: Float64Array,
  geo: ImageGeometry,
  cleanStats?: SsimStats | null,
): PerturbationSize {
  const plane = geo.H * geo.W;
  const changed = new Uint8Array(plane);
  let sq = 0;
  for (let i = 0; i < clean.length; i++) {
    const d = adv[i] - clean[i];
    if (d !== 0) changed[i % plane] = 1;
    sq += d * d;
  }
  const mse = sq / clean.length;
  let l0 = 0;
  for (const c of changed) l0 += c;
  return {
    l2: Math.sqrt(sq),
    l0,
    psnr: mse > 0 ? 10 * Math.log10(1 / mse) : null,
    ssim: ssim(clean, adv, geo, cleanStats),
  };
}

const SSIM_RADIUS = 5;
const SSIM_SIGMA = 1.5;

/** Separable Gaussian filter over the valid region (no padding): (H - 10) x (W - 10) outputs. */
function filterValid(a: Float64Array, H: number, W: number, taps: Float64Array): Float64Array {
  const r = SSIM_RADIUS;
  const w = W - 2 * r;
  const h = H - 2 * r;
  const tmp = new Float64Array(H * w);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = 0; t <= 2 * r; t++) s += taps[t] * a[y * W + x + t];
      tmp[y * w + x] = s;
    }
  }
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = 0; t <= 2 * r; t++) s += taps[t] * tmp[(y + t) * w + x];
      out[y * w + x] = s;
    }
  }
  return out;
}

function ssimTaps(): Float64Array {
  const taps = new Float64Array(2 * SSIM_RADIUS + 1).map((_, i) =>
    Math.exp(-((i - SSIM_RADIUS) ** 2) / (2 * SSIM_SIGMA * SSIM_SIGMA)),
  );
  const norm = taps.reduce((s, v) => s + v, 0);
  for (let i = 0; i < taps.length; i++) taps[i] /= norm;
  return taps;
}

/** One image's side of SSIM: per channel the filtered values and squares (mu and E[x^2] per window). */
export interface SsimStats {
  mean: Float64Array[];
  square: Float64Array[];
}

/** SSIM's statistics of `a` alone; null for images smaller than the window. */
export function ssimStats(a: Float64Array, geo: ImageGeometry): SsimStats | null {
  const { C, H, W } = geo;
  if (H <= 2 * SSIM_RADIUS || W <= 2 * SSIM_RADIUS) return null;
  const taps = ssimTaps();
  const plane = H * W;
  const stats: SsimStats = { mean: [], square: [] };
  for (let c = 0; c < C; c++) {
    const x = a.subarray(c * plane, (c + 1) * plane);
    stats.mean.push(filterValid(x, H, W, taps));
    stats.square.push(
      filterValid(
        x.map((v) => v * v),
        H,
        W,
        taps,
      ),
    );
  }
  return stats;
}

/** `aStats`: ssimStats(a, geo) where the caller has it (the same result). */
export function ssim(
  a: Float64Array,
  b: Float64Array,
  geo: ImageGeometry,
  aStats?: SsimStats | null,
): number | null {
  const { C, H, W } = geo;
  if (H <= 2 * SSIM_RADIUS || W <= 2 * SSIM_RADIUS) return null;
  const stats = aStats ?? ssimStats(a, geo)!;
  const taps = ssimTaps();
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  const plane = H * W;
  let total = 0;
  for (let c = 0; c < C; c++) {
    const x = a.subarray(c * plane, (c + 1) * plane);
    const y = b.subarray(c * plane, (c + 1) * plane);
    const f = (v: Float64Array) => filterValid(v, H, W, taps);
    const mx = stats.mean[c];
    const my = f(y);
    const xx = stats.square[c];
    const yy = f(y.map((v) => v * v));
    const xy = f(x.map((v, i) => v * y[i]));
    let s = 0;
    for (let i = 0; i < mx.length; i++) {
      const vx = xx[i] - mx[i] * mx[i];
      const vy = yy[i] - my[i] * my[i];
      const cov = xy[i] - mx[i] * my[i];
      s += ((2 * mx[i] * my[i] + c1) * (2 * cov + c2)) / ((mx[i] ** 2 + my[i] ** 2 + c1) * (vx + vy + c2));
    }
    total += s / mx.length;
  }
  return total / C;
}
