/** Node-side image and array files for the CLI: PNG/JPEG decode and PNG encode, .npy via core/npy. */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { RgbaImage } from '../core/preprocess';

/** Decoding refuses images above this many pixels (a 10000 x 10000 photo is 400 MB of RGBA). */
export const MAX_PIXELS = 50_000_000;

export function decodeImage(bytes: Uint8Array, name: string): RgbaImage {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
    }
    if (isJpeg) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      if (img.width * img.height > MAX_PIXELS) throw new Error('image too large');
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (e) {
    throw new Error(`${name}: cannot decode the image (${(e as Error).message})`);
  }
  throw new Error(`${name}: not a PNG or JPEG image`);
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}
