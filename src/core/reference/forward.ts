/**
 * Float64 forward evaluator of ONNX graphs: the oracle every other forward pass is compared against, and
 * the engine of constant folding.
 *
 * One small function per op in a dispatch table on op_type. Loops run over flat Float64Arrays with explicit
 * index arithmetic (no per-element closures): SqueezeNet-sized models must evaluate in well under a second
 * apart from the convolutions.
 */
import { batchNormAffine, batchNormEpsilon, batchNormParams } from '../onnx/batch-norm';
import { intsArg, padsForRank, scalarArg } from '../onnx/canonical';
import { convGeometry, poolGeometry, spatialOutputDims } from '../onnx/geometry';
import type { IrGraph, IrNode } from '../onnx/ir';
import {
  broadcastDims,
  concatDims,
  flattenDims,
  gatherDims,
  gemmDims,
  matmulDims,
  normAxis,
  padDims,
  reduceAxes,
  reduceDims,
  reshapeDims,
  shapeSlice,
  sliceRange,
  splitSizes,
  squeezeDims,
  transposePerm,
  unsqueezeDims,
} from '../onnx/shapeRules';
import { numel, stridesOf, toFloat64, type FloatArray, type Tensor } from '../tensor';
import { expandTo } from '../onnx/broadcast';
import { conv2d, matmulAccumulate } from './linear';

type Inputs = readonly (Tensor | undefined)[];
type OpFn = (node: IrNode, x: Inputs, opset: number) => Tensor[];

function input(node: IrNode, x: Inputs, i: number): Tensor {
  const t = x[i];
  if (!t) throw new Error(`${node.opType} '${node.name}': input ${i} is missing`);
  return t;
}

function num(node: IrNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : fallback;
}

function ints(node: IrNode, name: string): number[] | undefined {
  const v = node.attrs[name];
  return Array.isArray(v) ? (v as number[]) : undefined;
}

function withDims(t: Tensor, dims: readonly number[]): Tensor {
  return { dims: [...dims], data: t.data.slice() };
}

/** Gather `src` through an output-ordered odometer: out[i] = src[offset(i)], offset = sum start + idx*stride. */
function strided(
  src: Float64Array,
  outDims: readonly number[],
  base: number,
  st: readonly number[],
): Float64Array {
  const n = numel(outDims);
  const rank = outDims.length;
  const out = new Float64Array(n);
  const counter = new Array<number>(rank).fill(0);
  let off = base;
  for (let i = 0; i < n; i++) {
    out[i] = src[off];
    for (let d = rank - 1; d >= 0; d--) {
      off += st[d];
      if (++counter[d] < outDims[d]) break;
      off -= st[d] * outDims[d];
      counter[d] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Linear ops

const conv: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const W = input(node, x, 1);
  const y = conv2d(X, W, convGeometry(node, X.dims, W.dims));
  const B = x[2];
  if (B) {
    // Output [N, M, spatial...]: add bias[m] over each plane.
    const M = W.dims[0];
    const plane = numel(y.dims.slice(2));
    const out = y.data;
    for (let i = 0, nm = 0; i < out.length; nm++) {
      const b = B.data[nm % M];
      for (const end = i + plane; i < end; i++) out[i] += b;
    }
  }
  return [y];
};

const gemm: OpFn = (node, x) => {
  const A = input(node, x, 0);
  const B = input(node, x, 1);
  const transA = num(node, 'transA', 0) === 1;
  const transB = num(node, 'transB', 0) === 1;
  const alpha = num(node, 'alpha', 1);
  const beta = num(node, 'beta', 1);
  const [M, N] = gemmDims(A.dims, B.dims, transA, transB);
  const K = transA ? A.dims[0] : A.dims[1];
  const out = new Float64Array(M * N);
  matmulAccumulate(A.data, B.data, { M, K, N, transA, transB }, out);
  const C = x[2];
  const c = C ? expandTo(C.data, C.dims, [M, N]) : undefined;
  for (let i = 0; i < out.length; i++) out[i] = alpha * out[i] + (c ? beta * c[i] : 0);
  return [{ dims: [M, N], data: out }];
};

/** For each batch of the broadcast batch shape `to`, the index of the batch of `dims` it reads. */
function batchIndex(dims: readonly number[], to: readonly number[]): Float64Array {
  const iota = new Float64Array(numel(dims));
  for (let i = 0; i < iota.length; i++) iota[i] = i;
  return expandTo(iota, dims, to);
}

/** Numpy matmul: a broadcast batch of [M, K] x [K, N] products (1-D operands promoted). */
const matmul: OpFn = (node, x) => {
  const A = input(node, x, 0);
  const B = input(node, x, 1);
  const outDims = matmulDims(A.dims, B.dims);
  const a2 = A.dims.length === 1 ? [1, A.dims[0]] : A.dims;
  const b2 = B.dims.length === 1 ? [B.dims[0], 1] : B.dims;
  const M = a2[a2.length - 2];
  const K = a2[a2.length - 1];
  const N = b2[b2.length - 1];
  const batch = broadcastDims(a2.slice(0, -2), b2.slice(0, -2));
  const aBatch = batchIndex(a2.slice(0, -2), batch);
  const bBatch = batchIndex(b2.slice(0, -2), batch);
  const shape = { M, K, N, transA: false, transB: false };
  const out = new Float64Array(numel(batch) * M * N);
  for (let t = 0; t < aBatch.length; t++) {
    const a = A.data.subarray(aBatch[t] * M * K, (aBatch[t] + 1) * M * K);
    const b = B.data.subarray(bBatch[t] * K * N, (bBatch[t] + 1) * K * N);
    matmulAccumulate(a, b, shape, out.subarray(t * M * N, (t + 1) * M * N));
  }
  return [{ dims: outDims, data: out }];
};

const batchNorm: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const params = batchNormParams([1, 2, 3, 4].map((i) => input(node, x, i).data));
  const { slope, shift } = batchNormAffine(params, batchNormEpsilon(node));
  const C = X.dims[1];
  const plane = numel(X.dims.slice(2));
  const out = new Float64Array(X.data.length);
  for (let base = 0; base < out.length; base += C * plane) {
    for (let c = 0; c < C; c++) {
      const o = base + c * plane;
      for (let p = 0; p < plane; p++) out[o + p] = X.data[o + p] * slope[c] + shift[c];
    }
  }
  return [{ dims: [...X.dims], data: out }];
};

// ---------------------------------------------------------------------------------------------------------
// Element-wise unary ops: one explicit loop each.

function unary(loop: (a: Float64Array, o: Float64Array, node: IrNode, x: Inputs) => void): OpFn {
  return (node, x) => {
    const X = input(node, x, 0);
    const out = new Float64Array(X.data.length);
    loop(X.data, out, node, x);
    return [{ dims: [...X.dims], data: out }];
  };
}

const UNARY: Record<string, OpFn> = {
  Relu: unary((a, o) => {
    for (let i = 0; i < a.length; i++) o[i] = a[i] > 0 ? a[i] : 0;
  }),
  LeakyRelu: unary((a, o, node) => {
    const alpha = num(node, 'alpha', 0.01);
    for (let i = 0; i < a.length; i++) o[i] = a[i] >= 0 ? a[i] : alpha * a[i];
  }),
  Clip: unary((a, o, node, x) => {
    const lo = scalarArg(node, x, 'min') ?? -Infinity;
    const hi = scalarArg(node, x, 'max') ?? Infinity;
    for (let i = 0; i < a.length; i++) o[i] = Math.min(Math.max(a[i], lo), hi);
  }),
  Sigmoid: unary((a, o) => {
    for (let i = 0; i < a.length; i++) o[i] = 1 / (1 + Math.exp(-a[i]));
  }),
  HardSigmoid: unary((a, o, node) => {
    const alpha = num(node, 'alpha', 0.2);
    const beta = num(node, 'beta', 0.5);
    for (let i = 0; i < a.length; i++) o[i] = Math.min(1, Math.max(0, alpha * a[i] + beta));
  }),
  HardSwish: unary((a, o) => {
    for (let i = 0; i < a.length; i++) o[i] = a[i] * Math.min(1, Math.max(0, a[i] / 6 + 0.5));
  }),
  Tanh: unary((a, o) => {
    for (let i = 0; i < a.length; i++) o[i] = Math.tanh(a[i]);
  }),
  Neg: unary((a, o) => {
    for (let i = 0; i < a.length; i++) o[i] = -a[i];
  }),
  Abs: unary((a, o) => {
    for (let i = 0; i < a.length; i++) o[i] = Math.abs(a[i]);
  }),
  Sqrt: unary((a, o) => {
    for (let i = 0; i < a.length; i++) o[i] = Math.sqrt(a[i]);
  }),
  Exp: unary((a, o) => {
    for (let i = 0; i < a.length; i++) o[i] = Math.exp(a[i]);
  }),
  Identity: unary((a, o) => o.set(a)),
  // Inference: Dropout is the identity (its optional mask output, all true, is not produced).
  Dropout: unary((a, o) => o.set(a)),
};

/** Softmax / LogSoftmax: before opset 13 the input is flattened to 2-D at `axis` (default 1). */
function softmax(log: boolean): OpFn {
  return (node, x, opset) => {
    const X = input(node, x, 0);
    const rank = X.dims.length;
    const axis = normAxis(num(node, 'axis', opset < 13 ? 1 : -1), rank);
    const outer = numel(X.dims.slice(0, axis));
    const len = opset < 13 ? numel(X.dims.slice(axis)) : X.dims[axis];
    const inner = opset < 13 ? 1 : numel(X.dims.slice(axis + 1));
    const a = X.data;
    const out = new Float64Array(a.length);
    for (let o = 0; o < outer; o++) {
      for (let q = 0; q < inner; q++) {
        const base = o * len * inner + q;
        let max = -Infinity;
        for (let k = 0; k < len; k++) max = Math.max(max, a[base + k * inner]);
        let sum = 0;
        for (let k = 0; k < len; k++) sum += Math.exp(a[base + k * inner] - max);
        const logSum = log ? Math.log(sum) : 0;
        for (let k = 0; k < len; k++) {
          const i = base + k * inner;
          out[i] = log ? a[i] - max - logSum : Math.exp(a[i] - max) / sum;
        }
      }
    }
    return [{ dims: [...X.dims], data: out }];
  };
}

// ---------------------------------------------------------------------------------------------------------
// Broadcasting binary and n-ary ops

type BinaryKind = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Equal';

function binary(kind: BinaryKind): OpFn {
  return (node, x) => {
    const A = input(node, x, 0);
    const B = input(node, x, 1);
    const dims = broadcastDims(A.dims, B.dims);
    const a = expandTo(A.data, A.dims, dims);
    const b = expandTo(B.data, B.dims, dims);
    const o = new Float64Array(a.length);
    const n = o.length;
    switch (kind) {
      case 'Add':
        for (let i = 0; i < n; i++) o[i] = a[i] + b[i];
        break;
      case 'Sub':
        for (let i = 0; i < n; i++) o[i] = a[i] - b[i];
        break;
      case 'Mul':
        for (let i = 0; i < n; i++) o[i] = a[i] * b[i];
        break;
      case 'Div':
        for (let i = 0; i < n; i++) o[i] = a[i] / b[i];
        break;
      case 'Pow':
        for (let i = 0; i < n; i++) o[i] = Math.pow(a[i], b[i]);
        break;
      case 'Equal':
        for (let i = 0; i < n; i++) o[i] = a[i] === b[i] ? 1 : 0;
        break;
    }
    return [{ dims, data: o }];
  };
}

const sum: OpFn = (node, x) => {
  const terms = x.map((_, i) => input(node, x, i));
  const dims = broadcastDims(...terms.map((t) => t.dims));
  const out = new Float64Array(numel(dims));
  for (const t of terms) {
    const v = expandTo(t.data, t.dims, dims);
    for (let i = 0; i < out.length; i++) out[i] += v[i];
  }
  return [{ dims, data: out }];
};

const where: OpFn = (node, x) => {
  const [C, X, Y] = [0, 1, 2].map((i) => input(node, x, i));
  const dims = broadcastDims(C.dims, X.dims, Y.dims);
  const [c, a, b] = [C, X, Y].map((t) => expandTo(t.data, t.dims, dims));
  const out = new Float64Array(c.length);
  for (let i = 0; i < out.length; i++) out[i] = c[i] !== 0 ? a[i] : b[i];
  return [{ dims, data: out }];
};

// ---------------------------------------------------------------------------------------------------------
// Pooling

/** [N, C, H, W] view of a 1-D or 2-D spatial tensor. */
function nchw(dims: readonly number[]): [number, number, number, number] {
  return dims.length === 3 ? [dims[0], dims[1], 1, dims[2]] : [dims[0], dims[1], dims[2], dims[3]];
}

const maxPool: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const g = poolGeometry(node, X.dims);
  const [N, C, H, W] = nchw(X.dims);
  const { outH, outW } = g;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, pl] = g.pads;
  const out = new Float64Array(N * C * outH * outW);
  const withIndices = node.outputs.length > 1 && node.outputs[1] !== '';
  const indices = withIndices ? new Float64Array(out.length) : undefined;
  const a = X.data;
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o++) {
        // Padding is -inf: positions outside the input are skipped.
        let best = -Infinity;
        let arg = -1;
        for (let i = 0; i < kh; i++) {
          const ih = oh * sh - pt + i * dh;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < kw; j++) {
            const iw = ow * sw - pl + j * dw;
            if (iw < 0 || iw >= W) continue;
            const v = a[plane + ih * W + iw];
            if (v > best || arg < 0) {
              best = v;
              arg = plane + ih * W + iw;
            }
          }
        }
        out[o] = best;
        if (indices) indices[o] = arg;
      }
    }
  }
  const dims = spatialOutputDims(X.dims, C, g);
  return indices
    ? [
        { dims, data: out },
        { dims, data: indices },
      ]
    : [{ dims, data: out }];
};

const averagePool: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const g = poolGeometry(node, X.dims);
  const [N, C, H, W] = nchw(X.dims);
  const { outH, outW } = g;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, pl, pb, pr] = g.pads;
  const out = new Float64Array(N * C * outH * outW);
  const a = X.data;
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o++) {
        // count_include_pad counts window positions inside the padded input; positions that only ceil_mode
        // adds beyond the padding never count.
        let s = 0;
        let real = 0;
        let padded = 0;
        for (let i = 0; i < kh; i++) {
          const ih = oh * sh - pt + i * dh;
          if (ih < -pt || ih >= H + pb) continue;
          for (let j = 0; j < kw; j++) {
            const iw = ow * sw - pl + j * dw;
            if (iw < -pl || iw >= W + pr) continue;
            padded++;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            real++;
            s += a[plane + ih * W + iw];
          }
        }
        const count = g.countIncludePad ? padded : real;
        out[o] = count > 0 ? s / count : 0;
      }
    }
  }
  return [{ dims: spatialOutputDims(X.dims, C, g), data: out }];
};

function globalPool(max: boolean): OpFn {
  return (node, x) => {
    const X = input(node, x, 0);
    const nc = X.dims[0] * X.dims[1];
    const plane = numel(X.dims.slice(2));
    const out = new Float64Array(nc);
    const a = X.data;
    for (let c = 0; c < nc; c++) {
      let acc = max ? -Infinity : 0;
      for (let p = c * plane, end = p + plane; p < end; p++) acc = max ? Math.max(acc, a[p]) : acc + a[p];
      out[c] = max ? acc : acc / plane;
    }
    return [{ dims: [X.dims[0], X.dims[1], ...X.dims.slice(2).map(() => 1)], data: out }];
  };
}

// ---------------------------------------------------------------------------------------------------------
// Data movement

const concat: OpFn = (node, x) => {
  const parts = x.map((_, i) => input(node, x, i));
  const dims = concatDims(
    parts.map((p) => p.dims),
    num(node, 'axis', 0),
  );
  const axis = normAxis(num(node, 'axis', 0), dims.length);
  const outer = numel(dims.slice(0, axis));
  const out = new Float64Array(numel(dims));
  const outBlock = numel(dims.slice(axis));
  let offset = 0;
  for (const p of parts) {
    const block = numel(p.dims.slice(axis));
    for (let o = 0; o < outer; o++)
      out.set(p.data.subarray(o * block, (o + 1) * block), o * outBlock + offset);
    offset += block;
  }
  return [{ dims, data: out }];
};

const split: OpFn = (node, x, opset) => {
  const X = input(node, x, 0);
  const axis = normAxis(num(node, 'axis', 0), X.dims.length);
  const count = opset >= 18 ? num(node, 'num_outputs', node.outputs.length) : node.outputs.length;
  const sizes = splitSizes(X.dims[axis], intsArg(node, x, 'split'), count);
  const outer = numel(X.dims.slice(0, axis));
  const inner = numel(X.dims.slice(axis + 1));
  const inBlock = X.dims[axis] * inner;
  let offset = 0;
  return sizes.map((size) => {
    const block = size * inner;
    const out = new Float64Array(outer * block);
    for (let o = 0; o < outer; o++) {
      out.set(X.data.subarray(o * inBlock + offset, o * inBlock + offset + block), o * block);
    }
    offset += block;
    const dims = [...X.dims];
    dims[axis] = size;
    return { dims, data: out };
  });
};

const flatten: OpFn = (node, x) => {
  const X = input(node, x, 0);
  return [withDims(X, flattenDims(X.dims, num(node, 'axis', 1)))];
};

const reshape: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const shape = intsArg(node, x, 'shape');
  if (!shape) throw new Error(`Reshape '${node.name}': no target shape`);
  return [withDims(X, reshapeDims(X.dims, shape, num(node, 'allowzero', 0) === 1))];
};

const squeeze: OpFn = (node, x) => {
  const X = input(node, x, 0);
  return [withDims(X, squeezeDims(X.dims, intsArg(node, x, 'axes')))];
};

const unsqueeze: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const axes = intsArg(node, x, 'axes');
  if (!axes) throw new Error(`Unsqueeze '${node.name}': no axes`);
  return [withDims(X, unsqueezeDims(X.dims, axes))];
};

const transpose: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const perm = transposePerm(X.dims.length, ints(node, 'perm'));
  const inStrides = stridesOf(X.dims);
  const dims = perm.map((p) => X.dims[p]);
  return [
    {
      dims,
      data: strided(
        X.data,
        dims,
        0,
        perm.map((p) => inStrides[p]),
      ),
    },
  ];
};

/** Source index along one axis for each padded output index, -1 where the constant value goes. */
function padSource(d: number, begin: number, outDim: number, mode: string): Int32Array {
  const src = new Int32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let i = o - begin;
    if (i < 0 || i >= d) {
      if (mode === 'edge') i = Math.min(Math.max(i, 0), d - 1);
      else if (mode === 'reflect' && d > 1) {
        const period = 2 * (d - 1);
        i = ((i % period) + period) % period;
        if (i >= d) i = period - i;
      } else i = -1;
    }
    src[o] = i;
  }
  return src;
}

const pad: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const rank = X.dims.length;
  const rawPads = intsArg(node, x, 'pads');
  if (!rawPads) throw new Error(`Pad '${node.name}': no pads`);
  const pads = padsForRank(rawPads, intsArg(node, x, 'axes'), rank);
  const mode = typeof node.attrs.mode === 'string' ? node.attrs.mode : 'constant';
  const value = scalarArg(node, x, 'value') ?? 0;
  const dims = padDims(X.dims, pads);
  const maps = dims.map((d, i) => padSource(X.dims[i], pads[i], d, mode));
  const st = stridesOf(X.dims);
  const n = numel(dims);
  const out = new Float64Array(n);
  const counter = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < rank && off >= 0; d++) {
      const s = maps[d][counter[d]];
      off = s < 0 ? -1 : off + s * st[d];
    }
    out[i] = off < 0 ? value : X.data[off];
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < dims[d]) break;
      counter[d] = 0;
    }
  }
  return [{ dims, data: out }];
};

const slice: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const starts = intsArg(node, x, 'starts');
  const ends = intsArg(node, x, 'ends');
  if (!starts || !ends) throw new Error(`Slice '${node.name}': no starts/ends`);
  const r = sliceRange(X.dims, starts, ends, intsArg(node, x, 'axes'), intsArg(node, x, 'steps'));
  const st = stridesOf(X.dims);
  const base = r.start.reduce((s, v, i) => s + v * st[i], 0);
  return [
    {
      dims: r.out,
      data: strided(
        X.data,
        r.out,
        base,
        st.map((s, i) => s * r.step[i]),
      ),
    },
  ];
};

const gather: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const I = input(node, x, 1);
  const axis = normAxis(num(node, 'axis', 0), X.dims.length);
  const dims = gatherDims(X.dims, I.dims, axis);
  const outer = numel(X.dims.slice(0, axis));
  const inner = numel(X.dims.slice(axis + 1));
  const d = X.dims[axis];
  const out = new Float64Array(numel(dims));
  let o = 0;
  for (let b = 0; b < outer; b++) {
    for (const raw of I.data) {
      const k = raw < 0 ? raw + d : raw;
      if (k < 0 || k >= d) throw new Error(`Gather '${node.name}': index ${raw} out of range for size ${d}`);
      const src = (b * d + k) * inner;
      out.set(X.data.subarray(src, src + inner), o);
      o += inner;
    }
  }
  return [{ dims, data: out }];
};

const shape: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const end = node.attrs.end;
  const dims = shapeSlice(X.dims, num(node, 'start', 0), typeof end === 'number' ? end : undefined);
  return [{ dims: [dims.length], data: Float64Array.from(dims) }];
};

/** TensorProto.DataType codes of Cast's `to`. */
const CAST_TARGET: Record<number, 'float' | 'float32' | 'int' | 'bool'> = {
  1: 'float32',
  11: 'float',
  2: 'int',
  3: 'int',
  4: 'int',
  5: 'int',
  6: 'int',
  7: 'int',
  12: 'int',
  13: 'int',
  9: 'bool',
};

const cast: OpFn = (node, x) => {
  const X = input(node, x, 0);
  const to = num(node, 'to', 0);
  const kind = CAST_TARGET[to];
  if (!kind) throw new Error(`Cast '${node.name}': cast to data type ${to} is not supported`);
  const a = X.data;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    out[i] =
      kind === 'float'
        ? v
        : kind === 'float32'
          ? Math.fround(v)
          : kind === 'int'
            ? Math.trunc(v)
            : +(v !== 0);
  }
  return [{ dims: [...X.dims], data: out }];
};

const constant: OpFn = (node) => {
  const { value, value_float: f, value_floats: fs, value_int: i, value_ints: is } = node.attrs;
  if (value && typeof value === 'object' && 'data' in value)
    return [{ dims: [...value.dims], data: value.data.slice() }];
  const scalar = typeof f === 'number' ? f : typeof i === 'number' ? i : undefined;
  if (scalar !== undefined) return [{ dims: [], data: Float64Array.of(scalar) }];
  const list = (fs ?? is) as number[] | undefined;
  if (Array.isArray(list)) return [{ dims: [list.length], data: Float64Array.from(list) }];
  throw new Error(`Constant '${node.name}': no numeric value attribute`);
};

const constantOfShape: OpFn = (node, x) => {
  const dims = Array.from(input(node, x, 0).data);
  const value = node.attrs.value;
  const v = value && typeof value === 'object' && 'data' in value ? value.data[0] : 0;
  return [{ dims, data: new Float64Array(numel(dims)).fill(v) }];
};

function reduce(mean: boolean): OpFn {
  return (node, x) => {
    const X = input(node, x, 0);
    const rank = X.dims.length;
    const axes = reduceAxes(rank, intsArg(node, x, 'axes'), num(node, 'noop_with_empty_axes', 0) === 1);
    const keep = reduceDims(X.dims, axes, true);
    const dims = reduceDims(X.dims, axes, num(node, 'keepdims', 1) === 1);
    // Each input element adds into the output element whose reduced coordinates are 0.
    const outStrides = stridesOf(keep).map((s, i) => (keep[i] === 1 ? 0 : s));
    const out = new Float64Array(numel(keep));
    const counter = new Array<number>(rank).fill(0);
    let off = 0;
    for (let i = 0; i < X.data.length; i++) {
      out[off] += X.data[i];
      for (let d = rank - 1; d >= 0; d--) {
        off += outStrides[d];
        if (++counter[d] < X.dims[d]) break;
        off -= outStrides[d] * X.dims[d];
        counter[d] = 0;
      }
    }
    if (mean) {
      const count = X.data.length / Math.max(1, out.length);
      for (let i = 0; i < out.length; i++) out[i] /= count;
    }
    return [{ dims, data: out }];
  };
}

const OPS: Readonly<Record<string, OpFn>> = {
  ...UNARY,
  Conv: conv,
  Gemm: gemm,
  MatMul: matmul,
  BatchNormalization: batchNorm,
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Div: binary('Div'),
  Pow: binary('Pow'),
  Equal: binary('Equal'),
  Sum: sum,
  Where: where,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalPool(false),
  GlobalMaxPool: globalPool(true),
  Concat: concat,
  Split: split,
  Flatten: flatten,
  Reshape: reshape,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Pad: pad,
  Slice: slice,
  Gather: gather,
  Shape: shape,
  Cast: cast,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  ReduceMean: reduce(true),
  ReduceSum: reduce(false),
};

/** Whether the evaluator implements `node` (default ONNX domain only). */
export function hasEvaluator(node: Pick<IrNode, 'opType' | 'domain'>): boolean {
  return node.domain === '' && Object.hasOwn(OPS, node.opType);
}

/** Evaluate one node on its input values ('' inputs as undefined). Outputs are in node.outputs order. */
export function evalNode(g: IrGraph, node: IrNode, inputs: (Tensor | undefined)[]): Tensor[] {
  if (!hasEvaluator(node)) {
    const op = node.domain ? `${node.domain}.${node.opType}` : node.opType;
    throw new Error(`no forward evaluator for op ${op} (node '${node.name}')`);
  }
  return OPS[node.opType](node, inputs, g.opset);
}

/**
 * Run the whole graph. Returns every value by name: graph inputs, initializers and every node output.
 * Feeds may be float32 (e.g. read from .npy); they are widened to float64.
 */
export function runForward(g: IrGraph, feeds: Record<string, Tensor<FloatArray>>): Map<string, Tensor> {
  const values = new Map<string, Tensor>(g.initializers);
  for (const v of g.inputs) {
    const feed = feeds[v.name];
    if (!feed) throw new Error(`runForward: no value fed for graph input '${v.name}'`);
    const expected = g.shapes.get(v.name);
    if (expected && (expected.length !== feed.dims.length || expected.some((d, i) => d !== feed.dims[i]))) {
      throw new Error(
        `runForward: input '${v.name}' is [${feed.dims}], the graph was prepared for [${expected}]`,
      );
    }
    values.set(v.name, toFloat64(feed));
  }
  for (const node of g.nodes) {
    const inputs = node.inputs.map((name) => {
      if (name === '') return undefined;
      const t = values.get(name);
      if (!t)
        throw new Error(
          `runForward: value '${name}' needed by ${node.opType} '${node.name}' is not computed`,
        );
      return t;
    });
    const outputs = evalNode(g, node, inputs);
    node.outputs.forEach((name, i) => {
      if (name !== '' && outputs[i]) values.set(name, outputs[i]);
    });
  }
  return values;
}
