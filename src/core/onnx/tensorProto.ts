/**
 * TensorProto <-> float64 Tensor. Every numeric ONNX storage form is read: the typed repeated fields
 * (float_data, int32_data, int64_data, double_data, uint64_data) and little-endian raw_data.
 */
import { numel, type Tensor } from '../tensor';
import type { ElemType } from './ir';
import { elemTypeCode, elemTypeName, toNumber, type LongLike, type OnnxTypes } from './proto';

/** Bytes per element in raw_data. */
const RAW_SIZE: Record<string, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  uint64: 8,
  int32: 4,
  uint32: 4,
  int16: 2,
  uint16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** IEEE half precision bits -> number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function readRaw(raw: Uint8Array, type: ElemType, n: number, what: string): Float64Array {
  const size = RAW_SIZE[type];
  if (raw.byteLength !== n * size) {
    throw new Error(`${what}: raw_data has ${raw.byteLength} bytes, expected ${n * size} for ${n} ${type}`);
  }
  // raw_data is often a view at an odd offset into the file buffer, so read through a DataView.
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(n);
  switch (type) {
    case 'float32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'float16':
      for (let i = 0; i < n; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
      break;
    case 'bfloat16':
      for (let i = 0; i < n; i++) out[i] = bfloatToNumber(view.getUint16(2 * i, true));
      break;
    case 'int64':
      for (let i = 0; i < n; i++)
        out[i] = view.getInt32(8 * i + 4, true) * 4294967296 + view.getUint32(8 * i, true);
      break;
    case 'uint64':
      for (let i = 0; i < n; i++)
        out[i] = view.getUint32(8 * i + 4, true) * 4294967296 + view.getUint32(8 * i, true);
      break;
    case 'int32':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      break;
    case 'uint32':
      for (let i = 0; i < n; i++) out[i] = view.getUint32(4 * i, true);
      break;
    case 'int16':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true);
      break;
    case 'uint16':
      for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, true);
      break;
    case 'int8':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      break;
    default: // uint8, bool
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
  }
  return out;
}

function bfloatToNumber(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

/** The typed field that holds `type` when raw_data is not used (onnx.proto comments on TensorProto). */
function typedField(t: OnnxTypes.ITensorProto, type: ElemType): ArrayLike<number | LongLike> | undefined {
  switch (type) {
    case 'float32':
      return t.floatData ?? undefined;
    case 'float64':
      return t.doubleData ?? undefined;
    case 'int64':
      return t.int64Data ?? undefined;
    case 'uint64':
    case 'uint32':
      return t.uint64Data ?? undefined;
    case 'float16':
    case 'bfloat16':
    case 'int32':
    case 'int16':
    case 'int8':
    case 'uint16':
    case 'uint8':
    case 'bool':
      return t.int32Data ?? undefined;
    default:
      return undefined;
  }
}

export interface DecodedTensor {
  tensor: Tensor;
  elemType: ElemType;
}

/** Decode a TensorProto; `what` names it in errors (e.g. "initializer 'conv1_w'"). */
export function decodeTensorProto(t: OnnxTypes.ITensorProto, what: string): DecodedTensor {
  const elemType = elemTypeName(t.dataType ?? 0);
  const dims = (t.dims ?? []).map((d) => toNumber(d));
  // Checked before anything is allocated: a negative or huge dim would otherwise reach a typed-array
  // constructor ("Invalid typed array length").
  const badDim = dims.find((d) => !Number.isInteger(d) || d < 0 || d > 2 ** 31 - 1);
  if (badDim !== undefined) throw new Error(`${what} has dimension ${badDim} in [${dims.join(',')}]`);
  const n = numel(dims);
  if (n > 2 ** 31 - 1) throw new Error(`${what} has ${n} elements ([${dims.join(',')}]), more than 2^31 - 1`);
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) {
    const location = t.externalData?.find((e) => e.key === 'location')?.value ?? '?';
    throw new Error(
      `${what} keeps its data in an external file ('${location}'); save the model with the weights embedded ` +
        `(onnx.save_model(..., save_as_external_data=False))`,
    );
  }
  if (!(elemType in RAW_SIZE))
    throw new Error(`${what} has element type ${elemType}, which is not supported`);
  if (t.rawData && t.rawData.byteLength > 0) {
    return { tensor: { dims, data: readRaw(t.rawData, elemType, n, what) }, elemType };
  }
  const field = typedField(t, elemType) ?? [];
  if (field.length !== n) throw new Error(`${what}: ${field.length} values for shape [${dims.join(',')}]`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = toNumber(field[i]);
  if (elemType === 'float16') for (let i = 0; i < n; i++) data[i] = halfToNumber(data[i]);
  if (elemType === 'bfloat16') for (let i = 0; i < n; i++) data[i] = bfloatToNumber(data[i]);
  return { tensor: { dims, data }, elemType };
}

/**
 * Encode a tensor: float32/float64 as little-endian raw_data (the form exporters write), integer types in
 * the typed fields, so both read paths are exercised by models built in tests.
 */
export function encodeTensorProto(
  name: string,
  dims: readonly number[],
  data: ArrayLike<number>,
  elemType: ElemType,
): OnnxTypes.ITensorProto {
  const n = numel(dims);
  if (data.length !== n)
    throw new Error(`tensor '${name}': ${data.length} values for shape [${dims.join(',')}]`);
  const base = { name, dims: [...dims], dataType: elemTypeCode(elemType) };
  if (elemType === 'float32' || elemType === 'float64') {
    const size = elemType === 'float32' ? 4 : 8;
    const raw = new Uint8Array(n * size);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) {
      if (size === 4) view.setFloat32(4 * i, data[i], true);
      else view.setFloat64(8 * i, data[i], true);
    }
    return { ...base, rawData: raw };
  }
  const values = Array.from(data);
  if (elemType === 'int64') return { ...base, int64Data: values };
  if (elemType === 'int32' || elemType === 'int8' || elemType === 'uint8' || elemType === 'bool') {
    return { ...base, int32Data: values };
  }
  throw new Error(`tensor '${name}': cannot encode element type ${elemType}`);
}
