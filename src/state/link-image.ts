/**
 * A user's own image in a share link: the model's input crop at the model's resolution, as WebP, in
 * base64url, at most MAX_EMBEDDED_CHARS characters (about 30 KB). Larger inputs cannot travel in a link.
 */
import { preprocess, type CropRect, type PreprocessSpec, type RgbaImage } from '../core/preprocess';
import { bytesToBase64Url } from './base64url';
import { MAX_EMBEDDED_CHARS } from './share-codec';
import type { EmbeddedMime } from './types';

/** WebP qualities tried from best to smallest until the image fits. */
const QUALITIES = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5];

export interface EmbeddedImage {
  mime: EmbeddedMime;
  data: string;
  width: number;
  height: number;
}

/** The crop resampled to the model's size exactly as preprocess() samples it, as 8-bit RGBA. */
export function modelInputPixels(img: RgbaImage, spec: PreprocessSpec, crop: CropRect): RgbaImage {
  const identity: PreprocessSpec = {
    ...spec,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    scale: 1,
    channelOrder: 'rgb',
    channels: 3,
  };
  const planes = preprocess(img, identity, crop);
  const n = spec.width * spec.height;
  const data = new Uint8ClampedArray(4 * n);
  for (let i = 0; i < n; i++) {
    data[4 * i] = planes[i];
    data[4 * i + 1] = planes[n + i];
    data[4 * i + 2] = planes[2 * n + i];
    data[4 * i + 3] = 255;
  }
  return { width: spec.width, height: spec.height, data };
}

/** Encodes the model input for a link; null when even the smallest quality does not fit. */
export async function embedModelInput(pixels: RgbaImage): Promise<EmbeddedImage | null> {
  const canvas = new OffscreenCanvas(pixels.width, pixels.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(pixels.data), pixels.width, pixels.height), 0, 0);
  for (const quality of QUALITIES) {
    const blob = await canvas.convertToBlob({ type: 'image/webp', quality });
    // A browser without a WebP encoder answers with PNG: too large for a link, and not what we asked for.
    if (blob.type !== 'image/webp') return null;
    const data = bytesToBase64Url(new Uint8Array(await blob.arrayBuffer()));
    if (data.length <= MAX_EMBEDDED_CHARS) {
      return { mime: 'image/webp', data, width: pixels.width, height: pixels.height };
    }
  }
  return null;
}
