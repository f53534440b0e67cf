/**
 * The model input of `panescope explain`: which preprocessing applies (ImageNet recipe, then the model's
 * metadata hints, then the user's flags), and the image or .npy file turned into a tensor in the model's own
 * layout (NCHW, or NHWC for TensorFlow models), with the picture the overlay is drawn on.
 */
import { parseNpy } from '../core/npy';
import type { IrGraph } from '../core/onnx/ir';
import { fromModelLayout, toModelLayout, type ImageInput } from '../core/onnx/layout';
import { preprocessHints } from '../core/onnx/preprocessHints';
import {
  IMAGENET_PREPROCESS,
  defaultCrop,
  preprocess,
  type PreprocessSpec,
  type RgbaImage,
} from '../core/preprocess';
import type { Tensor } from '../core/tensor';
import { requireFinite } from '../core/finite';
import { preprocessRangeProblem } from '../core/preprocess-range';
import { quoted } from '../core/text';
import { decodeImage } from './image-io';

/**
 * model:    the ImageNet recipe, overridden by the model's metadata hints (core/onnx/preprocessHints);
 * imagenet: the ImageNet recipe, metadata ignored;
 * none:     pixels scaled to [0, 1], no mean/std.
 * Flags given explicitly (--mean, --std, --scale, --channel-order) override all three.
 */
export type PreprocessMode = 'model' | 'imagenet' | 'none';

export interface InputFlags {
  preprocess: PreprocessMode;
  inputSize?: { height: number; width: number };
  mean?: [number, number, number];
  std?: [number, number, number];
  scale?: number;
  channelOrder?: 'rgb' | 'bgr';
}

function list(flag: string, text: string): number[] {
  const v = text
    .split(/[\s,x]+/)
    .filter((s) => s !== '')
    .map(Number);
  if (v.length === 0 || v.some((n) => !Number.isFinite(n))) {
    throw new Error(`--${flag} must be numbers separated by commas (got ${quoted(text, 40)})`);
  }
  return v;
}

function rgb(flag: string, text: string, positive: boolean): [number, number, number] {
  const v = list(flag, text);
  if ((v.length !== 1 && v.length !== 3) || (positive && v.some((n) => n <= 0))) {
    throw new Error(
      `--${flag} takes one value or three${positive ? ', all positive' : ''} (got ${quoted(text, 40)})`,
    );
  }
  return v.length === 1 ? [v[0], v[0], v[0]] : [v[0], v[1], v[2]];
}

/**
 * --input-size caps: the float64 reference keeps every layer in memory, and that grows with the pixel count
 * (`--input-size 20000` on a dynamic model went past 6 GiB).
 */
const MAX_INPUT_SIDE = 4096;
const MAX_INPUT_PIXELS = 1024 * 1024;

/** The input flags as text -> values; throws with a message naming the flag. */
export function parseInputFlags(raw: {
  preprocess: PreprocessMode;
  inputSize?: string;
  mean?: string;
  std?: string;
  scale?: string;
  channelOrder?: string;
}): InputFlags {
  const flags: InputFlags = { preprocess: raw.preprocess };
  if (raw.inputSize !== undefined) {
    const v = list('input-size', raw.inputSize);
    if (v.length > 2 || v.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new Error(`--input-size must be S or H,W in pixels (got ${quoted(raw.inputSize, 40)})`);
    }
    const [h, w] = [v[0], v[v.length - 1]];
    if (h > MAX_INPUT_SIDE || w > MAX_INPUT_SIDE || h * w > MAX_INPUT_PIXELS) {
      throw new Error(
        `--input-size ${h} x ${w} is too large: at most ${MAX_INPUT_SIDE} per side and ` +
          `${MAX_INPUT_PIXELS} pixels (1024 x 1024)`,
      );
    }
    flags.inputSize = { height: v[0], width: v[v.length - 1] };
  }
  if (raw.mean !== undefined) flags.mean = rgb('mean', raw.mean, false);
  if (raw.std !== undefined) flags.std = rgb('std', raw.std, true);
  if (raw.scale !== undefined) {
    const m = /^\s*([\d.eE+-]+)\s*(?:\/\s*([\d.eE+-]+))?\s*$/.exec(raw.scale);
    const s = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : NaN;
    if (!(s > 0) || !Number.isFinite(s))
      throw new Error(`--scale must be a number such as 1/255 (got ${quoted(raw.scale, 40)})`);
    flags.scale = s;
  }
  if (raw.channelOrder !== undefined) {
    if (raw.channelOrder !== 'rgb' && raw.channelOrder !== 'bgr') {
      throw new Error(`--channel-order must be rgb or bgr (got ${quoted(raw.channelOrder, 40)})`);
    }
    flags.channelOrder = raw.channelOrder;
  }
  return flags;
}

/** The preprocessing of one run: recipe, hints and flags, at the model's input size and channel count. */
export function preprocessSpecFor(graph: IrGraph, input: ImageInput, flags: InputFlags): PreprocessSpec {
  if (input.channels !== 1 && input.channels !== 3) {
    throw new Error(
      `input '${input.name}' has ${input.channels} channels; images give 1 (grey) or 3 (colour)`,
    );
  }
  const hints = flags.preprocess === 'model' ? preprocessHints(graph) : {};
  const none: Partial<PreprocessSpec> =
    flags.preprocess === 'none' ? { mean: [0, 0, 0], std: [1, 1, 1], scale: 1 / 255 } : {};
  const given = Object.fromEntries(
    Object.entries({
      mean: flags.mean,
      std: flags.std,
      scale: flags.scale,
      channelOrder: flags.channelOrder,
    }).filter(([, v]) => v !== undefined),
  );
  const spec: PreprocessSpec = {
    ...IMAGENET_PREPROCESS,
    ...hints,
    ...none,
    ...given,
    width: input.width,
    height: input.height,
    channels: input.channels,
  };
  const problem = preprocessRangeProblem(spec);
  if (problem) throw new Error(`${problem} (from --mean, --std, --scale or the model's metadata)`);
  return spec;
}

/** Model channel c -> (unit value in [0, 1] of) the picture, undoing the normalisation of `spec`. */
function pictureOf(planar: ArrayLike<number>, input: ImageInput, spec: PreprocessSpec | null): RgbaImage {
  const { channels: C, height: H, width: W } = input;
  const plane = H * W;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < planar.length; i++) {
    lo = Math.min(lo, planar[i]);
    hi = Math.max(hi, planar[i]);
  }
  const out = new Uint8Array(plane * 4);
  for (let i = 0; i < plane; i++) {
    for (let r = 0; r < 3; r++) {
      // Picture channel r (RGB) is model channel r, or 2 - r for BGR models, or 0 for grey ones.
      const c = C === 1 ? 0 : spec?.channelOrder === 'bgr' ? 2 - r : r;
      const v = planar[c * plane + i];
      const unit = spec ? (v * spec.std[c] + spec.mean[c]) / spec.scale / 255 : (v - lo) / (hi - lo || 1);
      out[4 * i + r] = Math.round(255 * Math.min(1, Math.max(0, unit)));
    }
    out[4 * i + 3] = 255;
  }
  return { width: W, height: H, data: out };
}

/** The crop resampled to the model size as RGBA (what the overlay is drawn on). */
function cropPicture(img: RgbaImage, spec: PreprocessSpec): RgbaImage {
  const { width: W, height: H } = spec;
  const identity: PreprocessSpec = {
    ...spec,
    channels: 3,
    channelOrder: 'rgb',
    mean: [0, 0, 0],
    std: [1, 1, 1],
    scale: 1,
  };
  const planes = preprocess(img, identity, defaultCrop(img.width, img.height, spec));
  const out = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    for (let c = 0; c < 3; c++)
      out[4 * i + c] = Math.round(Math.min(255, Math.max(0, planes[c * W * H + i])));
    out[4 * i + 3] = 255;
  }
  return { width: W, height: H, data: out };
}

/**
 * The model input from an image (decoded, cropped, resampled, normalised by `spec`) or from a .npy that
 * already holds it in the model's layout (any shape with the right number of values).
 */
export function modelInput(
  path: string,
  bytes: Uint8Array,
  input: ImageInput,
  spec: PreprocessSpec,
  mode: PreprocessMode,
): { input: Tensor; picture: RgbaImage } {
  const n = input.channels * input.height * input.width;
  if (path.toLowerCase().endsWith('.npy')) {
    let t: Tensor<Float32Array | Float64Array>;
    try {
      t = parseNpy(bytes);
    } catch (e) {
      throw new Error(`${quoted(path)}: ${(e as Error).message}`);
    }
    if (t.data.length !== n) {
      throw new Error(
        `${quoted(path)}: shape [${t.dims.join(',')}] does not fit the model input [${input.dims.join(',')}]`,
      );
    }
    requireFinite(t.data, `${quoted(path)}: the array`);
    const data = Float64Array.from(t.data);
    return {
      input: { dims: input.dims, data },
      picture: pictureOf(fromModelLayout(data, input), input, mode === 'none' ? null : spec),
    };
  }
  const img = decodeImage(bytes, path);
  const planar = preprocess(img, spec);
  requireFinite(planar, `${quoted(path)}: the preprocessed input`);
  return {
    input: { dims: input.dims, data: Float64Array.from(toModelLayout(planar, input)) },
    picture: cropPicture(img, spec),
  };
}
