/**
 * Output-shape arithmetic of the ONNX ops, shared by shape inference and the forward evaluator so the two
 * cannot disagree.
 */
import { numel } from '../tensor';

export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy (multidirectional) broadcasting. */
export function broadcastDims(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] !== 1) {
        throw new Error(`shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} cannot be broadcast`);
      }
      out[o] = d;
    }
  }
  return out;
}

export function gemmDims(
  a: readonly number[],
  b: readonly number[],
  transA: boolean,
  transB: boolean,
): number[] {
  if (a.length !== 2 || b.length !== 2) throw new Error(`Gemm needs 2-D operands, got [${a}] and [${b}]`);
  const [m, ka] = transA ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = transB ? [b[1], b[0]] : [b[0], b[1]];
  if (ka !== kb) throw new Error(`Gemm: inner dimensions ${ka} and ${kb} differ`);
  return [m, n];
}

/** Numpy matmul: 1-D operands are promoted and the promoted axis is removed again. */
export function matmulDims(a: readonly number[], b: readonly number[]): number[] {
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const k = a2[a2.length - 1];
  if (k !== b2[b2.length - 2]) throw new Error(`MatMul: inner dimensions of [${a}] and [${b}] differ`);
  const batch = broadcastDims(a2.slice(0, -2), b2.slice(0, -2));
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return out;
}

/** Reshape target: 0 copies the input dimension (unless allowzero), one -1 is inferred. */
export function reshapeDims(
  input: readonly number[],
  shape: readonly number[],
  allowzero: boolean,
): number[] {
  const out = shape.map((d, i) => (d === 0 && !allowzero ? input[i] : d));
  const free = out.indexOf(-1);
  const known = numel(out.filter((d) => d !== -1));
  const total = numel(input);
  if (free >= 0) {
    if (out.lastIndexOf(-1) !== free) throw new Error(`Reshape: more than one -1 in [${shape}]`);
    out[free] = known === 0 ? 0 : total / known;
  }
  if (numel(out) !== total || !Number.isInteger(out[free] ?? 0)) {
    throw new Error(`Reshape: cannot reshape [${input}] to [${shape}]`);
  }
  return out;
}

export function flattenDims(dims: readonly number[], axis: number): number[] {
  const a = axis < 0 ? axis + dims.length : axis;
  return [numel(dims.slice(0, a)), numel(dims.slice(a))];
}

/** Squeeze: listed axes (must be 1), or every 1 when no axes are given. */
export function squeezeDims(dims: readonly number[], axes: readonly number[] | undefined): number[] {
  if (!axes) return dims.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normAxis(a, dims.length)));
  for (const a of drop) if (dims[a] !== 1) throw new Error(`Squeeze: axis ${a} of [${dims}] is not 1`);
  return dims.filter((_, i) => !drop.has(i));
}

export function unsqueezeDims(dims: readonly number[], axes: readonly number[]): number[] {
  const rank = dims.length + axes.length;
  const add = new Set(axes.map((a) => normAxis(a, rank)));
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(add.has(i) ? 1 : dims[j++]);
  return out;
}

export function transposePerm(rank: number, perm: readonly number[] | undefined): number[] {
  return perm ? [...perm] : Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

export function concatDims(shapes: readonly (readonly number[])[], axis: number): number[] {
  const a = normAxis(axis, shapes[0].length);
  const out = [...shapes[0]];
  out[a] = 0;
  for (const s of shapes) {
    if (s.length !== out.length || s.some((d, i) => i !== a && d !== out[i])) {
      throw new Error(`Concat: shapes ${shapes.map((x) => `[${x}]`).join(', ')} differ off axis ${axis}`);
    }
    out[a] += s[a];
  }
  return out;
}

/** Split sizes: given, or equal parts (the last one smaller when opset 18's num_outputs does not divide). */
export function splitSizes(dim: number, split: readonly number[] | undefined, outputs: number): number[] {
  if (split) {
    if (split.reduce((s, v) => s + v, 0) !== dim)
      throw new Error(`Split: sizes [${split}] do not sum to ${dim}`);
    return [...split];
  }
  const part = Math.ceil(dim / outputs);
  return Array.from({ length: outputs }, (_, i) => Math.max(0, Math.min(part, dim - i * part)));
}

export interface SliceRange {
  /** Per axis of the input: first index and step; out: output dims. */
  start: number[];
  step: number[];
  out: number[];
}

/** Slice semantics (opset 10+; opset 1 is steps = 1): clamping, negative indices and negative steps. */
export function sliceRange(
  dims: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[] | undefined,
  steps: readonly number[] | undefined,
): SliceRange {
  const start = dims.map(() => 0);
  const step = dims.map(() => 1);
  const out = [...dims];
  starts.forEach((s0, i) => {
    const a = normAxis(axes ? axes[i] : i, dims.length);
    const d = dims[a];
    const st = steps ? steps[i] : 1;
    if (st === 0) throw new Error('Slice: step 0');
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const s = st > 0 ? clamp(s0, 0, d) : clamp(s0, 0, d - 1);
    const e = st > 0 ? clamp(ends[i], 0, d) : clamp(ends[i], -1, d - 1);
    start[a] = s;
    step[a] = st;
    out[a] = Math.max(0, Math.ceil((e - s) / st));
  });
  return { start, step, out };
}

/** Output dims of Pad with [begins..., ends...] pads (negative pads crop). */
export function padDims(dims: readonly number[], pads: readonly number[]): number[] {
  return dims.map((d, i) => d + pads[i] + pads[i + dims.length]);
}

/** Reduced axes: all when `axes` is empty/absent unless noop_with_empty_axes. */
export function reduceAxes(
  rank: number,
  axes: readonly number[] | undefined,
  noopWithEmpty: boolean,
): number[] {
  if (axes && axes.length > 0) return axes.map((a) => normAxis(a, rank));
  return noopWithEmpty ? [] : Array.from({ length: rank }, (_, i) => i);
}

export function reduceDims(dims: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const set = new Set(axes);
  return keepdims ? dims.map((d, i) => (set.has(i) ? 1 : d)) : dims.filter((_, i) => !set.has(i));
}

export function gatherDims(data: readonly number[], indices: readonly number[], axis: number): number[] {
  const a = normAxis(axis, data.length);
  return [...data.slice(0, a), ...indices, ...data.slice(a + 1)];
}

/** Shape (opset 15 adds start/end, clamped like Slice). */
export function shapeSlice(dims: readonly number[], start = 0, end?: number): number[] {
  const r = dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  return dims.slice(clamp(start), end === undefined ? r : clamp(end));
}
