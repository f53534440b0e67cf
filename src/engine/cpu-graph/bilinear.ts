/**
 * Bilinear affine nodes, c_ij = x_i w_ij (times 1/n_j for average pooling), as ONNX subgraphs:
 *
 *   Conv                    Lin = Conv with the node's kernel, strides, dilations, pads, group;
 *                           Lin* = ConvTranspose with the same attributes, pads and output_padding chosen
 *                           so that the result has exactly the input's shape (spec 2, 4.3); for stride 1,
 *                           the same map as a Conv with the rotated kernel (faster in onnxruntime)
 *   AveragePool             the sum-pool rule (spec 4.3): a depthwise Conv with a kernel of ones, 1/n_j as
 *                           a constant per output position
 *   GlobalAveragePool,      ReduceSum over the plane; its adjoint is a broadcast
 *   ReduceMean (spatial)
 *   Gemm, MatMul            Gemm on the 2-D view of the data operand (trans flags instead of transposed
 *                           copies of the weights)
 *
 * The constant operand enters as float32 initializers |W|, W+, W- and W, written once per compiled graph
 * (and only those the rule uses).
 */
import {
  avgPoolDivisors,
  convGeometry,
  isSpatialMean,
  poolGeometry,
  type ConvGeometry,
} from '../../core/onnx/geometry';
import type { IrNode } from '../../core/onnx/ir';
import { matmulDims } from '../../core/onnx/shapeRules';
import { isData, type AffineOp, type OpTable } from '../../core/pane/ops';
import { numel, sameDims, type Tensor } from '../../core/tensor';
import { once, sumOf, zeros, type GraphAffineView, type GraphViewFactory } from './affine-view';
import type { GraphBuilder } from './builder';
import { describe, type CompileContext } from './context';
import { forRank, windowAttrs } from './windows';

/** The weight variants of spec 3 and 4.2: |W|, W+ = max(W, 0), W- = max(-W, 0) and W itself. */
type Variant = 'abs' | 'pos' | 'neg' | 'signed';

interface Bilinear {
  node: IrNode;
  /** Index of the data operand in node.inputs, and its forward value in the chain graph. */
  dataInput: number;
  x: string;
  xDims: number[];
  xNonNegative: boolean;
  /** Whether the constant operand has negative entries (W- != 0). */
  hasNeg: boolean;
  /** Lin(v; W_variant) in the node output's dims. */
  forward(v: string, w: Variant): string;
  /** Lin*(k; W_variant), in the data operand's dims or broadcastable to them. */
  adjoint(k: string, w: Variant): string;
  /** Lin* comes back only broadcastable to the data operand (a plane sum's adjoint): expanded for gradient. */
  broadcastAdjoint?: boolean;
  /** Per-output factor of every contribution (1/n_j of average pooling), broadcastable to the output. */
  outScale?: string;
  bias: Tensor | null;
}

/** Lazily written float32 initializers of the variants of a constant operand. */
function weightVariants(b: GraphBuilder, w: Tensor): { of(v: Variant): string; hasNeg: boolean } {
  const made = new Map<Variant, string>();
  const map: Record<Variant, (v: number) => number> = {
    abs: Math.abs,
    pos: (v) => Math.max(v, 0),
    neg: (v) => Math.max(-v, 0),
    signed: (v) => v,
  };
  return {
    hasNeg: w.data.some((v) => v < 0),
    of(v) {
      let name = made.get(v);
      if (!name) {
        name = b.floats(w.dims, w.data.map(map[v]));
        made.set(v, name);
      }
      return name;
    },
  };
}

/**
 * Every quantity through the op's own linear map, one pass each (spec 3, 4.2):
 *   gross = Lin(|x|; |w|)             split: pos = Lin(x+; w+) + Lin(x-; w-), neg = Lin(x+; w-) + Lin(x-; w+)
 *   absAdjoint = |x| . Lin*(k; |w|)    signedAdjoint = x . Lin*(k; w)
 *   adjoint = x+ . [Lin*(kPos; w+) + Lin*(kNeg; w-)] + x- . [Lin*(kNeg; w+) + Lin*(kPos; w-)]
 * Passes over x- are skipped when x >= 0 by construction, passes over w- when w >= 0.
 */
function bilinearView(ctx: CompileContext, s: Bilinear): GraphAffineView {
  const b = ctx.b;
  const scaled = (v: string) => (s.outScale ? b.mul(v, s.outScale) : v);
  // Written on first use: sf needs |x| only, alphabeta x+ and x- only.
  const absX = once(() => (s.xNonNegative ? s.x : b.abs(s.x)));
  const xPos = once(() => (s.xNonNegative ? s.x : b.relu(s.x)));
  const xNeg = once(() => (s.xNonNegative ? null : b.relu(b.neg(s.x))));
  const onData = (r: string) => {
    const inputs = new Array<string | null>(s.node.inputs.length).fill(null);
    inputs[s.dataInput] = r;
    return inputs;
  };
  const lin = (v: string | null, w: Variant) =>
    v === null || (w === 'neg' && !s.hasNeg) ? null : s.forward(v, w);
  const linT = (k: string | null, w: Variant) =>
    k === null || (w === 'neg' && !s.hasNeg) ? null : s.adjoint(scaled(k), w);
  const times = (x: string, v: string | null) => (v === null ? null : b.mul(x, v));
  return {
    bias: s.bias,
    gross: () => scaled(s.forward(absX(), 'abs')),
    split() {
      const pos = sumOf(b, [lin(xPos(), 'pos'), lin(xNeg(), 'neg')]);
      const neg = sumOf(b, [lin(xPos(), 'neg'), lin(xNeg(), 'pos')]);
      return { pos: pos && scaled(pos), neg: neg && scaled(neg) };
    },
    absAdjoint: (k) => onData(b.mul(absX(), s.adjoint(scaled(k), 'abs'))),
    signedAdjoint: (k) => onData(b.mul(s.x, s.adjoint(scaled(k), 'signed'))),
    gradient(k) {
      const v = s.adjoint(scaled(k), 'signed');
      return onData(s.broadcastAdjoint ? b.op('Expand', [v, b.ints(s.xDims)]) : v);
    },
    adjoint(kPos, kNeg) {
      const fromPos = times(xPos(), sumOf(b, [linT(kPos, 'pos'), linT(kNeg, 'neg')]));
      const xn = xNeg();
      const fromNeg = xn && times(xn, sumOf(b, [linT(kNeg, 'pos'), linT(kPos, 'neg')]));
      return onData(sumOf(b, [fromPos, fromNeg]) ?? zeros(b, s.xDims));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Windows: Conv and AveragePool

/** A per-channel vector as a [1, C, 1, ...] tensor of the given rank. */
function perChannel(v: Float64Array, rank: number): Tensor {
  return { dims: [1, v.length, ...new Array<number>(rank - 2).fill(1)], data: v };
}

/**
 * The kernel of a stride-1 convolution's adjoint as a convolution: per group, input and output channels
 * swapped and the taps rotated by 180 degrees, [M, C/g, kH, kW] -> [C, M/g, kH, kW].
 */
function adjointKernel(w: Tensor, group: number): Tensor {
  const [M, cg, ...k] = w.dims;
  const taps = numel(k);
  const mg = M / group;
  const out = new Float64Array(w.data.length);
  for (let m = 0; m < M; m++) {
    const g = Math.floor(m / mg);
    for (let c = 0; c < cg; c++) {
      for (let t = 0; t < taps; t++) {
        out[((g * cg + c) * mg + (m - g * mg)) * taps + taps - 1 - t] = w.data[(m * cg + c) * taps + t];
      }
    }
  }
  return { dims: [cg * group, mg, ...k], data: out };
}

/**
 * Lin* of a convolution: ConvTranspose with the window's attributes; for stride 1 with pads inside the
 * kernel's span, the equivalent Conv with the adjoint kernel and the complementary pads, which
 * onnxruntime runs up to several times faster on large planes (no col2im).
 */
function convAdjoint(
  b: GraphBuilder,
  w: Tensor,
  weights: { of(v: Variant): string },
  geo: ConvGeometry,
  xDims: readonly number[],
): (k: string, variant: Variant) => string {
  const { conv, transpose } = windowAttrs(geo, xDims, geo.group);
  const spans = conv.kernel_shape.map((k, i) => (k - 1) * conv.dilations[i]);
  const complement = conv.pads.map((p, i) => spans[i % spans.length] - p);
  const asConv =
    numel(geo.kernel) > 1 && conv.strides.every((v) => v === 1) && complement.every((p) => p >= 0);
  if (!asConv) return (k, variant) => b.op('ConvTranspose', [k, weights.of(variant)], transpose);
  const flipped = weightVariants(b, adjointKernel(w, geo.group));
  return (k, variant) => b.op('Conv', [k, flipped.of(variant)], { ...conv, pads: complement });
}

function convView(ctx: CompileContext, node: IrNode): GraphAffineView {
  const xName = ctx.dataInput(node, 0);
  const xDims = ctx.dims(xName);
  const w = ctx.requiredConstant(node, 1);
  const bias = ctx.constant(node, 2);
  const geo = convGeometry(node, xDims, w.dims);
  const attrs = windowAttrs(geo, xDims, geo.group);
  const weights = weightVariants(ctx.b, w);
  return bilinearView(ctx, {
    node,
    dataInput: 0,
    x: ctx.forward(xName),
    xDims,
    xNonNegative: ctx.isNonNegative(xName),
    hasNeg: weights.hasNeg,
    forward: (v, variant) => ctx.b.op('Conv', [v, weights.of(variant)], attrs.conv),
    adjoint: convAdjoint(ctx.b, w, weights, geo, xDims),
    bias: bias ? perChannel(bias.data, xDims.length) : null,
  });
}

function averagePoolView(ctx: CompileContext, node: IrNode): GraphAffineView {
  const xName = ctx.dataInput(node, 0);
  const xDims = ctx.dims(xName);
  const geo = poolGeometry(node, xDims);
  const C = xDims[1];
  const rank = xDims.length - 2;
  const ones = ctx.b.floats(
    [C, 1, ...forRank(rank, ...geo.kernel)],
    new Float32Array(C * numel(geo.kernel)).fill(1),
  );
  const attrs = windowAttrs(geo, xDims, C);
  const divisors = avgPoolDivisors(geo, xDims, geo.countIncludePad);
  return bilinearView(ctx, {
    node,
    dataInput: 0,
    x: ctx.forward(xName),
    xDims,
    xNonNegative: ctx.isNonNegative(xName),
    hasNeg: false,
    forward: (v) => ctx.b.op('Conv', [v, ones], attrs.conv),
    adjoint: (k) => ctx.b.op('ConvTranspose', [k, ones], attrs.transpose),
    outScale: ctx.b.floats(
      [1, 1, ...forRank(rank, geo.outH, geo.outW)],
      divisors.map((d) => 1 / d),
    ),
    bias: null,
  });
}

/** GlobalAveragePool, and ReduceMean over the spatial axes (which may drop them from its output). */
function globalAveragePoolView(ctx: CompileContext, node: IrNode): GraphAffineView {
  const xName = ctx.dataInput(node, 0);
  const xDims = ctx.dims(xName);
  if (node.opType === 'ReduceMean' && !isSpatialMean(node, xDims)) {
    throw new Error(
      `${describe(node)}: only the mean over the spatial axes of [N, C, H, W] (global average pooling) has a rule`,
    );
  }
  const b = ctx.b;
  const outDims = ctx.dims(node.outputs[0]);
  const kept = [xDims[0], xDims[1], ...xDims.slice(2).map(() => 1)];
  const spatial = xDims.slice(2).map((_, i) => i + 2);
  const toOut = (v: string) => (outDims.length === kept.length ? v : b.reshape(v, outDims));
  const toKept = (v: string) => (outDims.length === kept.length ? v : b.reshape(v, kept));
  return bilinearView(ctx, {
    node,
    dataInput: 0,
    x: ctx.forward(xName),
    xDims,
    xNonNegative: ctx.isNonNegative(xName),
    hasNeg: false,
    forward: (v) => toOut(b.op('ReduceSum', [v, b.ints(spatial)], { keepdims: 1 })),
    // The adjoint of a plane sum is a broadcast, which the product with x performs.
    adjoint: (k) => toKept(k),
    broadcastAdjoint: true,
    outScale: b.scalar(1 / numel(xDims.slice(2))),
    bias: null,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Matrix products: Gemm and MatMul with one constant operand

/** Exactly one of inputs 0 and 1 is data: a product with a constant operand is affine, two data are not. */
function dataOperand(ctx: CompileContext, node: IrNode): 0 | 1 {
  const a = isData(ctx.g, node.inputs[0]);
  const b = isData(ctx.g, node.inputs[1]);
  if (a === b) {
    throw new Error(
      `${describe(node)}: needs exactly one data operand (a product of two data tensors is not affine)`,
    );
  }
  return a ? 0 : 1;
}

interface MatrixProduct {
  /** Which operand is data, its forward dims and the 2-D dims it is viewed with. */
  d: 0 | 1;
  xDims: number[];
  x2: number[];
  /** The constant operand (scalar factor folded in), stored 2-D. */
  w: Tensor;
  transA: boolean;
  transB: boolean;
  outDims: number[];
  bias: Tensor | null;
}

/**
 * Y = op(A) op(B) on 2-D operands as stored. Lin* with respect to the data operand, in its stored layout:
 *   A: op(B)^T k (transposed back when transA)      B: op(A)^T k (transposed back when transB)
 * each a single Gemm with the flags below.
 */
function matrixView(ctx: CompileContext, node: IrNode, m: MatrixProduct): GraphAffineView {
  const b = ctx.b;
  const xName = node.inputs[m.d];
  const weights = weightVariants(b, m.w);
  const to = (v: string, dims: number[], from: number[]) => (sameDims(dims, from) ? v : b.reshape(v, dims));
  const gemm = (a: string, bb: string, transA: boolean, transB: boolean) =>
    b.op('Gemm', [a, bb], { transA: Number(transA), transB: Number(transB) });
  const yDims = gemmOutDims(m);
  return bilinearView(ctx, {
    node,
    dataInput: m.d,
    x: ctx.forward(xName),
    xDims: m.xDims,
    xNonNegative: ctx.isNonNegative(xName),
    hasNeg: weights.hasNeg,
    forward(v, variant) {
      const x = to(v, m.x2, m.xDims);
      const y =
        m.d === 0
          ? gemm(x, weights.of(variant), m.transA, m.transB)
          : gemm(weights.of(variant), x, m.transA, m.transB);
      return to(y, m.outDims, yDims);
    },
    adjoint(kOut, variant) {
      const k = to(kOut, yDims, m.outDims);
      const w = weights.of(variant);
      let g: string;
      if (m.d === 0) g = m.transA ? gemm(w, k, m.transB, true) : gemm(k, w, false, !m.transB);
      else g = m.transB ? gemm(k, w, true, m.transA) : gemm(w, k, !m.transA, false);
      return to(g, m.xDims, m.x2);
    },
    bias: m.bias,
  });
}

/** [M, N] of op(A) op(B) from the stored 2-D operands. */
function gemmOutDims(m: MatrixProduct): number[] {
  const [a, bDims] = m.d === 0 ? [m.x2, m.w.dims] : [m.w.dims, m.x2];
  return [m.transA ? a[1] : a[0], m.transB ? bDims[0] : bDims[1]];
}

function gemmView(ctx: CompileContext, node: IrNode): GraphAffineView {
  const d = dataOperand(ctx, node);
  const num = (name: string, fallback: number) =>
    typeof node.attrs[name] === 'number' ? (node.attrs[name] as number) : fallback;
  const alpha = num('alpha', 1);
  const beta = num('beta', 1);
  const constant = ctx.requiredConstant(node, 1 - d);
  const C = ctx.constant(node, 2);
  const xDims = ctx.dims(node.inputs[d]);
  return matrixView(ctx, node, {
    d,
    xDims,
    x2: xDims,
    w: { dims: constant.dims, data: constant.data.map((v) => alpha * v) },
    transA: num('transA', 0) === 1,
    transB: num('transB', 0) === 1,
    outDims: ctx.dims(node.outputs[0]),
    bias: C ? { dims: C.dims, data: C.data.map((v) => beta * v) } : null,
  });
}

/**
 * MatMul with a constant operand: data [..., M, K] x constant [K, N] (leading axes folded into M), or
 * constant [M, K] x data [K, N]; 1-D operands are promoted as numpy does.
 */
function matmulView(ctx: CompileContext, node: IrNode): GraphAffineView {
  const d = dataOperand(ctx, node);
  const w = ctx.requiredConstant(node, 1 - d);
  const xDims = ctx.dims(node.inputs[d]);
  const [aDims, bDims] = d === 0 ? [xDims, w.dims] : [w.dims, xDims];
  if (bDims.length > 2 || (d === 1 && aDims.length > 2)) {
    throw new Error(
      `${describe(node)}: batched MatMul [${aDims}] x [${bDims}] is not supported by the chain`,
    );
  }
  const K = aDims[aDims.length - 1];
  const a2 = [numel(aDims) / K, K];
  const b2 = bDims.length === 1 ? [K, 1] : [...bDims];
  return matrixView(ctx, node, {
    d,
    xDims,
    x2: d === 0 ? a2 : b2,
    w: { dims: d === 0 ? b2 : a2, data: w.data },
    transA: false,
    transB: false,
    outDims: matmulDims(aDims, bDims),
    bias: null,
  });
}

export const BILINEAR_VIEWS = {
  Conv: convView,
  AveragePool: averagePoolView,
  GlobalAveragePool: globalAveragePoolView,
  ReduceMean: globalAveragePoolView,
  Gemm: gemmView,
  MatMul: matmulView,
} as const satisfies Partial<OpTable<AffineOp, GraphViewFactory>>;
