/**
 * Facts about a prepared graph that the chain compiler and the ort engine need before any explanation:
 * which forward values the chain reads (onnxruntime exposes exactly those), and which values are
 * non-negative by construction (their negative part is 0, so the alphabeta rule skips its x- passes).
 */
import { scalarArg } from '../../core/onnx/canonical';
import type { IrGraph, IrNode } from '../../core/onnx/ir';
import { findLogits } from '../../core/pane/heads';
import { layerList } from '../../core/pane/layers';
import { chainOpKind, fluxInputs, fluxOutputs, isChainOp, isData } from '../../core/pane/ops';

/** Ops whose output holds only values of their data inputs (or averages of them). */
const VALUE_PRESERVING = new Set([
  'MaxPool',
  'GlobalMaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'ReduceMean',
  'Flatten',
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Transpose',
  'Identity',
  'Dropout',
  'Split',
  'Concat',
]);

function producesNonNegative(g: IrGraph, node: IrNode, known: ReadonlySet<string>): boolean {
  if (node.domain !== '') return false;
  if (node.opType === 'Relu' || node.opType === 'Sigmoid') return true;
  if (node.opType === 'Clip') {
    const args = node.inputs.map((name) => g.initializers.get(name));
    return (scalarArg(node, args, 'min') ?? -Infinity) >= 0;
  }
  if (!VALUE_PRESERVING.has(node.opType)) return false;
  const operands = node.opType === 'Concat' ? node.inputs : node.inputs.slice(0, 1);
  return operands.every((name) => {
    if (isData(g, name)) return known.has(name);
    const t = g.initializers.get(name);
    return t !== undefined && t.data.every((v) => v >= 0);
  });
}

/** Values that are >= 0 for every input: outputs of Relu (Sigmoid, Clip at >= 0) and what only moves them. */
export function nonNegativeValues(g: IrGraph): Set<string> {
  const known = new Set<string>();
  for (const node of g.nodes) {
    if (producesNonNegative(g, node, known)) for (const o of node.outputs) if (o !== '') known.add(o);
  }
  return known;
}

/** The forward values one node's chain step reads (PANE-SPEC 4.3), whatever the rule. */
function valuesReadBy(g: IrGraph, node: IrNode): string[] {
  if (!isChainOp(node)) return [];
  switch (chainOpKind(node)) {
    case 'affine':
      // The contributions (data inputs) and the polarity sigma of the output.
      return [...node.inputs.filter((name) => isData(g, name)), node.outputs[0]];
    case 'route':
      return [node.inputs[0], node.outputs[0]];
    case 'gate':
      return [node.outputs[0]];
    case 'pass':
      // Clip compares its input with the bounds when saturated outputs are absorbed.
      return node.opType === 'Clip' ? [node.inputs[0]] : [];
    case 'terminal':
      return [];
  }
}

/**
 * Every forward value the compiled chain may read for any options (the nodes mass flows through), plus the
 * values between the logits and the affine nodes that produce them (the 'excitation' start mass walks that
 * path, spec 4.4). Graph inputs are included; the caller has them without asking onnxruntime.
 */
export function chainForwardValues(g: IrGraph): string[] {
  const { logits } = findLogits(g);
  const producer = new Map<string, IrNode>();
  for (const node of g.nodes) for (const o of node.outputs) producer.set(o, node);
  const read = new Set<string>([logits]);
  const pending = [logits];
  while (pending.length > 0) {
    const node = producer.get(pending.pop()!);
    if (!node || !isChainOp(node) || chainOpKind(node) === 'affine') continue;
    for (const k of fluxInputs(g, node)) {
      read.add(node.inputs[k]);
      pending.push(node.inputs[k]);
    }
  }
  const carrying = new Set(layerList(g).map((l) => l.tensor));
  for (const node of g.nodes) {
    if (fluxOutputs(node).some((o) => carrying.has(o)))
      for (const name of valuesReadBy(g, node)) read.add(name);
  }
  return [...read].filter((name) => isData(g, name));
}
