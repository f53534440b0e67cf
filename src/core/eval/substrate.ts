/**
 * What removed pixels are replaced with (PANE-SPEC 6.1): 'zero' of the normalised tensor (the dataset-mean
 * colour, RISE's deletion game), 'blur' (RISE's insertion substrate: Gaussian kernel 11, sigma 5) or
 * 'black' (the preprocessed all-zero-pixel image). Images are [C, H, W] planes in the model's normalised
 * space.
 */
export type Substrate = 'zero' | 'blur' | 'black';

export const SUBSTRATES: readonly Substrate[] = ['zero', 'blur', 'black'];

export interface ImageGeometry {
  C: number;
  H: number;
  W: number;
}

export interface InputScaling {
  mean: readonly number[];
  std: readonly number[];
}

export interface BlurSettings {
  kernel: number;
  sigma: number;
}

function gaussianTaps(kernel: number, sigma: number): Float64Array {
  const r = (kernel - 1) / 2;
  const taps = new Float64Array(kernel);
  let sum = 0;
  for (let i = 0; i < kernel; i++) sum += taps[i] = Math.exp(-((i - r) ** 2) / (2 * sigma * sigma));
  return taps.map((t) => t / sum);
}

/**
 * Separable Gaussian blur of every plane, zero padding in the normalised space, as RISE's conv2d with
 * padding = kernel // 2 on the normalised tensor does (the border fades to the mean colour).
 */
export function gaussianBlur(x: Float64Array, geo: ImageGeometry, blur: BlurSettings): Float64Array {
  const { C, H, W } = geo;
  if (blur.kernel % 2 !== 1) throw new Error(`blur kernel must be odd (got ${blur.kernel})`);
  const taps = gaussianTaps(blur.kernel, blur.sigma);
  const r = (blur.kernel - 1) / 2;
  const tmp = new Float64Array(x.length);
  const out = new Float64Array(x.length);
  for (let c = 0; c < C; c++) {
    const base = c * H * W;
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        let s = 0;
        for (let t = -r; t <= r; t++) {
          const u = xx + t;
          if (u >= 0 && u < W) s += taps[t + r] * x[base + y * W + u];
        }
        tmp[base + y * W + xx] = s;
      }
    }
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        let s = 0;
        for (let t = -r; t <= r; t++) {
          const v = y + t;
          if (v >= 0 && v < H) s += taps[t + r] * tmp[base + v * W + xx];
        }
        out[base + y * W + xx] = s;
      }
    }
  }
  return out;
}

/** The preprocessed value of pixel value 0 in every channel: (0 - mean) / std. */
export function blackImage(geo: ImageGeometry, norm: InputScaling): Float64Array {
  const out = new Float64Array(geo.C * geo.H * geo.W);
  const plane = geo.H * geo.W;
  for (let c = 0; c < geo.C; c++) out.fill(-norm.mean[c] / norm.std[c], c * plane, (c + 1) * plane);
  return out;
}

export function substrateImage(
  kind: Substrate,
  x: Float64Array,
  geo: ImageGeometry,
  norm: InputScaling,
  blur: BlurSettings,
): Float64Array {
  switch (kind) {
    case 'zero':
      return new Float64Array(x.length);
    case 'blur':
      return gaussianBlur(x, geo, blur);
    case 'black':
      return blackImage(geo, norm);
  }
}

/**
 * The images of one curve: `base` with its first `count` pixels of `order` (all channels) taken from `fill`,
 * for increasing counts, each made from the one before by replacing only the pixels in between (the same
 * values as the plain reference tests/support/composite.ts, at a fraction of the
 * cost: a curve of n points no longer copies and converts the whole image and re-fills every earlier pixel
 * n times). A count below the last one asked for is made from scratch.
 */
export class CurveImages {
  private current: Float32Array | undefined;
  private done = 0;

  constructor(
    private readonly base: Float64Array,
    private readonly fill: Float64Array,
    private readonly order: Int32Array,
    private readonly geo: ImageGeometry,
  ) {}

  /** A new array with the image after `count` pixels. */
  at(count: number): Float32Array {
    if (!this.current || count < this.done) {
      this.current = Float32Array.from(this.base);
      this.done = 0;
    }
    const out = this.current;
    const { fill, order } = this;
    const plane = this.geo.H * this.geo.W;
    for (let r = this.done; r < count; r++) {
      const p = order[r];
      for (let c = 0; c < this.geo.C; c++) out[c * plane + p] = fill[c * plane + p];
    }
    this.done = count;
    return out.slice();
  }
}
