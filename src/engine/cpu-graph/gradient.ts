/**
 * The vector-Jacobian product of the logits as one float32 ONNX model of standard ops: the gradient-type
 * baselines (vanilla gradient, gradient x input, Integrated Gradients, SmoothGrad, Grad-CAM) on
 * onnxruntime, which has no autograd. PANE-SPEC 4.8: the gradient travels through the engine's own linear
 * adjoints (Lin*(k; W) of the chain compiler's views, without the chain's factor x), ReLU masks and the max
 * pooling routes, exactly as the float64 baselines do it (core/baselines/adjoints.ts), which are the oracle.
 *
 * Inputs:  GRAD_SEED, the seed on the logits (e_t for d logit_t / d x), and the forward values the masks
 *          and routes read (forwardInputName(name), from the forward pass).
 * Outputs: the gradient at every requested tensor (by default the graph input and Grad-CAM's feature
 *          tensor); CompiledGradient says which output holds which.
 *
 * With `lrpEpsilon` the same walk computes LRP-epsilon's relevance instead (adjoints.ts relevanceStep): an
 * affine node applies its product to R / (z + eps sgn z) and multiplies by its input, activations pass R
 * through, the routes move it as they move a gradient; the seed is then the relevance on the logits.
 *
 * The walk is compileChain's: nodes in reverse order, a tensor's gradient summed over its consumers before
 * its producer is processed. Only the ops adjoints.ts has a product for are taken; anything else, or a form
 * the graph cannot write, throws GradientGraphError naming the node, so a caller can fall back to float64.
 */
import { LRP_AFFINE, LRP_IDENTITY, VJPS } from '../../core/baselines/adjoints';
import { lastConvLayer } from '../../core/baselines/gradcam';
import { scalarArg } from '../../core/onnx/canonical';
import type { IrGraph, IrNode } from '../../core/onnx/ir';
import { onnx, type OnnxTypes } from '../../core/onnx/proto';
import { findLogits } from '../../core/pane/heads';
import { effectiveOptions } from '../../core/pane/options';
import { fluxOutputs, isData, ownEntry } from '../../core/pane/ops';
import { GRAPH_AFFINE_VIEWS } from './affine-rule';
import { unbroadcast, zeros } from './affine-view';
import { GraphBuilder } from './builder';
import { CompileContext, describe, forwardInputName } from './context';
import { ROUTES } from './routing';

export const GRAD_SEED = 'grad/seed';

/** A node the gradient graph cannot take; the float64 baselines may still (see the module comment). */
export class GradientGraphError extends Error {
  constructor(
    readonly node: string,
    readonly opType: string,
    reason: string,
  ) {
    super(`${opType} '${node}': ${reason}`);
    this.name = 'GradientGraphError';
  }
}

export interface CompiledGradient {
  model: Uint8Array;
  /** IR values the model reads, each fed as forwardInputName(name). */
  forwardValues: string[];
  /** The tensor GRAD_SEED sits on. */
  logits: string;
  /** Requested tensors and the outputs that hold their gradients. */
  gradients: { tensor: string; output: string }[];
}

/** The graph input, and Grad-CAM's feature tensor where the model has one (gradcam.ts). */
export function defaultGradientTensors(g: IrGraph): string[] {
  const input = g.inputs[0].name;
  try {
    return [input, lastConvLayer(g)];
  } catch {
    return [input];
  }
}

function fail(node: IrNode, reason: string): never {
  throw new GradientGraphError(node.name, node.opType, reason);
}

/** The forward value of a Clip bound (attribute or constant input); data bounds are refused. */
function clipBound(ctx: CompileContext, node: IrNode, which: 'min' | 'max'): number | undefined {
  const k = which === 'min' ? 1 : 2;
  if (isData(ctx.g, node.inputs[k] ?? ''))
    fail(node, `a ${which} bound computed at run time is not supported`);
  return scalarArg(node, ctx.constantArgs(node), which);
}

/**
 * Element-wise activations: the gradient times the slope at the forward input, with adjoints.ts's
 * subgradients at the kinks (Relu and Clip pass nothing where the input sits on a kink, LeakyRelu its
 * identity side at 0).
 */
function activation(ctx: CompileContext, node: IrNode, gy: string): string {
  const b = ctx.b;
  const x = ctx.forward(node.inputs[0]);
  const zero = b.scalar(0);
  if (node.opType === 'Relu') return b.where(b.op('Greater', [x, zero]), gy, zero);
  if (node.opType === 'LeakyRelu') {
    const alpha = typeof node.attrs.alpha === 'number' ? node.attrs.alpha : 0.01;
    return b.where(b.op('GreaterOrEqual', [x, zero]), gy, b.mul(gy, b.scalar(alpha)));
  }
  if (node.opType === 'HardSwish') {
    // Slope x/3 + 1/2 on the ramp (-3, 3), 0 at or below it, 1 at or above it.
    const ramp = b.add(b.op('Div', [x, b.scalar(3)]), b.scalar(0.5));
    const slope = b.where(
      b.op('LessOrEqual', [x, b.scalar(-3)]),
      zero,
      b.where(b.op('GreaterOrEqual', [x, b.scalar(3)]), b.scalar(1), ramp),
    );
    return b.mul(gy, slope);
  }
  const lo = clipBound(ctx, node, 'min') ?? -Infinity;
  const hi = clipBound(ctx, node, 'max') ?? Infinity;
  const inside = [
    Number.isFinite(lo) ? b.op('Greater', [x, b.scalar(lo)]) : null,
    Number.isFinite(hi) ? b.op('Less', [x, b.scalar(hi)]) : null,
  ].filter((v): v is string => v !== null);
  if (inside.length === 0) return gy;
  return b.where(inside.length === 1 ? inside[0] : b.op('And', inside), gy, zero);
}

/** Mul and Div of two data tensors: the product and quotient rules, unbroadcast to each operand. */
function product(ctx: CompileContext, node: IrNode, gy: string): string[] {
  const b = ctx.b;
  const [x, y] = [0, 1].map((k) => ctx.forward(node.inputs[k]));
  const outDims = ctx.dims(node.outputs[0]);
  const back = (v: string, k: number) => unbroadcast(b, v, outDims, ctx.dims(node.inputs[k]));
  if (node.opType === 'Mul') return [back(b.mul(gy, y), 0), back(b.mul(gy, x), 1)];
  // d(x / y)/dy = -x / y^2, in adjoints.ts's order of operations.
  const gyOverY = b.op('Div', [gy, y]);
  return [back(gyOverY, 0), back(b.neg(b.op('Div', [b.mul(gy, x), b.mul(y, y)])), 1)];
}

/**
 * LRP-epsilon at an affine node (adjoints.ts relevanceStep): s = R / (z + eps sgn z), sgn(0) = +1, and 0
 * where R is 0; then the node's product of s, times each input.
 */
function relevanceAffine(ctx: CompileContext, node: IrNode, r: string, epsilon: number): (string | null)[] {
  const view = ownEntry(GRAPH_AFFINE_VIEWS, node.opType);
  if (!view) fail(node, `LRP: the gradient graph has no affine view of ${node.opType}`);
  const b = ctx.b;
  const z = ctx.forward(node.outputs[0]);
  const zero = b.scalar(0);
  const stabilised = b.add(
    z,
    b.where(b.op('GreaterOrEqual', [z, zero]), b.scalar(epsilon), b.scalar(-epsilon)),
  );
  const s = b.where(b.op('Equal', [r, zero]), zero, b.op('Div', [r, stabilised]));
  return view(ctx, node)
    .gradient(s)
    .map((v, k) => (v === null ? null : b.mul(v, ctx.forward(node.inputs[k]))));
}

/**
 * Gradients of a node's inputs (null where none flows) from the gradients of its outputs; with
 * `lrpEpsilon`, LRP-epsilon's relevance instead.
 */
function gradientStep(
  ctx: CompileContext,
  node: IrNode,
  outs: (string | null)[],
  lrpEpsilon: number | undefined,
): (string | null)[] {
  const op = node.opType;
  if (node.domain !== '' || !Object.hasOwn(VJPS, op)) fail(node, `no gradient for op ${op}`);
  const gy = outs[0]!;
  const only = (v: string) => node.inputs.map((_, k) => (k === 0 ? v : null));
  const twoData = (op === 'Mul' || op === 'Div') && node.inputs.every((name) => isData(ctx.g, name));
  if (lrpEpsilon !== undefined) {
    if (LRP_IDENTITY.has(op)) return only(gy);
    if (twoData) fail(node, 'LRP: it multiplies two data tensors; it is not affine');
    if (LRP_AFFINE.has(op)) return relevanceAffine(ctx, node, gy, lrpEpsilon);
  }
  if (op === 'Relu' || op === 'LeakyRelu' || op === 'Clip' || op === 'HardSwish')
    return only(activation(ctx, node, gy));
  if (twoData) return product(ctx, node, gy);
  const view = ownEntry(GRAPH_AFFINE_VIEWS, op);
  if (view) return view(ctx, node).gradient(gy);
  if (op === 'Pad' && (node.attrs.mode ?? 'constant') !== 'constant')
    fail(node, `the gradient of ${String(node.attrs.mode)} padding is not supported`);
  const route = ownEntry(ROUTES, op);
  if (!route) fail(node, `the gradient graph has no rule for ${op}`);
  // The routes move T and R alike and linearly: the gradient rides as R (T's copies are pruned).
  return route(
    ctx,
    node,
    outs.map((v) => (v === null ? null : { T: v, R: v })),
  ).inputs.map((f) => f && f.R);
}

/**
 * Drops what nothing published reads: the views write some values on creation (the contributions, the
 * forward value x) that the gradient never uses, and the routes' T copies; the forward inputs left are
 * exactly those the gradient reads.
 */
function prune(bytes: Uint8Array): { model: Uint8Array; read: Set<string> } {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const read = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const kept: OnnxTypes.INodeProto[] = [];
  const nodes = graph.node ?? [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (!(nodes[i].output ?? []).some((o) => read.has(o))) continue;
    kept.push(nodes[i]);
    for (const v of nodes[i].input ?? []) read.add(v);
  }
  graph.node = kept.reverse();
  graph.input = (graph.input ?? []).filter((v) => read.has(v.name ?? '') || v.name === GRAD_SEED);
  graph.initializer = (graph.initializer ?? []).filter((t) => read.has(t.name ?? ''));
  return { model: onnx.ModelProto.encode(model).finish(), read };
}

/** `lrpEpsilon`: compile LRP-epsilon's relevance with this stabiliser instead of the gradient. */
export function compileGradient(
  g: IrGraph,
  tensors = defaultGradientTensors(g),
  lrpEpsilon?: number,
): CompiledGradient {
  const b = new GraphBuilder();
  // Sign facts only speed up the chain's |x| passes, which the gradient never writes.
  const ctx = new CompileContext(b, g, effectiveOptions({}), new Set());
  const { logits } = findLogits(g);
  const received = new Map<string, string[]>([[logits, [b.input(GRAD_SEED, ctx.dims(logits))]]]);
  const settled = new Map<string, string>();
  const gradOf = (name: string): string | null => {
    const done = settled.get(name);
    if (done) return done;
    const parts = received.get(name);
    if (!parts) return null;
    const sum = b.sum(parts);
    settled.set(name, sum);
    return sum;
  };

  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    const outs = fluxOutputs(node).map(gradOf);
    if (outs.every((v) => v === null)) continue;
    let inputs: (string | null)[];
    try {
      inputs = gradientStep(ctx, node, outs, lrpEpsilon);
    } catch (e) {
      if (e instanceof GradientGraphError) throw e;
      // The views' and routes' own refusals already name the node.
      const message = (e as Error).message.replace(`${describe(node)}: `, '');
      fail(node, message);
    }
    inputs.forEach((v, k) => {
      const name = node.inputs[k];
      if (v && isData(g, name)) received.set(name, [...(received.get(name) ?? []), v]);
    });
  }

  const gradients = tensors.map((tensor) => ({
    tensor,
    output: b.publish(gradOf(tensor) ?? zeros(b, ctx.dims(tensor))),
  }));
  const { model, read } = prune(b.build());
  const forwardValues = ctx.forwardNames().filter((name) => read.has(forwardInputName(name)));
  return { model, forwardValues, logits, gradients };
}
