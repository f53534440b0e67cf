/**
 * The one module that touches onnx-proto (protobufjs classes generated from onnx.proto).
 *
 * onnx-proto is CommonJS; a default import is what works in Node's ESM loader, Vite and tsx alike (a named
 * import fails in plain Node), so the namespace is re-exported from here.
 */
import onnxProto from 'onnx-proto';
import type { ElemType } from './ir';

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';

/** protobufjs yields int64 fields as Long objects when the 'long' package is loadable, else as numbers. */
export interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
}

export function toNumber(v: number | LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const high = v.unsigned ? v.high >>> 0 : v.high;
  return high * 4294967296 + (v.low >>> 0);
}

/** TensorProto.DataType codes. */
const TYPE_NAMES: Record<number, ElemType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

export function elemTypeName(code: number): ElemType {
  return TYPE_NAMES[code] ?? `type${code}`;
}

export function elemTypeCode(t: ElemType): number {
  for (const [code, name] of Object.entries(TYPE_NAMES)) if (name === t) return Number(code);
  throw new Error(`unknown ONNX element type '${t}'`);
}

export function isFloatType(t: ElemType): boolean {
  return t === 'float32' || t === 'float64' || t === 'float16' || t === 'bfloat16';
}
