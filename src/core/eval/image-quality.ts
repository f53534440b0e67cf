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
const SSIM_C1 = 0.01 ** 2;
const SSIM_C2 = 0.03 ** 2;

/** The horizontal pass of the separable Gaussian filter over the valid columns: H x (W - 10) outputs. */
function filterRows(a: Float64Array, H: number, W: number, taps: Float64Array): Float64Array {
  const r = SSIM_RADIUS;
  const w = W - 2 * r;
  const tmp = new Float64Array(H * w);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = 0; t <= 2 * r; t++) s += taps[t] * a[y * W + x + t];
      tmp[y * w + x] = s;
    }
  }
  return tmp;
}

/** The vertical pass over a horizontal pass's rows: (H - 10) x (W - 10) outputs, the valid region. */
function filterColumns(tmp: Float64Array, H: number, W: number, taps: Float64Array): Float64Array {
  const r = SSIM_RADIUS;
  const w = W - 2 * r;
  const h = H - 2 * r;
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

/** SSIM of one window from the filtered statistics (Wang et al.'s formula). */
function ssimTerm(mx: number, my: number, xx: number, yy: number, xy: number): number {
  const vx = xx - mx * mx;
  const vy = yy - my * my;
  const cov = xy - mx * my;
  return (
    ((2 * mx * my + SSIM_C1) * (2 * cov + SSIM_C2)) / ((mx ** 2 + my ** 2 + SSIM_C1) * (vx + vy + SSIM_C2))
  );
}

/**
 * One image's side of SSIM, per channel: the filtered values and squares (mu and E[x^2] per window), their
 * horizontal passes, and every window's SSIM against itself. A perturbation leaves most rows of an image as
 * they were; ssim() takes those rows' passes and windows from here, which gives the same numbers (the same
 * operations on the same values) without filtering them again.
 */
export interface SsimStats {
  mean: Float64Array[];
  square: Float64Array[];
  meanRows: Float64Array[];
  squareRows: Float64Array[];
  selfTerm: Float64Array[];
}

/** SSIM's statistics of `a` alone; null for images smaller than the window. */
export function ssimStats(a: Float64Array, geo: ImageGeometry): SsimStats | null {
  const { C, H, W } = geo;
  if (H <= 2 * SSIM_RADIUS || W <= 2 * SSIM_RADIUS) return null;
  const taps = ssimTaps();
  const plane = H * W;
  const stats: SsimStats = { mean: [], square: [], meanRows: [], squareRows: [], selfTerm: [] };
  for (let c = 0; c < C; c++) {
    const x = a.subarray(c * plane, (c + 1) * plane);
    const sq = new Float64Array(plane);
    for (let i = 0; i < plane; i++) sq[i] = x[i] * x[i];
    const meanRows = filterRows(x, H, W, taps);
    const squareRows = filterRows(sq, H, W, taps);
    const mean = filterColumns(meanRows, H, W, taps);
    const square = filterColumns(squareRows, H, W, taps);
    stats.meanRows.push(meanRows);
    stats.squareRows.push(squareRows);
    stats.mean.push(mean);
    stats.square.push(square);
    stats.selfTerm.push(mean.map((m, i) => ssimTerm(m, m, square[i], square[i], square[i])));
  }
  return stats;
}

/**
 * Mean SSIM over channels of `a` against `b`. `aStats`: ssimStats(a, geo) where the caller has it (the
 * same result). Windows whose rows `b` does not change are the clean image's own (the same values, so the
 * same numbers as filtering `b` there).
 */
export function ssim(
  a: Float64Array,
  b: Float64Array,
  geo: ImageGeometry,
  aStats?: SsimStats | null,
): number | null {
  const { C, H, W } = geo;
  const r = SSIM_RADIUS;
  if (H <= 2 * r || W <= 2 * r) return null;
  const stats = aStats ?? ssimStats(a, geo)!;
  const taps = ssimTaps();
  const plane = H * W;
  const w = W - 2 * r;
  const h = H - 2 * r;
  let total = 0;
  for (let c = 0; c < C; c++) {
    const x = a.subarray(c * plane, (c + 1) * plane);
    const y = b.subarray(c * plane, (c + 1) * plane);
    const mx = stats.mean[c];
    const xx = stats.square[c];
    const self = stats.selfTerm[c];
    // The horizontal passes of y, y^2 and x y: the clean image's where a row is unchanged (x y = x^2 there).
    const changed = new Uint8Array(H);
    const yRows = Float64Array.from(stats.meanRows[c]);
    const yyRows = Float64Array.from(stats.squareRows[c]);
    const xyRows = Float64Array.from(stats.squareRows[c]);
    for (let row = 0; row < H; row++) {
      const at = row * W;
      let differs = false;
      for (let j = at; j < at + W; j++)
        if (x[j] !== y[j]) {
          differs = true;
          break;
        }
      if (!differs) continue;
      changed[row] = 1;
      for (let col = 0; col < w; col++) {
        let sy = 0;
        let syy = 0;
        let sxy = 0;
        for (let t = 0; t <= 2 * r; t++) {
          const j = at + col + t;
          sy += taps[t] * y[j];
          syy += taps[t] * (y[j] * y[j]);
          sxy += taps[t] * (x[j] * y[j]);
        }
        yRows[row * w + col] = sy;
        yyRows[row * w + col] = syy;
        xyRows[row * w + col] = sxy;
      }
    }
    let s = 0;
    let touched = 0;
    for (let row = 0; row < 2 * r; row++) touched += changed[row];
    for (let oy = 0; oy < h; oy++) {
      // Rows oy .. oy + 2r feed output row oy.
      touched += changed[oy + 2 * r];
      if (touched === 0) {
        for (let i = oy * w; i < (oy + 1) * w; i++) s += self[i];
      } else {
        for (let col = 0; col < w; col++) {
          let my = 0;
          let yy = 0;
          let xy = 0;
          for (let t = 0; t <= 2 * r; t++) {
            const k = (oy + t) * w + col;
            my += taps[t] * yRows[k];
            yy += taps[t] * yyRows[k];
            xy += taps[t] * xyRows[k];
          }
          const i = oy * w + col;
          s += ssimTerm(mx[i], my, xx[i], yy, xy);
        }
      }
      touched -= changed[oy];
    }
    total += s / mx.length;
  }
  return total / C;
}
