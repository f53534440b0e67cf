/**
 * Preprocessing hints from a model's metadata_props, for the CLI and the model panel (which fall back to the
 * ImageNet recipe for whatever is not given, and let the user override every value).
 *
 * Our keys (values are plain text; lists are comma- or space-separated, or a JSON array):
 *   panescope.input_size     "224" or "224,192" (height, width): also fixes symbolic spatial dimensions
 *   panescope.mean           "0.485,0.456,0.406" (one value for all channels, or one per channel)
 *   panescope.std            "0.229,0.224,0.225"
 *   panescope.scale          pixel factor before mean/std: "1/255" (pixels in [0, 1]) or "1" ([0, 255])
 *   panescope.channel_order  "rgb" or "bgr"
 *   panescope.crop_fraction  share of the shorter side the centre crop covers, e.g. "0.875" (224 / 256)
 * Recognised as well, from the ONNX image metadata convention (onnx/docs/MetadataProps.md, keys and values
 * case-insensitive): Image.BitmapPixelFormat (Gray8 / Rgb8 / Bgr8 / Rgba8 / Bgra8) and
 * Image.NominalPixelRange (NominalRange_0_255, Normalized_0_1, Normalized_1_1, NominalRange_16_235).
 * Our keys win where both say something. A malformed value of one of our keys is an error naming it;
 * unknown values of the ONNX keys are ignored (they are not ours to police).
 */
import type { PreprocessSpec } from '../preprocess';
import type { IrGraph } from './ir';

type Rgb = [number, number, number];

export const HINT_KEYS = {
  inputSize: 'panescope.input_size',
  mean: 'panescope.mean',
  std: 'panescope.std',
  scale: 'panescope.scale',
  channelOrder: 'panescope.channel_order',
  cropFraction: 'panescope.crop_fraction',
} as const;

function bad(key: string, value: string, expected: string): Error {
  return new Error(`model metadata ${key} = '${value}': expected ${expected}`);
}

/** "1,2,3", "1 2 3", "224x192" or a JSON array of numbers. */
function numbers(key: string, value: string): number[] {
  const text = value.trim();
  let parts: unknown;
  try {
    parts = text.startsWith('[') ? JSON.parse(text) : text.split(/[\s,x]+/).filter((p) => p !== '');
  } catch {
    throw bad(key, value, 'numbers');
  }
  const nums = Array.isArray(parts) ? parts.map((p) => (typeof p === 'string' ? Number(p) : p)) : [];
  if (nums.length === 0 || nums.some((n) => typeof n !== 'number' || !Number.isFinite(n))) {
    throw bad(key, value, 'numbers');
  }
  return nums as number[];
}

function perChannel(key: string, value: string, positive: boolean): Rgb {
  const v = numbers(key, value);
  if (v.length !== 1 && v.length !== 3) throw bad(key, value, 'one value or three (one per channel)');
  if (positive && v.some((n) => n <= 0)) throw bad(key, value, 'positive numbers');
  return v.length === 1 ? [v[0], v[0], v[0]] : [v[0], v[1], v[2]];
}

function scaleOf(key: string, value: string): number {
  const m = /^\s*([\d.eE+-]+)\s*(?:\/\s*([\d.eE+-]+))?\s*$/.exec(value);
  const s = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : NaN;
  if (!(s > 0) || !Number.isFinite(s)) throw bad(key, value, 'a positive number or fraction such as 1/255');
  return s;
}

/** ONNX Image.NominalPixelRange -> scale, mean and std that map 8-bit pixels p to the stored range. */
const PIXEL_RANGES: Record<string, Pick<PreprocessSpec, 'scale' | 'mean' | 'std'>> = {
  nominalrange_0_255: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
  normalized_0_1: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  normalized_1_1: { scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  // 16 + p * 219 / 255 = (p / 255 - mean) / std with std = 1 / 219, mean = -16 / 219.
  nominalrange_16_235: {
    scale: 1 / 255,
    mean: [-16 / 219, -16 / 219, -16 / 219],
    std: [1 / 219, 1 / 219, 1 / 219],
  },
};

function onnxImageHints(meta: ReadonlyMap<string, string>): Partial<PreprocessSpec> {
  const hints: Partial<PreprocessSpec> = {};
  const format = meta.get('image.bitmappixelformat')?.toLowerCase();
  if (format === 'gray8') hints.channels = 1;
  if (format === 'rgb8' || format === 'rgba8') hints.channelOrder = 'rgb';
  if (format === 'bgr8' || format === 'bgra8') hints.channelOrder = 'bgr';
  const range = PIXEL_RANGES[meta.get('image.nominalpixelrange')?.toLowerCase() ?? ''];
  return range ? { ...hints, ...range } : hints;
}

function ownHints(meta: ReadonlyMap<string, string>): Partial<PreprocessSpec> {
  const hints: Partial<PreprocessSpec> = {};
  const get = (key: string) => meta.get(key);
  const size = get(HINT_KEYS.inputSize);
  if (size !== undefined) {
    const v = numbers(HINT_KEYS.inputSize, size);
    if (v.length > 2 || v.some((n) => !Number.isInteger(n) || n < 1)) {
      throw bad(HINT_KEYS.inputSize, size, 'a size such as 224 or 224,192 (height, width)');
    }
    [hints.height, hints.width] = [v[0], v[v.length - 1]];
  }
  const mean = get(HINT_KEYS.mean);
  if (mean !== undefined) hints.mean = perChannel(HINT_KEYS.mean, mean, false);
  const std = get(HINT_KEYS.std);
  if (std !== undefined) hints.std = perChannel(HINT_KEYS.std, std, true);
  const scale = get(HINT_KEYS.scale);
  if (scale !== undefined) hints.scale = scaleOf(HINT_KEYS.scale, scale);
  const order = get(HINT_KEYS.channelOrder);
  if (order !== undefined) {
    const o = order.trim().toLowerCase();
    if (o !== 'rgb' && o !== 'bgr') throw bad(HINT_KEYS.channelOrder, order, "'rgb' or 'bgr'");
    hints.channelOrder = o;
  }
  const crop = get(HINT_KEYS.cropFraction);
  if (crop !== undefined) {
    const f = Number(crop);
    if (!(f > 0 && f <= 1)) throw bad(HINT_KEYS.cropFraction, crop, 'a number in (0, 1]');
    hints.cropFraction = f;
  }
  return hints;
}

/** The preprocessing the model's metadata asks for; empty when it says nothing. */
export function preprocessHints(g: Pick<IrGraph, 'metadata'>): Partial<PreprocessSpec> {
  const meta = new Map(Object.entries(g.metadata).map(([k, v]) => [k.trim().toLowerCase(), v]));
  return { ...onnxImageHints(meta), ...ownHints(meta) };
}
