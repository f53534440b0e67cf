/**
 * Element-wise affine nodes, each data input contributing c_j = s_j x_idx(j) (PANE-SPEC 4.3): Add, Sum
 * and Sub with numpy broadcasting (constant inputs are bias), Mul and Div by a constant, and unfolded
 * BatchNormalization as y = s x + t per channel. Adjoints multiply per output and unbroadcast back to each
 * input's shape with ReduceSum.
 */
import type { IrNode } from '../../core/onnx/ir';
import { batchNormAffine, batchNormEpsilon, batchNormParams } from '../../core/onnx/batch-norm';
import { broadcastDims } from '../../core/onnx/shapeRules';
import { isData, type AffineOp, type OpTable } from '../../core/pane/ops';
import { expandTo } from '../../core/onnx/broadcast';
import type { Tensor } from '../../core/tensor';
import { once, sumOf, unbroadcast, zeros, type GraphAffineView, type GraphViewFactory } from './affine-view';
import { describe, type CompileContext } from './context';

interface Term {
  input: number;
  /** The contributions of this input, in dims broadcastable to the output. */
  c: string;
  /** The input's own dims, which its flux must have. */
  inDims: number[];
  /** k times dc/dx (per output, before unbroadcasting): the term's share of the node's gradient. */
  slope(k: string): string;
}

function elementwiseView(
  ctx: CompileContext,
  node: IrNode,
  terms: Term[],
  bias: Tensor | null,
  outDims: number[],
): GraphAffineView {
  const b = ctx.b;
  const pos = terms.map((t) => once(() => b.relu(t.c)));
  const neg = terms.map((t) => once(() => b.relu(b.neg(t.c))));
  // Every term's flux: its per-output products (out dims, as k has them), summed back onto its input.
  const perTerm = (product: (i: number) => string | null) => {
    const inputs = new Array<string | null>(node.inputs.length).fill(null);
    terms.forEach((t, i) => {
      const v = product(i);
      inputs[t.input] = v === null ? zeros(b, t.inDims) : unbroadcast(b, v, outDims, t.inDims);
    });
    return inputs;
  };
  return {
    bias,
    gross: () => b.sum(terms.map((t) => b.abs(t.c))),
    split: () => ({ pos: b.sum(pos.map((p) => p())), neg: b.sum(neg.map((n) => n())) }),
    absAdjoint: (k) => perTerm((i) => b.mul(b.abs(terms[i].c), k)),
    signedAdjoint: (k) => perTerm((i) => b.mul(terms[i].c, k)),
    gradient: (k) => perTerm((i) => terms[i].slope(k)),
    adjoint: (kPos, kNeg) =>
      perTerm((i) => sumOf(b, [kPos && b.mul(pos[i](), kPos), kNeg && b.mul(neg[i](), kNeg)])),
  };
}

/** Add, Sum and Sub: data inputs contribute +-x; constant inputs are bias (spec 4.3). */
function sumView(ctx: CompileContext, node: IrNode): GraphAffineView {
  const outDims = ctx.dims(node.outputs[0]);
  const terms: Term[] = [];
  const constants: { sign: number; t: Tensor }[] = [];
  node.inputs.forEach((name, k) => {
    const sign = node.opType === 'Sub' && k === 1 ? -1 : 1;
    if (isData(ctx.g, name)) {
      const x = ctx.forward(name);
      terms.push({
        input: k,
        c: sign < 0 ? ctx.b.neg(x) : x,
        inDims: ctx.dims(name),
        slope: (v) => (sign < 0 ? ctx.b.neg(v) : v),
      });
    } else {
      constants.push({ sign, t: ctx.requiredConstant(node, k) });
    }
  });
  let bias: Tensor | null = null;
  if (constants.length > 0) {
    const dims = broadcastDims(...constants.map((c) => c.t.dims));
    const data = new Float64Array(dims.reduce((p, d) => p * d, 1));
    for (const { sign, t } of constants) {
      const v = expandTo(t.data, t.dims, dims);
      for (let j = 0; j < data.length; j++) data[j] += sign * v[j];
    }
    bias = { dims, data };
  }
  return elementwiseView(ctx, node, terms, bias, outDims);
}

/** Mul by a constant (either side) and Div of data by a constant: c = x * s or x / s, as the forward pass. */
function scaleView(ctx: CompileContext, node: IrNode): GraphAffineView {
  const data = node.inputs.map((name) => isData(ctx.g, name));
  if (data[0] === data[1]) {
    throw new Error(
      `${describe(node)}: needs exactly one data operand (a product of two data tensors is not affine)`,
    );
  }
  const d = data[0] ? 0 : 1;
  if (node.opType === 'Div' && d !== 0)
    throw new Error(`${describe(node)}: a constant divided by data is not affine`);
  const s = ctx.requiredConstant(node, 1 - d);
  const x = ctx.forward(node.inputs[d]);
  const factor = ctx.b.floats(s.dims, s.data);
  const slope = (v: string) => ctx.b.op(node.opType, [v, factor]);
  const outDims = ctx.dims(node.outputs[0]);
  const term = { input: d, c: slope(x), inDims: ctx.dims(node.inputs[d]), slope };
  return elementwiseView(ctx, node, [term], null, outDims);
}

/** Unfolded BatchNormalization: y = s x + shift per channel (core/onnx/batch-norm, spec 4.3). */
function batchNormView(ctx: CompileContext, node: IrNode): GraphAffineView {
  const xName = ctx.dataInput(node, 0);
  const xDims = ctx.dims(xName);
  const params = batchNormParams([1, 2, 3, 4].map((k) => ctx.requiredConstant(node, k).data));
  const { slope: s, shift } = batchNormAffine(params, batchNormEpsilon(node));
  const channel = [1, s.length, ...new Array<number>(xDims.length - 2).fill(1)];
  const x = ctx.forward(xName);
  const factor = ctx.b.floats(channel, s);
  const slope = (v: string) => ctx.b.mul(v, factor);
  const term = { input: 0, c: slope(x), inDims: xDims, slope };
  return elementwiseView(ctx, node, [term], { dims: channel, data: shift }, xDims);
}

export const ELEMENTWISE_VIEWS = {
  Add: sumView,
  Sub: sumView,
  Sum: sumView,
  Mul: scaleView,
  Div: scaleView,
  BatchNormalization: batchNormView,
} as const satisfies Partial<OpTable<AffineOp, GraphViewFactory>>;
