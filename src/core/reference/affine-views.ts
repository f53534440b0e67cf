/**
 * Every affine node seen through its contributions c_ij (PANE-SPEC 2): the per-output sums the forward
 * PANE needs (spec 3) and the adjoints all rules of spec 4.2 reduce to. One view per op family:
 *
 * - bilinear: a data operand times a constant operand (Conv, Gemm, MatMul; AveragePool and
 *   GlobalAveragePool as a depthwise all-ones convolution scaled by 1/n_j);
 * - element-wise: each data input contributes c_j = s_j * x_idx(j) (Add/Sum/Sub with broadcasting,
 *   Mul/Div by a constant, unfolded BatchNormalization as y = s x + t per channel).
 */
import { batchNormAffine, batchNormEpsilon, batchNormParams } from '../onnx/batch-norm';
import {
  avgPoolDivisors,
  convGeometry,
  globalWindow,
  isSpatialMean,
  poolGeometry,
  spatialOutputDims,
  type Window2d,
} from '../onnx/geometry';
import type { IrGraph, IrNode } from '../onnx/ir';
import { broadcastDims, matmulDims } from '../onnx/shapeRules';
import { chainOpKind, isChainOp, isData, type OpsOfKind } from '../pane/ops';
import { numel, type Tensor } from '../tensor';
import { broadcastIndex, expandTo } from '../onnx/broadcast';
import {
  conv2dAccumulate,
  conv2dAdjointAccumulate,
  matmulAccumulate,
  matmulAdjointAAccumulate,
  matmulAdjointBAccumulate,
  sumPoolKernel,
  type MatmulShape,
} from './linear';
import { constantInput, describe, inputValue, numAttr, requiredConstant } from './node-values';

export interface AffineView {
  /** Per output element: sum_i |c_ij| over data inputs, constants excluded. */
  readonly gross: Float64Array;
  /** Per output element: sum_i c+_ij and sum_i c-_ij (magnitudes), exact; computed on first use. */
  split(): { pos: Float64Array; neg: Float64Array };
  /** The constant part b_j of every output element (bias, constant operands), or null when there is none. */
  readonly bias: Float64Array | null;
  /*
   * Adjoints: the mass every node input receives for per-output coefficients k (one array per node
   * input; null for inputs that are not data operands).
   */
  /** sum_j |c_ij| k_j */
  absAdjoint(k: Float64Array): (Float64Array | null)[];
  /** sum_j c_ij k_j */
  signedAdjoint(k: Float64Array): (Float64Array | null)[];
  /** sum_j (c+_ij kPos_j + c-_ij kNeg_j): per unit of |c|, c > 0 carries kPos and c < 0 carries kNeg. */
  adjoint(kPos: Float64Array, kNeg: Float64Array): (Float64Array | null)[];
}

interface SignParts {
  /** max(a, 0) and max(-a, 0). */
  pos: Float64Array;
  neg: Float64Array;
  hasNeg: boolean;
}

function signParts(a: Float64Array): SignParts {
  const pos = new Float64Array(a.length);
  const neg = new Float64Array(a.length);
  let hasNeg = false;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v > 0) pos[i] = v;
    else if (v < 0) {
      neg[i] = -v;
      hasNeg = true;
    }
  }
  return { pos, neg, hasNeg };
}

function scaled(k: Float64Array, scale: Float64Array | undefined): Float64Array {
  if (!scale) return k;
  const out = new Float64Array(k.length);
  for (let j = 0; j < k.length; j++) out[j] = k[j] * scale[j];
  return out;
}

function magnitudes(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.abs(a[i]);
  return out;
}

function product(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Bilinear ops: c_ij = x_i w_ij (times 1/n_j for average pooling)

type Accumulate = (a: Float64Array, w: Float64Array, out: Float64Array) => void;

interface Bilinear {
  node: IrNode;
  /** Index of the data operand in node.inputs. */
  dataInput: number;
  x: Float64Array;
  /** The constant operand, with any scalar factor (Gemm alpha) folded in. */
  w: Float64Array;
  outLen: number;
  /** y += Lin(x; w) */
  forward: Accumulate;
  /** gx += Lin*(gy; w) */
  adjoint: Accumulate;
  /** Per-output factor of every contribution (1/n_j of average pooling). */
  outScale?: Float64Array;
  bias: Float64Array | null;
}

/**
 * Every quantity through the op's own linear map Lin (spec 3, 4.2), one pass each:
 *   gross = Lin(|x|; |w|)                       split: sum c+ = Lin(x+; w+) + Lin(x-; w-),
 *   absAdjoint = |x| . Lin*(k; |w|)                    sum c- = Lin(x+; w-) + Lin(x-; w+)
 *   signedAdjoint = x . Lin*(k; w)
 *   adjoint = x+ . [Lin*(kPos; w+) + Lin*(kNeg; w-)] + x- . [Lin*(kNeg; w+) + Lin*(kPos; w-)]
 * The x- passes are skipped when x >= 0 (every input after a ReLU).
 */
function bilinearView(b: Bilinear): AffineView {
  const scale = b.outScale;
  const n = b.x.length;
  const absX = magnitudes(b.x);
  const absW = magnitudes(b.w);
  const gross = new Float64Array(b.outLen);
  b.forward(absX, absW, gross);
  const grossScaled = scaled(gross, scale);
  let signs: { x: SignParts; w: SignParts } | undefined;
  const signsOf = () => (signs ??= { x: signParts(b.x), w: signParts(b.w) });
  let split: { pos: Float64Array; neg: Float64Array } | undefined;
  const onDataInput = (r: Float64Array) => {
    const inputs = new Array<Float64Array | null>(b.node.inputs.length).fill(null);
    inputs[b.dataInput] = r;
    return inputs;
  };
  const adjointOf = (k: Float64Array, w: Float64Array) => {
    const acc = new Float64Array(n);
    b.adjoint(scaled(k, scale), w, acc);
    return acc;
  };
  return {
    gross: grossScaled,
    bias: b.bias,
    split() {
      if (!split) {
        const { x, w } = signsOf();
        const pos = new Float64Array(b.outLen);
        const neg = new Float64Array(b.outLen);
        b.forward(x.pos, w.pos, pos);
        b.forward(x.pos, w.neg, neg);
        if (x.hasNeg) {
          b.forward(x.neg, w.neg, pos);
          b.forward(x.neg, w.pos, neg);
        }
        split = { pos: scaled(pos, scale), neg: scaled(neg, scale) };
      }
      return split;
    },
    absAdjoint: (k) => onDataInput(product(absX, adjointOf(k, absW))),
    signedAdjoint: (k) => onDataInput(product(b.x, adjointOf(k, b.w))),
    adjoint(kPos, kNeg) {
      const { x, w } = signsOf();
      const acc = adjointOf(kPos, w.pos);
      b.adjoint(scaled(kNeg, scale), w.neg, acc);
      const r = product(x.pos, acc);
      if (x.hasNeg) {
        const other = adjointOf(kNeg, w.pos);
        b.adjoint(scaled(kPos, scale), w.neg, other);
        for (let i = 0; i < n; i++) r[i] += x.neg[i] * other[i];
      }
      return onDataInput(r);
    },
  };
}

/** A per-channel vector (axis 1) spread over a [N, C, ...] tensor. */
function perChannel(v: Float64Array, dims: readonly number[]): Float64Array {
  const C = dims[1];
  const inner = numel(dims.slice(2));
  const out = new Float64Array(numel(dims));
  for (let j = 0; j < out.length; j++) out[j] = v[Math.floor(j / inner) % C];
  return out;
}

function requireData(g: IrGraph, node: IrNode, k: number): void {
  if (!isData(g, node.inputs[k] ?? '')) {
    throw new Error(`${describe(node)}: input ${k} must be data (depend on the graph input)`);
  }
}

function convView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  requireData(g, node, 0);
  const x = inputValue(values, node, 0);
  const w = requiredConstant(g, values, node, 1);
  const b = constantInput(g, values, node, 2);
  const geo = convGeometry(node, x.dims, w.dims);
  const outDims = spatialOutputDims(x.dims, w.dims[0], geo);
  return bilinearView({
    node,
    dataInput: 0,
    x: x.data,
    w: w.data,
    outLen: numel(outDims),
    forward: (a, wa, y) => conv2dAccumulate(a, x.dims, wa, w.dims, geo, y),
    adjoint: (gy, wa, gx) => conv2dAdjointAccumulate(gy, wa, w.dims, geo, x.dims, gx),
    bias: b ? perChannel(b.data, outDims) : null,
  });
}

/** AveragePool / GlobalAveragePool: c_ij = x_i / n_j over the window (spec 4.3; n_j cancels when eps = 0). */
function poolView(node: IrNode, x: Tensor, geo: Window2d, divisors: Float64Array): AffineView {
  const k = sumPoolKernel(geo, x.dims);
  const outDims = spatialOutputDims(x.dims, x.dims[1], geo);
  const outLen = numel(outDims);
  const outScale = new Float64Array(outLen);
  for (let j = 0; j < outLen; j++) outScale[j] = 1 / divisors[j % divisors.length];
  return bilinearView({
    node,
    dataInput: 0,
    x: x.data,
    w: k.w.data,
    outLen,
    forward: (a, wa, y) => conv2dAccumulate(a, x.dims, wa, k.w.dims, k.geo, y),
    adjoint: (gy, wa, gx) => conv2dAdjointAccumulate(gy, wa, k.w.dims, k.geo, x.dims, gx),
    outScale,
    bias: null,
  });
}

function averagePoolView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  requireData(g, node, 0);
  const x = inputValue(values, node, 0);
  const geo = poolGeometry(node, x.dims);
  return poolView(node, x, geo, avgPoolDivisors(geo, x.dims, geo.countIncludePad));
}

function globalAveragePoolView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  requireData(g, node, 0);
  const x = inputValue(values, node, 0);
  const geo = globalWindow(x.dims);
  return poolView(node, x, geo, new Float64Array([geo.kernel[0] * geo.kernel[1]]));
}

/** ReduceMean over the spatial axes is GlobalAveragePool; the singleton axes it may drop hold no values. */
function spatialMeanView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  const x = inputValue(values, node, 0);
  if (!isSpatialMean(node, x.dims)) {
    throw new Error(
      `${describe(node)}: only the mean over the spatial axes of [N, C, H, W] (global average pooling) has a rule`,
    );
  }
  return globalAveragePoolView(g, node, values);
}

/** Exactly one of inputs 0 and 1 is data: a product with a constant operand is affine, two data are not. */
function dataOperand(g: IrGraph, node: IrNode): 0 | 1 {
  const a = isData(g, node.inputs[0]);
  const b = isData(g, node.inputs[1]);
  if (a === b) {
    throw new Error(
      `${describe(node)}: needs exactly one data operand (a product of two data tensors is not affine)`,
    );
  }
  return a ? 0 : 1;
}

function gemmView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  const d = dataOperand(g, node);
  const A = inputValue(values, node, 0);
  const B = inputValue(values, node, 1);
  const C = constantInput(g, values, node, 2);
  const transA = numAttr(node, 'transA', 0) === 1;
  const transB = numAttr(node, 'transB', 0) === 1;
  const alpha = numAttr(node, 'alpha', 1);
  const beta = numAttr(node, 'beta', 1);
  const s: MatmulShape = {
    M: transA ? A.dims[1] : A.dims[0],
    K: transA ? A.dims[0] : A.dims[1],
    N: transB ? B.dims[0] : B.dims[1],
    transA,
    transB,
  };
  const constant = (d === 0 ? B : A).data.map((v) => alpha * v);
  return bilinearView({
    node,
    dataInput: d,
    x: (d === 0 ? A : B).data,
    w: constant,
    outLen: s.M * s.N,
    ...matmulPasses(d, s),
    bias: C ? expandTo(C.data, C.dims, [s.M, s.N]).map((v) => beta * v) : null,
  });
}

function matmulPasses(d: 0 | 1, s: MatmulShape): { forward: Accumulate; adjoint: Accumulate } {
  return d === 0
    ? {
        forward: (a, w, y) => matmulAccumulate(a, w, s, y),
        adjoint: (gy, w, ga) => matmulAdjointAAccumulate(gy, w, s, ga),
      }
    : {
        forward: (b, w, y) => matmulAccumulate(w, b, s, y),
        adjoint: (gy, w, gb) => matmulAdjointBAccumulate(gy, w, s, gb),
      };
}

/**
 * MatMul with a constant operand: data [..., M, K] x constant [K, N] (leading axes folded into M), or
 * constant [M, K] x data [K, N]; 1-D operands are promoted as numpy does.
 */
function matmulView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  const d = dataOperand(g, node);
  const A = inputValue(values, node, 0);
  const B = inputValue(values, node, 1);
  const K = A.dims[A.dims.length - 1];
  if (B.dims.length > 2 || (d === 1 && A.dims.length > 2)) {
    throw new Error(
      `${describe(node)}: batched MatMul [${A.dims}] x [${B.dims}] is not supported by the chain`,
    );
  }
  const N = B.dims.length === 1 ? 1 : B.dims[1];
  const s: MatmulShape = { M: numel(A.dims) / K, K, N, transA: false, transB: false };
  return bilinearView({
    node,
    dataInput: d,
    x: (d === 0 ? A : B).data,
    w: (d === 0 ? B : A).data,
    outLen: numel(matmulDims(A.dims, B.dims)),
    ...matmulPasses(d, s),
    bias: null,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Element-wise ops: c_j = s_j x_idx(j)

interface Term {
  input: number;
  /** The contribution of this input to every output element. */
  c: Float64Array;
  /** Output element -> input element (null: same layout). */
  index: Int32Array | null;
  inLen: number;
}

function elementwiseView(node: IrNode, terms: Term[], bias: Float64Array | null, outLen: number): AffineView {
  const gross = new Float64Array(outLen);
  const pos = new Float64Array(outLen);
  const neg = new Float64Array(outLen);
  for (const t of terms) {
    for (let j = 0; j < outLen; j++) {
      const c = t.c[j];
      if (c > 0) pos[j] += c;
      else neg[j] -= c;
    }
  }
  for (let j = 0; j < outLen; j++) gross[j] = pos[j] + neg[j];
  const adjoint = (kPos: Float64Array, kNeg: Float64Array) => {
    const inputs = new Array<Float64Array | null>(node.inputs.length).fill(null);
    for (const t of terms) {
      const r = new Float64Array(t.inLen);
      for (let j = 0; j < outLen; j++) {
        const c = t.c[j];
        r[t.index ? t.index[j] : j] += c > 0 ? c * kPos[j] : -c * kNeg[j];
      }
      inputs[t.input] = r;
    }
    return inputs;
  };
  return {
    gross,
    bias,
    split: () => ({ pos, neg }),
    absAdjoint: (k) => adjoint(k, k),
    signedAdjoint: (k) =>
      adjoint(
        k,
        k.map((v) => -v),
      ),
    adjoint,
  };
}

/** A term whose contributions start as x broadcast to the output; callers scale `c` in place. */
function term(input: number, x: Tensor, outDims: readonly number[]): Term {
  const index = broadcastIndex(x.dims, outDims);
  const c = index ? new Float64Array(index.length) : x.data.slice();
  if (index) for (let j = 0; j < index.length; j++) c[j] = x.data[index[j]];
  return { input, c, index, inLen: x.data.length };
}

/** Add, Sum and Sub: data inputs contribute +-x; constant inputs are bias (spec 4.3). */
function sumView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  const xs = node.inputs.map((_, k) => inputValue(values, node, k));
  const outDims = broadcastDims(...xs.map((x) => x.dims));
  const outLen = numel(outDims);
  const terms: Term[] = [];
  let bias: Float64Array | null = null;
  xs.forEach((x, k) => {
    const sign = node.opType === 'Sub' && k === 1 ? -1 : 1;
    if (isData(g, node.inputs[k])) {
      const t = term(k, x, outDims);
      if (sign < 0) for (let j = 0; j < outLen; j++) t.c[j] = -t.c[j];
      terms.push(t);
    } else {
      bias ??= new Float64Array(outLen);
      const b = expandTo(x.data, x.dims, outDims);
      for (let j = 0; j < outLen; j++) bias[j] += sign * b[j];
    }
  });
  return elementwiseView(node, terms, bias, outLen);
}

/** Mul by a constant (either side) and Div of data by a constant. */
function scaleView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  const d = dataOperand(g, node);
  if (node.opType === 'Div' && d !== 0)
    throw new Error(`${describe(node)}: a constant divided by data is not affine`);
  const x = inputValue(values, node, d);
  const k = inputValue(values, node, 1 - d);
  const outDims = broadcastDims(x.dims, k.dims);
  const s = expandTo(k.data, k.dims, outDims);
  const t = term(d, x, outDims);
  // Same arithmetic as the forward value (x / k, not x * (1/k)), so z = Epos - Eneg exactly.
  if (node.opType === 'Div') for (let j = 0; j < s.length; j++) t.c[j] /= s[j];
  else for (let j = 0; j < s.length; j++) t.c[j] *= s[j];
  return elementwiseView(node, [t], null, s.length);
}

/** Unfolded BatchNormalization: y = s x + shift per channel (core/onnx/batch-norm, spec 4.3). */
function batchNormView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  requireData(g, node, 0);
  const x = inputValue(values, node, 0);
  const params = batchNormParams([1, 2, 3, 4].map((k) => requiredConstant(g, values, node, k).data));
  const { slope: s, shift } = batchNormAffine(params, batchNormEpsilon(node));
  const sj = perChannel(s, x.dims);
  const t = term(0, x, x.dims);
  for (let j = 0; j < sj.length; j++) t.c[j] *= sj[j];
  return elementwiseView(node, [t], perChannel(shift, x.dims), sj.length);
}

type ViewFn = (g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>) => AffineView;

const AFFINE_VIEWS: Readonly<Record<OpsOfKind<'affine'>, ViewFn>> = {
  Conv: convView,
  Gemm: gemmView,
  MatMul: matmulView,
  BatchNormalization: batchNormView,
  Add: sumView,
  Sub: sumView,
  Sum: sumView,
  Mul: scaleView,
  Div: scaleView,
  AveragePool: averagePoolView,
  GlobalAveragePool: globalAveragePoolView,
  ReduceMean: spatialMeanView,
};

export function affineView(g: IrGraph, node: IrNode, values: ReadonlyMap<string, Tensor>): AffineView {
  if (!isChainOp(node) || chainOpKind(node) !== 'affine')
    throw new Error(`${describe(node)} is not an affine op`);
  return AFFINE_VIEWS[node.opType as OpsOfKind<'affine'>](g, node, values);
}
