/**
 * Which nodes the double chain can traverse (PANE-SPEC 4.3), and whether a graph looks like an image
 * classifier at all. Only nodes on a path from the data input to the logits matter: constant subgraphs
 * are folded away before this runs, and what follows the logits is the head's business. Of those, the
 * nodes the chain walks through (from the logits back along mass-carrying inputs) need a rule; nodes that
 * only compute a gate (the squeeze-and-excitation branch, the Sigmoid of a SiLU) receive no mass and need
 * only a float64 forward evaluator.
 */
import type { IrGraph, IrNode } from './ir';
import { intArgInputs } from './canonical';
import { isSpatialMean } from './geometry';
import { SUBGRAPH_ATTR } from './parse';
import { isFloatType } from './proto';
import { hasEvaluator } from '../reference/forward';
import { CHAIN_OP_KINDS, chainOpKind, fluxInputs, fluxOutputs, isChainOp } from '../pane/ops';

const KINDS = Object.entries(CHAIN_OP_KINDS);

/** Ops with a double-chain rule (some only with constant operands, see `unsupportedReason`): pane/ops' table. */
export const CHAIN_OPS: ReadonlySet<string> = new Set(
  KINDS.filter(([, k]) => k !== 'terminal').map(([op]) => op),
);

/** Output activations the chain does not traverse: the head is defined on their input (spec 4.4). */
export const TERMINAL_OPS: ReadonlySet<string> = new Set(
  KINDS.filter(([, k]) => k === 'terminal').map(([op]) => op),
);

export interface UnsupportedNode {
  opType: string;
  node: string;
  reason: string;
}

export interface CoverageReport {
  ok: boolean;
  unsupported: UnsupportedNode[];
  /** Op type -> number of nodes between the input and the logits (terminal activations included). */
  opCounts: Record<string, number>;
  /** Op type -> those nodes' names, in graph order. */
  nodes: Record<string, string[]>;
  /** The logits tensor: input of a final Softmax/LogSoftmax/Sigmoid, else the graph output. */
  logits: string;
}

export class CoverageError extends Error {
  constructor(readonly report: CoverageReport) {
    const list = report.unsupported.map((u) => `${u.opType} '${u.node}' (${u.reason})`).join('; ');
    super(`the double chain cannot traverse ${report.unsupported.length} node(s): ${list}`);
    this.name = 'CoverageError';
  }
}

/** Terminal activation nodes producing graph outputs, and the logits tensor they read. */
function findTerminal(g: IrGraph): { logits: string; terminal: Set<IrNode> } {
  const output = g.outputs[0]?.name ?? '';
  const producer = g.nodes.find((n) => n.outputs.includes(output));
  if (producer && producer.domain === '' && TERMINAL_OPS.has(producer.opType)) {
    return { logits: producer.inputs[0], terminal: new Set([producer]) };
  }
  return { logits: output, terminal: new Set() };
}

/** Ops that are traversed only as gates (docs/bring-your-own-model.md "Gating products"). */
const GATE_ONLY_OPS = new Set(['HardSigmoid', 'Tanh']);

function unsupportedReason(g: IrGraph, node: IrNode, isData: (name: string) => boolean): string | undefined {
  const data = (i: number) => !!node.inputs[i] && isData(node.inputs[i]);
  if (node.attrs[SUBGRAPH_ATTR] !== undefined) return 'control flow with a subgraph (If/Loop/Scan)';
  if (node.domain !== '') return `op of domain '${node.domain}' has no double-chain rule`;
  if (TERMINAL_OPS.has(node.opType)) {
    const gate = node.opType === 'Sigmoid' ? ' or as a gate (x * Sigmoid(...))' : '';
    return `${node.opType} inside the network: only supported as the final activation after the logits${gate}`;
  }
  if (GATE_ONLY_OPS.has(node.opType)) {
    return `no double-chain rule for ${node.opType} (supported only as a gate: x * ${node.opType}(...))`;
  }
  if (!CHAIN_OPS.has(node.opType)) return `no double-chain rule for ${node.opType}`;
  if (chainOpKind(node) === 'gate') return undefined;
  const argData = intArgInputs(node.opType).some(data);
  if (argData) return 'shape or axes argument computed at run time';
  switch (node.opType) {
    case 'Conv':
      return data(1) || data(2) ? 'weights or bias are not constants' : undefined;
    case 'Gemm':
      if (data(1)) return data(0) ? 'product of two data tensors' : 'data tensor as the weight operand B';
      return data(2) ? 'bias C is not a constant' : undefined;
    case 'MatMul':
      return data(0) && data(1)
        ? 'product of two data tensors (MatMul needs one constant operand)'
        : undefined;
    case 'Mul':
      // A Mul of two data tensors whose gate was recognised (onnx/gates.ts) is of kind 'gate', handled above.
      return data(0) && data(1)
        ? 'product of two data tensors, neither a gate (Sigmoid, HardSigmoid, Tanh or bounded Clip output)'
        : undefined;
    case 'ReduceMean': {
      const x = g.shapes.get(node.inputs[0]);
      return x && isSpatialMean(node, x)
        ? undefined
        : `mean over axes [${node.attrs.axes ?? 'all'}]: only the mean over the spatial axes of [N, C, H, W] has a rule`;
    }
    case 'Div':
      return data(1) ? 'division by a data tensor' : undefined;
    case 'BatchNormalization':
      return [1, 2, 3, 4].some(data) ? 'parameters are not constants' : undefined;
    case 'Clip':
      return data(1) || data(2) ? 'bounds are data tensors' : undefined;
    default:
      return undefined;
  }
}

/**
 * Nodes the chain walks through: back from the logits along mass-carrying inputs (pane/ops fluxInputs, which
 * for an op without a rule is every data input, so that everything behind it is examined too).
 */
function massPath(g: IrGraph, logits: string): Set<IrNode> {
  const carrying = new Set([logits]);
  const path = new Set<IrNode>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    const outs = isChainOp(n) ? fluxOutputs(n) : n.outputs;
    if (!outs.some((o) => carrying.has(o))) continue;
    path.add(n);
    for (const k of fluxInputs(g, n)) carrying.add(n.inputs[k]);
  }
  return path;
}

export function coverageReport(g: IrGraph): CoverageReport {
  const { logits, terminal } = findTerminal(g);
  // Forward: values that depend on a data input.
  const dataValues = new Set(g.inputs.map((v) => v.name));
  for (const n of g.nodes) {
    if (n.inputs.some((i) => dataValues.has(i))) for (const o of n.outputs) dataValues.add(o);
  }
  // Backward: values the logits depend on.
  const toLogits = new Set([logits]);
  const onPath = new Set<IrNode>(terminal);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((o) => toLogits.has(o))) continue;
    for (const name of n.inputs) toLogits.add(name);
    if (n.inputs.some((name) => dataValues.has(name))) onPath.add(n);
  }
  const traversed = massPath(g, logits);

  const unsupported: UnsupportedNode[] = [];
  // Keyed by op types read from the model: no prototype, so `__proto__` or `constructor` are plain keys.
  const opCounts: Record<string, number> = Object.create(null) as Record<string, number>;
  const nodes: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const n of g.nodes) {
    if (!onPath.has(n)) continue;
    opCounts[n.opType] = (opCounts[n.opType] ?? 0) + 1;
    (nodes[n.opType] ??= []).push(n.name);
    if (terminal.has(n)) continue;
    const reason = traversed.has(n)
      ? unsupportedReason(g, n, (name) => dataValues.has(name))
      : gateBranchReason(n);
    if (reason) unsupported.push({ opType: n.opType, node: n.name, reason });
  }
  return { ok: unsupported.length === 0, unsupported, opCounts, nodes, logits };
}

/** A node that only computes a gate must still be evaluated by the float64 reference. */
function gateBranchReason(node: IrNode): string | undefined {
  if (hasEvaluator(node)) return undefined;
  return `no float64 forward evaluator for ${node.opType}, which computes a gate`;
}

/** One line per op type: count, node names, and the nodes the chain cannot traverse with the reason. */
export function formatCoverage(report: CoverageReport): string {
  const lines = Object.entries(report.nodes).map(([op, names]) => {
    const bad = report.unsupported.filter((u) => u.opType === op);
    const badNames = new Set(bad.map((u) => u.node));
    const good = names.filter((n) => !badNames.has(n));
    const parts = [`${bad.length ? 'NO' : 'ok'} ${op} x${names.length}`];
    if (good.length) parts.push(`: ${good.join(', ')}`);
    if (bad.length) parts.push(` | cannot traverse: ${bad.map((u) => `${u.node} (${u.reason})`).join(', ')}`);
    return parts.join('');
  });
  return lines.join('\n');
}

/** Ops that make a model something other than a feed-forward CNN: recurrence and control flow. */
const RECURRENT_OPS = new Set(['LSTM', 'GRU', 'RNN', 'Loop', 'If', 'Scan']);

function inputProblem(g: IrGraph): string | null {
  const input = g.inputs[0];
  if (!isFloatType(input.elemType)) {
    return `input '${input.name}' is ${input.elemType}; an image classifier takes a float tensor`;
  }
  const shape = g.shapes.get(input.name) ?? input.shape;
  if (shape.length !== 4) {
    return (
      `input '${input.name}' has rank ${shape.length} ([${shape.join(', ')}]); ` +
      `an image classifier takes a 4-D image [N, C, H, W] (or [N, H, W, C] from TensorFlow)`
    );
  }
  return null;
}

/** The logits must be one score per class: a single axis beyond the batch may exceed 1. */
function outputProblem(g: IrGraph): string | null {
  const { logits } = findTerminal(g);
  const dims = g.shapes.get(logits);
  if (!dims) return null;
  const classAxes = dims.slice(1).filter((d) => d > 1).length;
  if (classAxes <= 1) return null;
  return (
    `output '${logits}' is [${dims.join(', ')}], a map rather than one score per class ` +
    `(a detector or segmenter?)`
  );
}

/**
 * Why `g` is not a single-input image classifier with one output, or null when it looks like one. Every
 * problem found is listed, each saying what was found.
 */
export function describeModelProblem(g: IrGraph): string | null {
  const names = (vs: readonly { name: string }[]) => vs.map((v) => v.name).join(', ');
  const problems: string[] = [];
  if (g.inputs.length === 0) problems.push('model has no data input (every graph input is an initializer)');
  else if (g.inputs.length > 1) {
    problems.push(
      `model has ${g.inputs.length} inputs: ${names(g.inputs)}; an image classifier has exactly one`,
    );
  } else {
    const p = inputProblem(g);
    if (p) problems.push(p);
  }
  if (g.outputs.length !== 1) {
    problems.push(
      `model has ${g.outputs.length} outputs: ${names(g.outputs)}; an image classifier has exactly one`,
    );
  } else {
    const p = outputProblem(g);
    if (p) problems.push(p);
  }
  const recurrent = g.nodes.filter((n) => n.domain === '' && RECURRENT_OPS.has(n.opType));
  if (recurrent.length > 0) {
    const list = recurrent.map((n) => `${n.opType} '${n.name}'`).join(', ');
    problems.push(`model has recurrent or control-flow ops (${list}); a CNN classifier has none`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}
