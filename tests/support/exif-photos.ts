/**
 * Seeded EXIF test photos: one upright scene of flat 8 x 8 grey blocks, stored as a baseline JPEG (and as a
 * PNG with an eXIf chunk, which browsers honour too) under each EXIF orientation 1..8 (the stored pixels turned so that honouring the tag shows the scene upright). Flat
 * blocks of one grey level have only a DC coefficient, which every conforming decoder reconstructs exactly
 * (quantiser 1, value 8 (v - 128), inverse 8 x 8 DCT = v - 128), so jpeg-js in the CLI and the browser's
 * decoder must give the very same pixels: any difference is the orientation. Pure: runs in Node and the page
 * (scripts/make-exif-photos.ts writes the files for a look).
 */
import { mulberry32 } from '../../src/core/random';

export const EXIF_SCENE = { width: 48, height: 32, seed: 20260 } as const;

/** Grey levels of the upright scene, row-major, EXIF_SCENE.width x EXIF_SCENE.height. */
export function exifScene(seed: number = EXIF_SCENE.seed): Uint8Array {
  const { width: W, height: H } = EXIF_SCENE;
  const rng = mulberry32(seed);
  const blocks = Array.from({ length: (W / 8) * (H / 8) }, () => Math.floor(rng() * 256));
  const grey = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) grey[y * W + x] = blocks[(y >> 3) * (W / 8) + (x >> 3)];
  return grey;
}

/**
 * The stored pixel (u, v) that orientation `o` shows at (x, y) of a W x H display (the EXIF definitions:
 * 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-
 * clockwise), written out independently of core/orientation so the two are checked against each other and
 * against the browser.
 */
function storedOf(o: number, x: number, y: number, W: number, H: number): [number, number] {
  // Display W x H; stored is H x W for 5..8.
  if (o === 1) return [x, y];
  if (o === 2) return [W - 1 - x, y];
  if (o === 3) return [W - 1 - x, H - 1 - y];
  if (o === 4) return [x, H - 1 - y];
  if (o === 5) return [y, x];
  if (o === 6) return [y, W - 1 - x]; // stored column = display row; the display's left column is the stored bottom row
  if (o === 7) return [H - 1 - y, W - 1 - x];
  return [H - 1 - y, x]; // 8
}

/** The scene as it must be stored for orientation `o`: { width, height, grey }. */
export function storedScene(
  o: number,
  scene = exifScene(),
): { width: number; height: number; grey: Uint8Array } {
  const { width: W, height: H } = EXIF_SCENE;
  const swap = o >= 5;
  const sw = swap ? H : W;
  const sh = swap ? W : H;
  const grey = new Uint8Array(sw * sh);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [u, v] = storedOf(o, x, y, W, H);
      grey[v * sw + u] = scene[y * W + x];
    }
  }
  return { width: sw, height: sh, grey };
}

// JPEG (ITU T.81) standard luminance Huffman tables, Annex K.3.
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
// prettier-ignore
const AC_VALUES = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71,
  0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72,
  0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37,
  0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
  0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83,
  0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3,
  0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
  0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
  0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
];

/** Canonical Huffman codes (T.81 Annex C): symbol -> [code, length]. */
function huffmanCodes(bits: number[], values: number[]): Map<number, [number, number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < bits[length - 1]; i++) codes.set(values[k++], [code++, length]);
    code <<= 1;
  }
  return codes;
}

const be16 = (v: number) => [(v >> 8) & 255, v & 255];
const segment = (marker: number, body: number[]) => [0xff, marker, ...be16(body.length + 2), ...body];

/** A big-endian TIFF with one IFD entry: Orientation (0x0112), SHORT, count 1. */
function exifTiff(orientation: number): number[] {
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, ...be16(1), ...be16(0x0112), ...be16(3), 0, 0, 0, 1];
  tiff.push(...be16(orientation), 0, 0, 0, 0, 0, 0); // value (padded to 4 bytes), next IFD offset 0
  return tiff;
}

function exifApp1(orientation: number): number[] {
  return segment(0xe1, [...'Exif\0\0'].map((c) => c.charCodeAt(0)).concat(exifTiff(orientation)));
}

/** A baseline greyscale JPEG of flat 8 x 8 blocks (dimensions multiples of 8), with an EXIF orientation. */
export function encodeFlatJpeg(
  width: number,
  height: number,
  grey: Uint8Array,
  orientation?: number,
): Uint8Array {
  const dc = huffmanCodes(DC_BITS, DC_VALUES);
  const eob = huffmanCodes(AC_BITS, AC_VALUES).get(0x00)!;
  const bytes: number[] = [];
  let acc = 0;
  let nbits = 0;
  const put = (code: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) {
      acc = (acc << 1) | ((code >> i) & 1);
      if (++nbits === 8) {
        bytes.push(acc);
        if (acc === 0xff) bytes.push(0); // byte stuffing
        acc = 0;
        nbits = 0;
      }
    }
  };
  let previous = 0;
  for (let by = 0; by < height / 8; by++) {
    for (let bx = 0; bx < width / 8; bx++) {
      const value = 8 * (grey[by * 8 * width + bx * 8] - 128);
      const diff = value - previous;
      previous = value;
      const size = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
      put(...dc.get(size)!);
      if (size > 0) put(diff > 0 ? diff : diff + (1 << size) - 1, size);
      put(...eob);
    }
  }
  if (nbits > 0) put((1 << (8 - nbits)) - 1, 8 - nbits); // pad with 1 bits
  return Uint8Array.from([
    0xff,
    0xd8,
    ...(orientation === undefined ? [] : exifApp1(orientation)),
    ...segment(0xdb, [0, ...new Array(64).fill(1)]),
    ...segment(0xc0, [8, ...be16(height), ...be16(width), 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...DC_BITS, ...DC_VALUES]),
    ...segment(0xc4, [0x10, ...AC_BITS, ...AC_VALUES]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...bytes,
    0xff,
    0xd9,
  ]);
}

/** The photo carrying EXIF orientation `o` (1..8) of the seeded scene. */
export function exifPhoto(o: number, seed: number = EXIF_SCENE.seed): Uint8Array {
  const stored = storedScene(o, exifScene(seed));
  return encodeFlatJpeg(stored.width, stored.height, stored.grey, o);
}

const be32 = (v: number) => [...be16(v >>> 16), ...be16(v & 0xffff)];

function crc32(bytes: number[]): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: number[]): number[] {
  const body = [...type].map((c) => c.charCodeAt(0)).concat(data);
  return [...be32(data.length), ...body, ...be32(crc32(body))];
}

/** zlib with stored (uncompressed) deflate blocks: exact, tiny code, and every PNG decoder reads it. */
function zlibStored(raw: Uint8Array): number[] {
  const out = [0x78, 0x01];
  for (let i = 0; i < raw.length || i === 0; i += 65535) {
    const n = Math.min(65535, raw.length - i);
    out.push(
      i + n >= raw.length ? 1 : 0,
      n & 255,
      n >> 8,
      ~n & 255,
      (~n >> 8) & 255,
      ...raw.subarray(i, i + n),
    );
  }
  let a = 1;
  let b = 0;
  for (const x of raw) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return [...out, ...be32(((b << 16) | a) >>> 0)];
}

/** A greyscale 8-bit PNG with an eXIf chunk carrying `orientation` before its image data. */
export function encodeGreyPng(
  width: number,
  height: number,
  grey: Uint8Array,
  orientation?: number,
): Uint8Array {
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(grey.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Uint8Array.from([
    0x89,
    0x50,
    0x4e,
    0x47,
    13,
    10,
    26,
    10,
    ...pngChunk('IHDR', [...be32(width), ...be32(height), 8, 0, 0, 0, 0]),
    ...(orientation === undefined ? [] : pngChunk('eXIf', exifTiff(orientation))),
    ...pngChunk('IDAT', zlibStored(raw)),
    ...pngChunk('IEND', []),
  ]);
}

/** The PNG carrying EXIF orientation `o` (1..8) of the seeded scene. */
export function exifPng(o: number, seed: number = EXIF_SCENE.seed): Uint8Array {
  const stored = storedScene(o, exifScene(seed));
  return encodeGreyPng(stored.width, stored.height, stored.grey, o);
}
