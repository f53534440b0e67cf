/**
 * Reverse-mode walk over the graph: seeds on some tensors (usually the logits) are carried down to every
 * data tensor by the per-op products of adjoints.ts, summing over consumers (fan-out) before a producer is
 * processed, as the double chain does (PANE-SPEC 4.3, 4.7).
 */
import type { IrGraph, IrNode } from '../onnx/ir';
import { findLogits, softmax } from '../pane/heads';
import { isData, ownEntry } from '../pane/ops';
import type { Tensor } from '../tensor';
import { relevanceStep, VJPS, type InputGrads } from './adjoints';

/** What travels down: the gradient, or LRP-epsilon relevance on the same adjoints. */
export type BackwardMode = { kind: 'gradient' } | { kind: 'lrp-epsilon'; epsilon: number };

const GRADIENT: BackwardMode = { kind: 'gradient' };

function outputGrads(
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  grads: ReadonlyMap<string, Float64Array>,
): Float64Array[] | null {
  if (!node.outputs.some((o) => grads.has(o))) return null;
  return node.outputs.map((o) => grads.get(o) ?? new Float64Array(values.get(o)?.data.length ?? 0));
}

function step(
  g: IrGraph,
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  gOut: Float64Array[],
  mode: BackwardMode,
): InputGrads {
  if (mode.kind === 'lrp-epsilon') return relevanceStep(g, node, values, gOut, mode.epsilon);
  const vjp = node.domain === '' ? ownEntry(VJPS, node.opType) : undefined;
  if (!vjp) throw new Error(`no gradient for op ${node.opType} (node '${node.name}')`);
  return vjp(g, node, values, gOut);
}

/**
 * Carry `seeds` (flat arrays on named tensors) down the graph. Returns the result on every data tensor
 * reached, graph inputs included. `values` are the forward values of one image (runForward's map).
 */
export function backward(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  seeds: ReadonlyMap<string, Float64Array>,
  mode: BackwardMode = GRADIENT,
): Map<string, Float64Array> {
  const grads = new Map<string, Float64Array>();
  for (const [name, seed] of seeds) grads.set(name, Float64Array.from(seed));
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    const gOut = outputGrads(node, values, grads);
    if (!gOut) continue;
    step(g, node, values, gOut, mode).forEach((grad, k) => {
      const name = node.inputs[k];
      if (!grad || !isData(g, name)) return;
      const have = grads.get(name);
      // A step may hand back its incoming array (pass-through, Add): copy before anything accumulates.
      if (!have) grads.set(name, Float64Array.from(grad));
      else for (let j = 0; j < have.length; j++) have[j] += grad[j];
    });
  }
  return grads;
}

/** Logits and their name (the input of a final Softmax-like node, else the graph output). */
export function logitsOf(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
): { name: string; data: Float64Array } {
  const { logits } = findLogits(g);
  const t = values.get(logits);
  if (!t) throw new Error(`no forward value for the logits '${logits}'`);
  return { name: logits, data: t.data };
}

/** Seed e_t on the logits: the backward pass gives d logit_t / d tensor. */
export function logitSeed(g: IrGraph, values: ReadonlyMap<string, Tensor>, target: number) {
  const { name, data } = logitsOf(g, values);
  const seed = new Float64Array(data.length);
  seed[target] = 1;
  return new Map([[name, seed]]);
}

/** Seed of the cross-entropy loss -log softmax(l)_t: softmax(l) - e_t on the logits. */
export function lossSeed(g: IrGraph, values: ReadonlyMap<string, Tensor>, target: number) {
  const { name, data } = logitsOf(g, values);
  const seed = softmax(data);
  seed[target] -= 1;
  return new Map([[name, seed]]);
}

/** The gradient with respect to the (first) graph input. */
export function inputGradient(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  seeds: ReadonlyMap<string, Float64Array>,
  mode: BackwardMode = GRADIENT,
): Float64Array {
  const input = g.inputs[0].name;
  const grads = backward(g, values, seeds, mode);
  return grads.get(input) ?? new Float64Array(values.get(input)?.data.length ?? 0);
}
