/**
 * EXIF orientation applied to decoded pixels, the way browsers show a photo (createImageBitmap's default
 * imageOrientation 'from-image'): the CLI turns a JPEG with this, so a photo from a phone gives the same
 * pixels, and the same map, in the CLI and the app.
 */
import type { RgbaImage } from './preprocess';

/**
 * Where displayed pixel (x, y) of an image stored as W x H comes from, per EXIF orientation (TIFF 6.0 tag
 * 0x0112): 1 as stored, 2 mirrored, 3 turned 180, 4 flipped, 5 transposed, 6 turned 90 clockwise,
 * 7 transversed, 8 turned 90 counter-clockwise. Orientations 5-8 swap width and height.
 */
function source(o: number, x: number, y: number, W: number, H: number): [number, number] {
  switch (o) {
    case 2:
      return [W - 1 - x, y];
    case 3:
      return [W - 1 - x, H - 1 - y];
    case 4:
      return [x, H - 1 - y];
    case 5:
      return [y, x];
    case 6:
      return [y, H - 1 - x];
    case 7:
      return [W - 1 - y, H - 1 - x];
    case 8:
      return [W - 1 - y, x];
    default:
      return [x, y];
  }
}

export function applyOrientation(img: RgbaImage, orientation: number): RgbaImage {
  if (orientation < 2 || orientation > 8) return img;
  const { width: W, height: H } = img;
  const swap = orientation >= 5;
  const width = swap ? H : W;
  const height = swap ? W : H;
  const data = new Uint8Array(width * height * 4);
  // One RGBA pixel is one 32-bit word; a view needs a 4-byte-aligned offset, so copy when it is not.
  const bytes = img.data.byteOffset % 4 === 0 ? img.data : new Uint8Array(img.data);
  const from = new Uint32Array(bytes.buffer, bytes.byteOffset, W * H);
  const to = new Uint32Array(data.buffer);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [u, v] = source(orientation, x, y, W, H);
      to[y * width + x] = from[v * W + u];
    }
  }
  return { width, height, data };
}
