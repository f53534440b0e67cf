/**
 * Small host-side array preparation for uploads: casting constants to float32, broadcasting a constant to
 * a shape, and laying out matrix operands. Done once per model; kernels never see these layouts change.
 */
import type { Tensor } from '../../core/tensor';

export function f32(data: ArrayLike<number>): Float32Array {
  return Float32Array.from(data as ArrayLike<number>);
}

export function numelOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** `t` broadcast (numpy rules) to `dims`, in float64 so sums of several constants round once. */
export function expand(t: Tensor, dims: readonly number[]): Float64Array {
  const n = numelOf(dims);
  const out = new Float64Array(n);
  const rank = dims.length;
  const offset = rank - t.dims.length;
  const own: number[] = [];
  let acc = 1;
  for (let d = t.dims.length - 1; d >= 0; d--) {
    own[d] = acc;
    acc *= t.dims[d];
  }
  for (let j = 0; j < n; j++) {
    let rem = j;
    let src = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rem % dims[d];
      rem = Math.floor(rem / dims[d]);
      const k = d - offset;
      if (k >= 0 && t.dims[k] !== 1) src += c * own[k];
    }
    out[j] = t.data[src];
  }
  return out;
}

/**
 * Rows [r0, r0 + rows) of a matrix given by an element reader, as float32 [rows, K] (the layout the Gemm
 * kernels read: one row per output column of the product).
 */
export function matrixRows(
  read: (row: number, k: number) => number,
  r0: number,
  rows: number,
  K: number,
): Float32Array {
  const out = new Float32Array(rows * K);
  for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) out[r * K + k] = read(r0 + r, k);
  return out;
}
