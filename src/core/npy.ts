/**
 * NumPy .npy files (format versions 1-3, little-endian float32/float64, C order): test vectors in, maps out.
 */
import { numel, type FloatArray, type Tensor } from './tensor';
import { quoted } from './text';

/** numpy writes headers of a few hundred bytes; anything longer is not a header. */
const MAX_HEADER_BYTES = 65536;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

export function parseNpy(bytes: Uint8Array): Tensor<Float32Array | Float64Array> {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not a .npy file');
  const major = bytes[6];
  if (major < 1 || major > 3) throw new Error(`.npy: format version ${major} is not supported (1 to 3)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [headerLen, headerStart] =
    major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12];
  if (headerLen > MAX_HEADER_BYTES || headerStart + headerLen > bytes.length) {
    throw new Error(`.npy: header length ${headerLen} does not fit the ${bytes.length}-byte file`);
  }
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) {
    // The excerpt is escaped and short: a header may hold terminal escapes or binary bytes.
    throw new Error(`.npy: cannot read the header ${quoted(header, 80)}`);
  }
  if (fortran === 'True') throw new Error('.npy: Fortran-order arrays are not supported');
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new Error(`.npy: shape (${quoted(shapeText, 80)}) is not a list of sizes`);
  }
  const size = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (!size) {
    throw new Error(`.npy: dtype ${quoted(descr, 40)} is not supported (only little-endian float32/float64)`);
  }
  const n = numel(dims);
  const start = headerStart + headerLen;
  if (bytes.length - start < n * size)
    throw new Error(`.npy: ${bytes.length - start} data bytes for ${n} values`);
  // Copy: the data offset need not be aligned to the element size. (Not bytes.slice: on a Node Buffer that
  // is a view into a shared pool, not a copy.)
  const buf = new Uint8Array(bytes.subarray(start, start + n * size)).buffer;
  return { dims, data: size === 4 ? new Float32Array(buf) : new Float64Array(buf) };
}

export function encodeNpy(t: Tensor<FloatArray>, dtype: 'float32' | 'float64'): Uint8Array {
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${dtype === 'float32' ? '<f4' : '<f8'}', 'fortran_order': False, 'shape': ${shape}, }`;
  // numpy pads the header with spaces and a newline so the data starts at a multiple of 64 bytes.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const data = dtype === 'float32' ? Float32Array.from(t.data) : Float64Array.from(t.data);
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer), 10 + header.length);
  return out;
}
