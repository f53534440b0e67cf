/**
 * Image -> model input. The default is the torchvision ImageNet recipe the SqueezeNet weights were trained
 * with (resize the shorter side to 256, centre crop 224, scale to [0,1], normalise by mean/std, NCHW).
 *
 * The crop is expressed in source pixels so the UI can move and resize it; resizing to 256 and cropping 224
 * is the same as taking the central square of side min(w, h) * 224 / 256 and resampling it to 224.
 */
export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel, row-major. */
  data: Uint8Array | Uint8ClampedArray;
}

export interface PreprocessSpec {
  /** Model input size (square crops only when width === height). */
  width: number;
  height: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** Channel order of the model input. */
  channelOrder: 'rgb' | 'bgr';
  /** Pixel scale before mean/std: 1/255 for [0,1] inputs, 1 for [0,255]. */
  scale: number;
  /** Number of input channels: 3, or 1 (luma). */
  channels: 1 | 3;
  /** Fraction of the shorter side covered by the default centre crop (224/256 for ImageNet). */
  cropFraction: number;
}

export const IMAGENET_PREPROCESS: Readonly<PreprocessSpec> = Object.freeze({
  width: 224,
  height: 224,
  mean: [0.485, 0.456, 0.406] as [number, number, number],
  std: [0.229, 0.224, 0.225] as [number, number, number],
  channelOrder: 'rgb' as const,
  scale: 1 / 255,
  channels: 3 as const,
  cropFraction: 224 / 256,
});

/** The user-editable part of a recipe (the model fixes the input size): what the app's settings hold. */
export interface PreprocessSettings {
  mean: [number, number, number];
  std: [number, number, number];
  channelOrder: 'rgb' | 'bgr';
  /** Pixel scale before mean/std: 1/255 for [0, 1] inputs, 1 for [0, 255]. */
  scale: number;
  /** The shorter image side is resized to this before the centre crop (ImageNet: 256 for a 224 input). */
  resize: number;
}

/**
 * `recipe` as settings for a model input whose shorter side is `side`: the image's shorter side is resized
 * so that the centre crop keeps the recipe's fraction of it.
 */
export function recipeSettings(
  recipe: Pick<PreprocessSpec, 'mean' | 'std' | 'channelOrder' | 'scale' | 'cropFraction'>,
  side: number,
): PreprocessSettings {
  return {
    mean: [...recipe.mean],
    std: [...recipe.std],
    channelOrder: recipe.channelOrder,
    scale: recipe.scale,
    resize: Math.round(side / recipe.cropFraction),
  };
}

/**
 * The ImageNet recipe's settings at its own 224 input ([0, 1] RGB, ImageNet mean and std, shorter side 256,
 * centre crop 224): the app's default for a model whose file names no preprocessing, and the recipe of the
 * gallery's entries from torchvision, Gluon CV and Caffe2 (state/model-gallery.ts). One object shared by all
 * of them, so it and its mean and std are frozen: a change through one entry would change every other.
 */
export const IMAGENET_SETTINGS: Readonly<PreprocessSettings> = deepFreezeSettings(
  recipeSettings(IMAGENET_PREPROCESS, IMAGENET_PREPROCESS.width),
);

function deepFreezeSettings(s: PreprocessSettings): Readonly<PreprocessSettings> {
  Object.freeze(s.mean);
  Object.freeze(s.std);
  return Object.freeze(s);
}

/** A crop rectangle in source pixel coordinates (may be fractional). */
export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The default crop: centred, aspect of the model input, covering `cropFraction` of the shorter side. */
export function defaultCrop(imgW: number, imgH: number, spec: PreprocessSpec): CropRect {
  // Largest rectangle of the model's aspect that fits the image, shrunk by cropFraction.
  const aspect = spec.width / spec.height;
  let w = imgW;
  let h = imgW / aspect;
  if (h > imgH) {
    h = imgH;
    w = imgH * aspect;
  }
  w *= spec.cropFraction;
  h *= spec.cropFraction;
  return { x: (imgW - w) / 2, y: (imgH - h) / 2, width: w, height: h };
}

/** Keep a crop inside the image and at least one pixel large. */
export function clampCrop(c: CropRect, imgW: number, imgH: number): CropRect {
  const width = Math.min(Math.max(c.width, 1), imgW);
  const height = Math.min(Math.max(c.height, 1), imgH);
  const x = Math.min(Math.max(c.x, 0), imgW - width);
  const y = Math.min(Math.max(c.y, 0), imgH - height);
  return { x, y, width, height };
}

/**
 * Resample the crop to the model size and normalise. Downscaling averages over the source footprint of each
 * output pixel (area-weighted triangle filter, like PIL's antialiased bilinear resize), so a large photo
 * gives the same input as its downscaled copy.
 */
export function preprocess(img: RgbaImage, spec: PreprocessSpec, crop?: CropRect): Float32Array {
  const c = clampCrop(crop ?? defaultCrop(img.width, img.height, spec), img.width, img.height);
  const W = spec.width;
  const H = spec.height;
  const rgb = resampleRgb(img, c, W, H);
  const plane = W * H;
  const out = new Float32Array(spec.channels * plane);
  if (spec.channels === 1) {
    for (let i = 0; i < plane; i++) {
      const luma = 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
      out[i] = (luma * spec.scale - spec.mean[0]) / spec.std[0];
    }
    return out;
  }
  for (let ch = 0; ch < 3; ch++) {
    const src = spec.channelOrder === 'rgb' ? ch : 2 - ch;
    const m = spec.mean[ch];
    const s = spec.std[ch];
    for (let i = 0; i < plane; i++) out[ch * plane + i] = (rgb[3 * i + src] * spec.scale - m) / s;
  }
  return out;
}

/** Triangle-filter weights of one axis: for each output index, the source taps and their weights. */
function axisWeights(start: number, length: number, outSize: number, srcSize: number) {
  const scale = length / outSize;
  const support = Math.max(1, scale); // filter radius in source pixels
  const taps: { first: number; weights: Float64Array }[] = [];
  for (let o = 0; o < outSize; o++) {
    const centre = start + (o + 0.5) * scale; // half-pixel centres
    const lo = Math.max(0, Math.floor(centre - support));
    const hi = Math.min(srcSize - 1, Math.ceil(centre + support));
    const w = new Float64Array(hi - lo + 1);
    let sum = 0;
    for (let s = lo; s <= hi; s++) {
      const d = Math.abs(s + 0.5 - centre) / support;
      const v = d < 1 ? 1 - d : 0;
      w[s - lo] = v;
      sum += v;
    }
    if (sum === 0) {
      // Degenerate footprint (crop outside the image): nearest pixel.
      const s = Math.min(srcSize - 1, Math.max(0, Math.floor(centre)));
      taps.push({ first: s, weights: Float64Array.of(1) });
      continue;
    }
    for (let k = 0; k < w.length; k++) w[k] /= sum;
    taps.push({ first: lo, weights: w });
  }
  return taps;
}

/** Separable resample of a crop to W x H; returns interleaved RGB in [0, 255] as float64. */
function resampleRgb(img: RgbaImage, c: CropRect, W: number, H: number): Float64Array {
  const xs = axisWeights(c.x, c.width, W, img.width);
  const ys = axisWeights(c.y, c.height, H, img.height);
  // Horizontal pass over the rows the vertical pass needs.
  const rowLo = ys.reduce((m, t) => Math.min(m, t.first), img.height);
  const rowHi = ys.reduce((m, t) => Math.max(m, t.first + t.weights.length - 1), 0);
  const rows = rowHi - rowLo + 1;
  const tmp = new Float64Array(rows * W * 3);
  for (let r = 0; r < rows; r++) {
    const srcRow = (rowLo + r) * img.width * 4;
    for (let x = 0; x < W; x++) {
      const { first, weights } = xs[x];
      let a = 0;
      let b = 0;
      let d = 0;
      for (let k = 0; k < weights.length; k++) {
        const p = srcRow + (first + k) * 4;
        const wk = weights[k];
        a += wk * img.data[p];
        b += wk * img.data[p + 1];
        d += wk * img.data[p + 2];
      }
      const q = (r * W + x) * 3;
      tmp[q] = a;
      tmp[q + 1] = b;
      tmp[q + 2] = d;
    }
  }
  const out = new Float64Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const { first, weights } = ys[y];
    for (let x = 0; x < W; x++) {
      let a = 0;
      let b = 0;
      let d = 0;
      for (let k = 0; k < weights.length; k++) {
        const q = ((first - rowLo + k) * W + x) * 3;
        const wk = weights[k];
        a += wk * tmp[q];
        b += wk * tmp[q + 1];
        d += wk * tmp[q + 2];
      }
      const o = (y * W + x) * 3;
      out[o] = a;
      out[o + 1] = b;
      out[o + 2] = d;
    }
  }
  return out;
}
