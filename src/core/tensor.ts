/**
 * The one tensor type of src/core: a dense row-major array with its dimensions.
 *
 * Core code computes in float64 (the oracle); float32 arrays appear only at the boundaries (ONNX
 * initializers as parsed, onnxruntime outputs), so the data type is a union and every function that
 * produces a tensor says which it returns.
 */
export type FloatArray = Float32Array | Float64Array;

export interface Tensor<A extends FloatArray = Float64Array> {
  readonly dims: readonly number[];
  readonly data: A;
}

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function tensor(dims: readonly number[], data?: ArrayLike<number>): Tensor {
  const n = numel(dims);
  const out = new Float64Array(n);
  if (data) {
    if (data.length !== n) throw new Error(`tensor: ${data.length} values for shape [${dims.join(',')}]`);
    out.set(data);
  }
  return { dims: [...dims], data: out };
}

export function toFloat64(t: Tensor<FloatArray>): Tensor {
  return t.data instanceof Float64Array ? (t as Tensor) : { dims: t.dims, data: Float64Array.from(t.data) };
}

export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
