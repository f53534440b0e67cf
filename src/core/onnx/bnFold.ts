/**
 * BatchNormalization folding (PANE-SPEC 4.3): a BN that directly follows a Conv, or a Gemm, whose output
 * nothing else reads and which is not a graph output, is merged into that node's weights and bias:
 *   s = scale / sqrt(var + eps),  W' = W * s (per output channel),  b' = (b - mean) * s + B  (batch-norm.ts).
 * The merged node keeps the Conv/Gemm's name and takes the BN's output name, so the tensor can still be
 * fetched by name from onnxruntime running the original model.
 */
import { batchNormAffine, batchNormEpsilon, batchNormParams } from './batch-norm';
import { expandTo } from './broadcast';
import { numel, type Tensor } from '../tensor';
import type { AttrValue, ElemType, IrGraph, IrNode } from './ir';
import { broadcastDims } from './shapeRules';
import { consumersOf } from './topology';

interface BnParams {
  /** Per-channel scale s and shift t of y = s x + t. */
  scale: Float64Array;
  shift: Float64Array;
}

function bnParams(bn: IrNode, consts: ReadonlyMap<string, Tensor>): BnParams | undefined {
  const p = bn.inputs.slice(1, 5).map((n) => consts.get(n));
  if (p.length !== 4 || p.some((t) => !t)) return undefined;
  const { slope, shift } = batchNormAffine(batchNormParams(p.map((t) => t!.data)), batchNormEpsilon(bn));
  return { scale: slope, shift };
}

interface Folded {
  weight: Tensor;
  bias: Tensor;
  attrs: Readonly<Record<string, AttrValue>>;
}

/** Conv: W [M, C/g, k...] scaled per output channel m; b' = b s + t. */
function foldConv(conv: IrNode, consts: ReadonlyMap<string, Tensor>, bn: BnParams): Folded | undefined {
  const W = consts.get(conv.inputs[1]);
  const b = conv.inputs[2] ? consts.get(conv.inputs[2]) : undefined;
  if (!W || (conv.inputs[2] && !b) || W.dims[0] !== bn.scale.length) return undefined;
  const M = W.dims[0];
  const per = numel(W.dims) / M;
  const w = new Float64Array(W.data.length);
  const bias = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    for (let i = m * per; i < (m + 1) * per; i++) w[i] = W.data[i] * bn.scale[m];
    bias[m] = (b ? b.data[m] : 0) * bn.scale[m] + bn.shift[m];
  }
  return { weight: { dims: [...W.dims], data: w }, bias: { dims: [M], data: bias }, attrs: conv.attrs };
}

/**
 * Gemm: Y = alpha A op(B) + beta C with N output columns; column n of op(B) (a row of B when transB) is
 * scaled, and C' = (beta C) s + t becomes the bias with beta = 1.
 */
function foldGemm(gemm: IrNode, consts: ReadonlyMap<string, Tensor>, bn: BnParams): Folded | undefined {
  const B = consts.get(gemm.inputs[1]);
  const C = gemm.inputs[2] ? consts.get(gemm.inputs[2]) : undefined;
  if (!B || (gemm.inputs[2] && !C)) return undefined;
  const transB = gemm.attrs.transB === 1;
  const N = transB ? B.dims[0] : B.dims[1];
  if (N !== bn.scale.length) return undefined;
  const K = transB ? B.dims[1] : B.dims[0];
  const w = new Float64Array(B.data.length);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const i = transB ? n * K + k : k * N + n;
      w[i] = B.data[i] * bn.scale[n];
    }
  }
  const beta = typeof gemm.attrs.beta === 'number' ? gemm.attrs.beta : 1;
  const cDims = C ? broadcastDims(C.dims, [N]) : [N];
  const c = C ? expandTo(C.data, C.dims, cDims) : new Float64Array(N);
  const bias = new Float64Array(c.length);
  for (let i = 0; i < bias.length; i++) bias[i] = beta * c[i] * bn.scale[i % N] + bn.shift[i % N];
  return {
    weight: { dims: [...B.dims], data: w },
    bias: { dims: cDims, data: bias },
    attrs: { ...gemm.attrs, beta: 1 },
  };
}

function freshName(base: string, taken: ReadonlyMap<string, unknown>): string {
  let name = base;
  while (taken.has(name)) name += '_';
  return name;
}

export function foldBatchNorm(g: IrGraph): IrGraph {
  const consumers = consumersOf(g);
  const graphOutputs = new Set(g.outputs.map((v) => v.name));
  const producer = new Map<string, IrNode>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);

  const consts = new Map(g.initializers);
  const types = new Map<string, ElemType>(g.constTypes);
  const shapes = new Map(g.shapes);
  const replaced = new Map<IrNode, IrNode>();
  const removed = new Set<IrNode>();

  for (const bn of g.nodes) {
    if (bn.opType !== 'BatchNormalization' || bn.domain !== '') continue;
    // Training-mode outputs (running statistics) in use: not an inference BN.
    if (bn.outputs.slice(1).some((o) => o && (consumers.has(o) || graphOutputs.has(o)))) continue;
    const x = bn.inputs[0];
    const lin = producer.get(x);
    if (!lin || lin.domain !== '' || replaced.has(lin)) continue;
    if (consumers.get(x)?.length !== 1 || graphOutputs.has(x)) continue;
    const params = bnParams(bn, consts);
    if (!params) continue;
    const folded =
      lin.opType === 'Conv'
        ? foldConv(lin, consts, params)
        : lin.opType === 'Gemm'
          ? foldGemm(lin, consts, params)
          : undefined;
    if (!folded) continue;

    const out = bn.outputs[0];
    const wName = freshName(`${out}.folded_weight`, consts);
    consts.set(wName, folded.weight);
    const bName = freshName(`${out}.folded_bias`, consts);
    consts.set(bName, folded.bias);
    for (const name of [wName, bName]) {
      types.set(name, 'float32');
      shapes.set(name, consts.get(name)!.dims);
    }
    shapes.delete(x);
    replaced.set(lin, { ...lin, inputs: [lin.inputs[0], wName, bName], outputs: [out], attrs: folded.attrs });
    removed.add(bn);
  }
  const nodes = g.nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
  return { ...g, nodes, initializers: consts, constTypes: types, shapes };
}
