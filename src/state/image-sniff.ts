/**
 * Image dimensions from the first bytes of a file, before decoding it: a 10000 x 10000 image is refused (or
 * sent to the downscaler) without allocating 400 MB of pixels first. Pure; reads PNG, JPEG, GIF, WebP, BMP.
 */
export interface SniffedImage {
  format: 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp';
  width: number;
  height: number;
}

export function sniffImageSize(b: Uint8Array): SniffedImage | null {
  return sniffPng(b) ?? sniffGif(b) ?? sniffBmp(b) ?? sniffWebp(b) ?? sniffJpeg(b);
}

const be32 = (b: Uint8Array, o: number) =>
  ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const be16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const le16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const le24 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
const le32 = (b: Uint8Array, o: number) =>
  (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

function sniffPng(b: Uint8Array): SniffedImage | null {
  if (b.length < 24 || be32(b, 0) !== 0x89504e47 || ascii(b, 12, 4) !== 'IHDR') return null;
  return { format: 'png', width: be32(b, 16), height: be32(b, 20) };
}

function sniffGif(b: Uint8Array): SniffedImage | null {
  if (b.length < 10 || ascii(b, 0, 4) !== 'GIF8') return null;
  return { format: 'gif', width: le16(b, 6), height: le16(b, 8) };
}

function sniffBmp(b: Uint8Array): SniffedImage | null {
  if (b.length < 26 || ascii(b, 0, 2) !== 'BM') return null;
  const height = le32(b, 22) | 0; // negative height = top-down rows
  return { format: 'bmp', width: le32(b, 18), height: Math.abs(height) };
}

function sniffWebp(b: Uint8Array): SniffedImage | null {
  if (b.length < 30 || ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP') return null;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') return { format: 'webp', width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = le32(b, 21);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { format: 'webp', width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
  return null;
}

function sniffJpeg(b: Uint8Array): SniffedImage | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let o = 2;
  while (o + 9 < b.length) {
    if (b[o] !== 0xff) return null;
    const marker = b[o + 1];
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { format: 'jpeg', height: be16(b, o + 5), width: be16(b, o + 7) };
    }
    o += 2 + be16(b, o + 2);
  }
  return null;
}
