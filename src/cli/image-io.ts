/**
 * Node-side image and array files for the CLI: PNG/JPEG decode and PNG encode, .npy via core/npy. The header
 * is read before decoding (core/image-header): the pixel count is capped for every format, and a JPEG's EXIF
 * orientation is applied the way the app's createImageBitmap applies it.
 */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { RgbaImage } from '../core/preprocess';
import { readImageHeader } from '../core/image-header';
import { applyOrientation } from '../core/orientation';
import { quoted } from '../core/text';

/** Decoding refuses images above this many pixels (a 10000 x 10000 photo is 400 MB of RGBA). */
const MAX_PIXELS = 50_000_000;

export function decodeImage(bytes: Uint8Array, name: string): RgbaImage {
  const header = readImageHeader(bytes);
  if (!header) throw new Error(`${quoted(name)}: not a PNG or JPEG image`);
  const { format, width, height } = header;
  if (format !== 'png' && format !== 'jpeg') {
    throw new Error(
      `${quoted(name)}: ${format.toUpperCase()} images are not read here; convert it to PNG or JPEG`,
    );
  }
  if (width === 0 || height === 0)
    throw new Error(`${quoted(name)}: the image has no pixels (${width} x ${height})`);
  if (width * height > MAX_PIXELS) {
    throw new Error(
      `${quoted(name)}: the image is ${width} x ${height} (${((width * height) / 1e6).toFixed(0)} megapixels); ` +
        `images up to ${MAX_PIXELS / 1e6} megapixels are read`,
    );
  }
  let img: RgbaImage;
  try {
    if (format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      img = { width: png.width, height: png.height, data: new Uint8Array(png.data) };
    } else {
      const decoded = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        // Checked from the header above; these bound a hostile file whose scans disagree with it.
        maxResolutionInMP: MAX_PIXELS / 1e6,
        maxMemoryUsageInMB: 1024,
      });
      img = { width: decoded.width, height: decoded.height, data: decoded.data };
    }
  } catch (e) {
    throw new Error(`${quoted(name)}: cannot decode the image (${(e as Error).message})`);
  }
  return applyOrientation(img, header.orientation);
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}
