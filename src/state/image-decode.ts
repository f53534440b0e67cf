/**
 * Files, blobs and URLs -> RGBA pixels, with limits: a file over MAX_IMAGE_BYTES or an image over
 * MAX_IMAGE_PIXELS is refused with a message (checked from the header before decoding); an image with a
 * side over MAX_IMAGE_EDGE is downscaled on the way in. Decoding skips colour-space conversion so that the
 * same bytes give the same pixels in every browser session (the share link relies on that).
 */
import type { RgbaImage } from '../core/preprocess';
import { readImageHeaderFrom } from '../core/image-header';
import { safeText } from '../core/text';
import { UserError } from './user-error';

const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
/** 50 megapixels: a 10000 x 10000 image (100 MP, 400 MB of pixels) is refused. */
const MAX_IMAGE_PIXELS = 50_000_000;
/** Longer sides are downscaled to this; the model sees a 224 px crop anyway. */
const MAX_IMAGE_EDGE = 4096;

export interface DecodedImage {
  rgba: RgbaImage;
  /** Set when the image was changed on the way in. */
  note?: string;
}

const BITMAP_OPTIONS: ImageBitmapOptions = { colorSpaceConversion: 'none', premultiplyAlpha: 'none' };

export async function decodeImageBlob(blob: Blob, fileName: string): Promise<DecodedImage> {
  // File names and URLs are untrusted: escaped and capped in every message.
  const name = safeText(fileName, 120);
  if (blob.size === 0) throw new UserError(`${name} is empty.`);
  if (blob.size > MAX_IMAGE_BYTES) {
    throw new UserError(
      `${name} is ${mb(blob.size)} MB; images up to ${mb(MAX_IMAGE_BYTES)} MB are accepted.`,
    );
  }
  // From the header, before any decoding: a JPEG's frame header may follow large segments, so the reader
  // fetches the parts of the file the walk needs.
  const header = await readImageHeaderFrom(
    blob.size,
    async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  );
  if (header) checkPixelCount(name, header.width, header.height);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, BITMAP_OPTIONS);
  } catch {
    throw new UserError(
      `${name} is not an image this browser can decode (PNG, JPEG, WebP, GIF or BMP expected).`,
    );
  }
  try {
    // Formats the sniffer does not read (e.g. AVIF) are checked after decoding.
    checkPixelCount(name, bitmap.width, bitmap.height);
    const longest = Math.max(bitmap.width, bitmap.height);
    if (longest <= MAX_IMAGE_EDGE) return { rgba: bitmapToRgba(bitmap) };
    const f = MAX_IMAGE_EDGE / longest;
    const width = Math.max(1, Math.round(bitmap.width * f));
    const height = Math.max(1, Math.round(bitmap.height * f));
    const small = await createImageBitmap(bitmap, {
      ...BITMAP_OPTIONS,
      resizeWidth: width,
      resizeHeight: height,
      resizeQuality: 'high',
    });
    const note = `downscaled from ${bitmap.width} x ${bitmap.height} to ${width} x ${height}`;
    const rgba = bitmapToRgba(small);
    small.close();
    return { rgba, note };
  } finally {
    bitmap.close();
  }
}

export async function fetchImage(url: string): Promise<DecodedImage> {
  let response: Response;
  try {
    response = await fetch(url, { mode: 'cors', credentials: 'omit' });
  } catch {
    throw new UserError(
      `The image at ${safeText(url, 200)} could not be fetched (offline, or the server does not allow it).`,
    );
  }
  if (!response.ok)
    throw new UserError(`The image at ${safeText(url, 200)} could not be fetched (HTTP ${response.status}).`);
  return decodeImageBlob(await response.blob(), fileNameOf(url));
}

/** The last path segment of a URL, for messages and image names. */
export function fileNameOf(url: string): string {
  try {
    const path = new URL(url, 'http://x/').pathname;
    return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || url;
  } catch {
    return url;
  }
}

function checkPixelCount(name: string, width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    const mp = ((width * height) / 1e6).toFixed(0);
    throw new UserError(
      `${name} is ${width} x ${height} (${mp} megapixels); images up to ${MAX_IMAGE_PIXELS / 1e6} megapixels ` +
        'are accepted. Downscale it and try again.',
    );
  }
  if (width === 0 || height === 0) throw new UserError(`${name} has no pixels.`);
}

function bitmapToRgba(bitmap: ImageBitmap): RgbaImage {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  return { width: bitmap.width, height: bitmap.height, data };
}

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0);
}
