/**
 * Image headers read before any decoding, in the CLI and the app alike: the size (a 20000 x 20000 PNG of
 * 390 KB on disk is refused without allocating 1.6 GB of pixels) and the EXIF orientation (so that the CLI
 * turns a photo the way the browser's createImageBitmap does). PNG, GIF, BMP and WebP keep their size in the
 * first 30 bytes; a JPEG keeps it in its frame header (SOF), which may sit after any number of large segments
 * (an APP1 with a 60 KB thumbnail, ICC profiles), so every segment up to the first scan is walked, loading
 * more of the file where the caller only has a part of it.
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp';

export interface SniffedImage {
  format: ImageFormat;
  width: number;
  height: number;
}

export interface ImageHeader extends SniffedImage {
  /** EXIF orientation 1..8 (1 = as stored): a JPEG's APP1 or a PNG's eXIf chunk; 1 elsewhere. */
  orientation: number;
}

/** Thrown by a partial reader for a byte it has not loaded yet. */
class NeedBytes {
  constructor(readonly offset: number) {}
}

/** Random access to a file of `length` bytes that may be only partly loaded. */
interface Reader {
  readonly length: number;
  byte(offset: number): number;
}

const be16 = (r: Reader, o: number) => (r.byte(o) << 8) | r.byte(o + 1);
const be32 = (r: Reader, o: number) => ((be16(r, o) << 16) | be16(r, o + 2)) >>> 0;
const le16 = (r: Reader, o: number) => r.byte(o) | (r.byte(o + 1) << 8);
const le24 = (r: Reader, o: number) => le16(r, o) | (r.byte(o + 2) << 16);
const le32 = (r: Reader, o: number) => (le16(r, o) | (le16(r, o + 2) << 16)) >>> 0;
const ascii = (r: Reader, o: number, n: number) =>
  String.fromCharCode(...Array.from({ length: n }, (_, i) => r.byte(o + i)));

function png(r: Reader): ImageHeader | null {
  if (r.length < 24 || be32(r, 0) !== 0x89504e47 || ascii(r, 12, 4) !== 'IHDR') return null;
  return { format: 'png', width: be32(r, 16), height: be32(r, 20), orientation: pngOrientation(r) };
}

/** The orientation of an eXIf chunk before the image data (browsers honour it, as for a JPEG's APP1). */
function pngOrientation(r: Reader): number {
  let o = 8;
  for (let n = 0; n < MAX_SEGMENTS && o + 8 <= r.length; n++) {
    const length = be32(r, o);
    const type = ascii(r, o + 4, 4);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'eXIf') return exifOrientation(r, o + 8, Math.min(o + 8 + length, r.length)) ?? 1;
    o += 12 + length;
  }
  return 1;
}

function gif(r: Reader): ImageHeader | null {
  if (r.length < 10 || ascii(r, 0, 4) !== 'GIF8') return null;
  return { format: 'gif', width: le16(r, 6), height: le16(r, 8), orientation: 1 };
}

function bmp(r: Reader): ImageHeader | null {
  if (r.length < 26 || ascii(r, 0, 2) !== 'BM') return null;
  const height = le32(r, 22) | 0; // negative height = top-down rows
  return { format: 'bmp', width: le32(r, 18), height: Math.abs(height), orientation: 1 };
}

function webp(r: Reader): ImageHeader | null {
  if (r.length < 30 || ascii(r, 0, 4) !== 'RIFF' || ascii(r, 8, 4) !== 'WEBP') return null;
  const chunk = ascii(r, 12, 4);
  const size = (width: number, height: number): ImageHeader => ({
    format: 'webp',
    width,
    height,
    orientation: 1,
  });
  if (chunk === 'VP8 ') return size(le16(r, 26) & 0x3fff, le16(r, 28) & 0x3fff);
  if (chunk === 'VP8L') {
    const bits = le32(r, 21);
    return size((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') return size(le24(r, 24) + 1, le24(r, 27) + 1);
  return null;
}

/** Markers without a length: TEM, RST0..7 and a repeated SOI. */
const standalone = (m: number) => m === 0x01 || m === 0xd8 || (m >= 0xd0 && m <= 0xd7);
/** SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
/** A hostile file could chain millions of tiny segments; real ones have a few dozen. */
const MAX_SEGMENTS = 100_000;

function jpeg(r: Reader): ImageHeader | null {
  if (r.length < 4 || r.byte(0) !== 0xff || r.byte(1) !== 0xd8) return null;
  let frame: { width: number; height: number } | null = null;
  let orientation = 1;
  let o = 2;
  for (let n = 0; n < MAX_SEGMENTS && o + 4 <= r.length; n++) {
    if (r.byte(o) !== 0xff) break;
    const marker = r.byte(o + 1);
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    if (standalone(marker)) {
      o += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // start of scan, end of image
    const length = be16(r, o + 2);
    if (length < 2) break;
    if (isSof(marker) && o + 9 <= r.length) {
      const height = be16(r, o + 5);
      const width = be16(r, o + 7);
      // Several frame headers (a hostile file): the largest one counts.
      if (!frame || width * height > frame.width * frame.height) frame = { width, height };
    }
    if (marker === 0xe1 && length >= 16 && o + 10 <= r.length && ascii(r, o + 4, 6) === 'Exif\0\0') {
      orientation = exifOrientation(r, o + 10, Math.min(o + 2 + length, r.length)) ?? orientation;
    }
    o += 2 + length;
  }
  return frame && { format: 'jpeg', ...frame, orientation };
}

/** The Orientation tag (0x0112) of IFD0 of the TIFF structure at [t, end), or undefined. */
function exifOrientation(r: Reader, t: number, end: number): number | undefined {
  if (t + 8 > end) return undefined;
  const order = ascii(r, t, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const u16 = (o: number) => (order === 'II' ? le16(r, o) : be16(r, o));
  const u32 = (o: number) => (order === 'II' ? le32(r, o) : be32(r, o));
  if (u16(t + 2) !== 42) return undefined;
  const ifd = t + u32(t + 4);
  if (ifd + 2 > end) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > end) return undefined;
    if (u16(e) !== 0x0112) continue;
    const value = u16(e + 8); // type SHORT, count 1: the value sits in the first two bytes of the field
    return u16(e + 2) === 3 && value >= 1 && value <= 8 ? value : undefined;
  }
  return undefined;
}

function parse(r: Reader): ImageHeader | null {
  return png(r) ?? gif(r) ?? bmp(r) ?? webp(r) ?? jpeg(r);
}

/** The header of an image held whole (or its first bytes: a truncated header gives null). */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  return parse({ length: bytes.length, byte: (o) => bytes[o] });
}

/** Size only, as the app's first pre-check used it. */
export function sniffImageSize(bytes: Uint8Array): SniffedImage | null {
  const h = readImageHeader(bytes);
  return h && { format: h.format, width: h.width, height: h.height };
}

const CHUNK = 64 * 1024;
/** At most this many chunks are read (16 MB): real headers need one or two. */
const MAX_CHUNKS = 256;

/**
 * The header of a file of `size` bytes read through `read` (e.g. Blob.slice), 64 KB at a time and only where
 * the walk needs bytes: a JPEG whose frame header follows a 1 MB APP1 segment reads two chunks, not the file.
 */
export async function readImageHeaderFrom(
  size: number,
  read: (offset: number, length: number) => Promise<Uint8Array>,
): Promise<ImageHeader | null> {
  const chunks = new Map<number, Uint8Array>();
  const load = async (k: number) => {
    chunks.set(k, await read(k * CHUNK, Math.min(CHUNK, size - k * CHUNK)));
  };
  const reader: Reader = {
    length: size,
    byte(o) {
      const chunk = chunks.get(Math.floor(o / CHUNK));
      if (!chunk) throw new NeedBytes(o);
      return chunk[o % CHUNK];
    },
  };
  if (size > 0) await load(0);
  for (let tries = 0; tries < MAX_CHUNKS; tries++) {
    try {
      return parse(reader);
    } catch (e) {
      if (!(e instanceof NeedBytes)) throw e;
      await load(Math.floor(e.offset / CHUNK));
    }
  }
  return null;
}
