/**
 * Vector-Jacobian products of every op the chain traverses, in float64, built from the engine's own linear
 * adjoints (reference/linear.ts), its MaxPool routing and pass-through moves (reference/routing.ts), and
 * ReLU masks (PANE-SPEC 4.8: "the same engine can also produce gradient-type baselines"). ONNX Runtime has
 * no autograd, so this is how gradient baselines see exactly the model the chains see.
 *
 * Each function maps the gradient of a node's output(s) to the gradient of each of its inputs (null for
 * constants and arguments). A second mode, LRP-epsilon, reuses the same products (see relevanceStep).
 */
import { batchNormAffine, batchNormEpsilon, batchNormParams } from '../onnx/batch-norm';
import { scalarArg } from '../onnx/canonical';
import { avgPoolDivisors, convGeometry, isSpatialMean, poolGeometry } from '../onnx/geometry';
import type { IrGraph, IrNode } from '../onnx/ir';
import { broadcastDims } from '../onnx/shapeRules';
import { DEFAULT_OPTIONS } from '../pane/options';
import { isData, opsOfKind, ownEntry, type OpsOfKind, type OpTable, type TraversedOp } from '../pane/ops';
import { numel, type Tensor } from '../tensor';
import { broadcastIndex } from '../onnx/broadcast';
import {
  conv2dAdjointAccumulate,
  matmulAdjointAAccumulate,
  matmulAdjointBAccumulate,
  sumPoolAdjointAccumulate,
  type MatmulShape,
} from '../reference/linear';
import { describe, inputValue, outputValue } from '../reference/node-values';
import { ROUTES } from '../reference/routing';

/** Gradient per node input: null where the input is a constant, an argument or omitted. */
export type InputGrads = (Float64Array | null)[];

/**
 * gOut holds the gradient of every output of the node (Split has several), zeros where none arrived.
 */
export type VjpFn = (
  g: IrGraph,
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  gOut: readonly Float64Array[],
) => InputGrads;

function only(node: IrNode, k: number, grad: Float64Array): InputGrads {
  const out: InputGrads = new Array(node.inputs.length).fill(null);
  out[k] = grad;
  return out;
}

function constant(g: IrGraph, values: ReadonlyMap<string, Tensor>, node: IrNode, k: number): Tensor {
  const name = node.inputs[k] ?? '';
  const t = g.initializers.get(name) ?? values.get(name);
  if (!t) throw new Error(`${describe(node)}: no value for input ${k} ('${name}')`);
  return t;
}

const conv: VjpFn = (g, node, values, [gy]) => {
  const x = inputValue(values, node, 0);
  const w = constant(g, values, node, 1);
  if (isData(g, node.inputs[1]))
    throw new Error(`${describe(node)}: data-dependent weights are not supported`);
  const gx = new Float64Array(x.data.length);
  conv2dAdjointAccumulate(gy, w.data, w.dims, convGeometry(node, x.dims, w.dims), x.dims, gx);
  return only(node, 0, gx);
};

function attr(node: IrNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : fallback;
}

/** Gemm: Y = alpha op(A) op(B) + beta C; both A and B may be data (C is a bias). */
const gemm: VjpFn = (g, node, values, [gy]) => {
  const a = inputValue(values, node, 0);
  const b = inputValue(values, node, 1);
  const transA = attr(node, 'transA', 0) === 1;
  const transB = attr(node, 'transB', 0) === 1;
  const alpha = attr(node, 'alpha', 1);
  const M = transA ? a.dims[1] : a.dims[0];
  const K = transA ? a.dims[0] : a.dims[1];
  const N = transB ? b.dims[0] : b.dims[1];
  const shape: MatmulShape = { M, K, N, transA, transB };
  const scaledGy = alpha === 1 ? gy : gy.map((v) => v * alpha);
  const out: InputGrads = new Array(node.inputs.length).fill(null);
  if (isData(g, node.inputs[0])) {
    out[0] = new Float64Array(a.data.length);
    matmulAdjointAAccumulate(scaledGy, b.data, shape, out[0]);
  }
  if (isData(g, node.inputs[1])) {
    out[1] = new Float64Array(b.data.length);
    matmulAdjointBAccumulate(scaledGy, a.data, shape, out[1]);
  }
  return out;
};

/** MatMul of a data operand [..., M, K] by a constant 2-D matrix [K, N] (the form linear layers export). */
const matmul: VjpFn = (g, node, values, [gy]) => {
  const a = inputValue(values, node, 0);
  const b = inputValue(values, node, 1);
  if (!isData(g, node.inputs[0]) || isData(g, node.inputs[1]) || b.dims.length !== 2 || a.dims.length < 2) {
    throw new Error(`${describe(node)}: only data [..., M, K] times a constant [K, N] is supported`);
  }
  const K = b.dims[0];
  const shape: MatmulShape = { M: a.data.length / K, K, N: b.dims[1], transA: false, transB: false };
  const ga = new Float64Array(a.data.length);
  matmulAdjointAAccumulate(gy, b.data, shape, ga);
  return only(node, 0, ga);
};

/** Unfolded BatchNormalization, y = s x + t per channel. */
const batchNorm: VjpFn = (g, node, values, [gy]) => {
  const x = inputValue(values, node, 0);
  const params = batchNormParams([1, 2, 3, 4].map((k) => constant(g, values, node, k).data));
  const { slope } = batchNormAffine(params, batchNormEpsilon(node));
  const C = x.dims[1];
  const plane = numel(x.dims.slice(2));
  const gx = new Float64Array(gy.length);
  for (let i = 0; i < gy.length; i++) gx[i] = gy[i] * slope[Math.floor(i / plane) % C];
  return only(node, 0, gx);
};

/** The adjoint of broadcasting `inDims` to `outDims`: sum every output element into the one it read. */
function unbroadcast(
  grad: Float64Array,
  inDims: readonly number[],
  outDims: readonly number[],
): Float64Array {
  const index = broadcastIndex(inDims, outDims);
  if (!index) return grad;
  const out = new Float64Array(numel(inDims));
  for (let j = 0; j < index.length; j++) out[index[j]] += grad[j];
  return out;
}

/** Values of an operand broadcast to the output shape. */
function expanded(t: Tensor, outDims: readonly number[]): Float64Array {
  const index = broadcastIndex(t.dims, outDims);
  if (!index) return t.data;
  return Float64Array.from(index, (i) => t.data[i]);
}

/** Add, Sub and Sum: each data operand receives the (negated for Sub's subtrahend) unbroadcast gradient. */
const addLike: VjpFn = (g, node, values, [gy]) => {
  const yDims = outputValue(values, node).dims;
  return node.inputs.map((name, k) => {
    if (!isData(g, name)) return null;
    const grad = node.opType === 'Sub' && k === 1 ? gy.map((v) => -v) : gy;
    return unbroadcast(grad, inputValue(values, node, k).dims, yDims);
  });
};

/** Mul and Div with broadcasting; a data operand on both sides follows the product / quotient rule. */
const mulDiv: VjpFn = (g, node, values, [gy]) => {
  const a = inputValue(values, node, 0);
  const b = inputValue(values, node, 1);
  const yDims = broadcastDims(a.dims, b.dims);
  const av = expanded(a, yDims);
  const bv = expanded(b, yDims);
  const div = node.opType === 'Div';
  const out: InputGrads = [null, null];
  if (isData(g, node.inputs[0])) {
    const ga = gy.map((v, j) => (div ? v / bv[j] : v * bv[j]));
    out[0] = unbroadcast(ga, a.dims, yDims);
  }
  if (isData(g, node.inputs[1])) {
    const gb = gy.map((v, j) => (div ? (-v * av[j]) / (bv[j] * bv[j]) : v * av[j]));
    out[1] = unbroadcast(gb, b.dims, yDims);
  }
  return out;
};

const averagePool: VjpFn = (_g, node, values, [gy]) => {
  const x = inputValue(values, node, 0);
  const geo = poolGeometry(node, x.dims);
  const divisors = avgPoolDivisors(geo, x.dims, geo.countIncludePad);
  const plane = divisors.length;
  const scaledGy = gy.map((v, j) => v / divisors[j % plane]);
  const gx = new Float64Array(x.data.length);
  sumPoolAdjointAccumulate(scaledGy, geo, x.dims, gx);
  return only(node, 0, gx);
};

const globalAveragePool: VjpFn = (_g, node, values, [gy]) => {
  const x = inputValue(values, node, 0);
  // ReduceMean over exactly the spatial axes is this op with the singleton axes kept or dropped, which
  // moves no element; any other ReduceMean is not a chain op's form (PANE-SPEC 4.3).
  if (node.opType === 'ReduceMean' && !isSpatialMean(node, x.dims))
    throw new Error(`${describe(node)}: only a mean over the spatial axes is supported`);
  const plane = numel(x.dims.slice(2));
  const gx = new Float64Array(x.data.length);
  for (let i = 0; i < gx.length; i++) gx[i] = gy[Math.floor(i / plane)] / plane;
  return only(node, 0, gx);
};

/** Element-wise activations: the gradient times the local slope at the forward input. */
function activation(slope: (x: number, node: IrNode, lo: number, hi: number) => number): VjpFn {
  return (_g, node, values, [gy]) => {
    const x = inputValue(values, node, 0).data;
    const args = node.inputs.map((name) => (name === '' ? undefined : values.get(name)));
    const lo = node.opType === 'Clip' ? (scalarArg(node, args, 'min') ?? -Infinity) : 0;
    const hi = node.opType === 'Clip' ? (scalarArg(node, args, 'max') ?? Infinity) : 0;
    return only(
      node,
      0,
      gy.map((v, i) => v * slope(x[i], node, lo, hi)),
    );
  };
}

// Subgradient convention at the kinks: 0 where the forward input sits exactly on them (PyTorch's choice).
const relu = activation((x) => (x > 0 ? 1 : 0));
const leakyRelu = activation((x, node) => (x >= 0 ? 1 : attr(node, 'alpha', 0.01)));
const clip = activation((x, _node, lo, hi) => (x > lo && x < hi ? 1 : 0));
/** HardSwish y = x min(1, max(0, x/6 + 1/2)): slope x/3 + 1/2 on the ramp, 0 below it, 1 above it. */
const hardSwish = activation((x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 3 + 0.5));

/**
 * Ops that only move values (and max pooling) reuse the chain's routing on R: it is linear in R, so
 * routing R = g (with T = |g|, which the routes require and ignore for R) moves the gradient exactly;
 * MaxPool ties share equally, a valid subgradient.
 */
function routed(op: OpsOfKind<'pass' | 'route'>): VjpFn {
  return (g, node, values, gOut) => {
    if (op === 'Pad') {
      const mode = typeof node.attrs.mode === 'string' ? node.attrs.mode : 'constant';
      if (mode !== 'constant')
        throw new Error(`${describe(node)}: the gradient of ${mode} padding is not supported`);
    }
    const total = gOut.reduce((s, a) => s + a.length, 0);
    const R = new Float64Array(total);
    let at = 0;
    for (const part of gOut) {
      R.set(part, at);
      at += part.length;
    }
    const T = R.map(Math.abs);
    const step = ROUTES[op](g, node, values, { T, R }, DEFAULT_OPTIONS);
    return step.inputs.map((f) => (f ? f.R : null));
  };
}

/** Every op the chain traverses has a VJP; typed with the op table, so a missing one does not compile. */
export const VJPS: OpTable<TraversedOp, VjpFn> = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matmul,
  BatchNormalization: batchNorm,
  Add: addLike,
  Sub: addLike,
  Sum: addLike,
  Mul: mulDiv,
  Div: mulDiv,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  ReduceMean: globalAveragePool,
  Relu: relu,
  LeakyRelu: leakyRelu,
  Clip: clip,
  Dropout: routed('Dropout'),
  Identity: routed('Identity'),
  Flatten: routed('Flatten'),
  Reshape: routed('Reshape'),
  Squeeze: routed('Squeeze'),
  Unsqueeze: routed('Unsqueeze'),
  Transpose: routed('Transpose'),
  Concat: routed('Concat'),
  Split: routed('Split'),
  Pad: routed('Pad'),
  MaxPool: routed('MaxPool'),
  GlobalMaxPool: routed('GlobalMaxPool'),
  // The gradient of a gate is the plain derivative: unlike the chains, it does not treat g as fixed.
  HardSwish: hardSwish,
};

/** Ops that are affine in their data inputs for LRP: z_j = sum_i c_ij + b_j with c_ij = x_i dz_j/dx_i. */
export const LRP_AFFINE: ReadonlySet<string> = new Set(opsOfKind('affine'));

/** Element-wise activations pass relevance through unchanged in LRP (the next layer's rule sees them). */
export const LRP_IDENTITY: ReadonlySet<string> = new Set<TraversedOp>([
  'Relu',
  'LeakyRelu',
  'Clip',
  'HardSwish',
]);

/**
 * One LRP-epsilon step (Bach et al. 2015; Montavon et al. 2019): for an affine node,
 *   R_i = x_i * sum_j (dz_j/dx_i) R_j / (z_j + eps * sgn(z_j)),   sgn(0) = +1,
 * which is the node's own VJP applied to R / z_eps and multiplied by the input. z includes the bias, so
 * the bias absorbs its share as in standard LRP. Activations pass R through; max pooling routes R to the
 * argmax (winner takes all) and the movement ops move it, exactly as for gradients.
 */
export function relevanceStep(
  g: IrGraph,
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  rOut: readonly Float64Array[],
  epsilon: number,
): InputGrads {
  if (LRP_IDENTITY.has(node.opType)) return only(node, 0, rOut[0]);
  const vjp = node.domain === '' ? ownEntry(VJPS, node.opType) : undefined;
  if (!vjp) throw new Error(`LRP: op ${node.opType} is not supported (node '${node.name}')`);
  if (!LRP_AFFINE.has(node.opType)) return vjp(g, node, values, rOut);
  if ((node.opType === 'Mul' || node.opType === 'Div') && node.inputs.every((n) => isData(g, n))) {
    throw new Error(`LRP: ${describe(node)} multiplies two data tensors; it is not affine`);
  }
  const z = outputValue(values, node).data;
  const [r] = rOut;
  // No relevance, no flow: a unit with R_j = 0 contributes nothing even when its stabilised z_j is 0.
  const s = r.map((v, j) => (v === 0 ? 0 : v / (z[j] + (z[j] >= 0 ? epsilon : -epsilon))));
  return vjp(g, node, values, [s]).map((grad, k) => {
    if (!grad) return null;
    const x = inputValue(values, node, k).data;
    return grad.map((v, i) => v * x[i]);
  });
}
