/**
 * Gating products (docs/bring-your-own-model.md "Gating products"; PANE-SPEC 4.3 has no rule for them):
 * y = x * g where both factors depend on the input, as in SiLU x * Sigmoid(x), squeeze-and-excitation
 * x * Sigmoid(FC(GAP(x))) and hard-swish x * HardSigmoid(x). The gate g is taken as a fixed coefficient of
 * the forward pass, so y is an element-wise linear map of the signal x and the chain flows through x only.
 *
 * This pass finds such Muls and records which operand is the gate (GATE_ATTR = its input index), so that
 * the op table (pane/ops) can give the node the kind 'gate' without looking at the graph again. A gate is
 * recognised by what produces it, never by names: a bounded squashing function (Sigmoid, HardSigmoid, Tanh,
 * a Clip with both bounds, as in Keras' relu6(x + 3) / 6), possibly rescaled or shifted by constants.
 */
import type { IrGraph, IrNode } from './ir';

/** IR-only attribute of a gating Mul: the index (0 or 1) of its gate operand in node.inputs. */
export const GATE_ATTR = '__gate';

/** Ops whose output is a gate: bounded squashing functions. */
const GATE_FUNCTIONS = new Set(['Sigmoid', 'HardSigmoid', 'Tanh']);

/** Element-wise ops through which a gate stays a gate when the other operand is a constant. */
const CONSTANT_RESCALINGS = new Set(['Mul', 'Div', 'Add', 'Sub']);

interface GateContext {
  producer: ReadonlyMap<string, IrNode>;
  isData: (name: string) => boolean;
}

function isBoundedClip(node: IrNode): boolean {
  const { min, max } = node.attrs;
  return typeof min === 'number' && typeof max === 'number' && Number.isFinite(min) && Number.isFinite(max);
}

function isGateValue(name: string, ctx: GateContext): boolean {
  const node = ctx.producer.get(name);
  if (!node || node.domain !== '') return false;
  if (GATE_FUNCTIONS.has(node.opType)) return true;
  if (node.opType === 'Clip') return isBoundedClip(node);
  if (!CONSTANT_RESCALINGS.has(node.opType) || node.inputs.length !== 2) return false;
  const data = node.inputs.map(ctx.isData);
  if (data[0] === data[1]) return false;
  // A constant divided by a gate is not a rescaled gate.
  if (node.opType === 'Div' && !data[0]) return false;
  return isGateValue(node.inputs[data[0] ? 0 : 1], ctx);
}

/**
 * The gate operand of a Mul of two data tensors, or undefined when there is none or it is ambiguous. When
 * both operands look like gates, the broadcast one (fewer elements, as in squeeze-and-excitation) is it.
 */
function gateOperand(node: IrNode, ctx: GateContext, size: (name: string) => number): number | undefined {
  const [a, b] = node.inputs;
  const gates = [isGateValue(a, ctx), isGateValue(b, ctx)];
  if (gates[0] !== gates[1]) return gates[0] ? 0 : 1;
  if (!gates[0]) return undefined;
  const [sa, sb] = [size(a), size(b)];
  if (sa === sb || Number.isNaN(sa) || Number.isNaN(sb)) return undefined;
  return sa < sb ? 0 : 1;
}

/** Values that depend on a graph input (the IR has no other notion of "data"). */
function dataValueSet(g: IrGraph): Set<string> {
  const data = new Set(g.inputs.map((v) => v.name));
  for (const n of g.nodes) if (n.inputs.some((i) => data.has(i))) for (const o of n.outputs) data.add(o);
  return data;
}

/** Marks every gating Mul with GATE_ATTR. Expects a sorted graph with constants folded. */
export function markGates(g: IrGraph): IrGraph {
  const data = dataValueSet(g);
  const producer = new Map<string, IrNode>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const ctx: GateContext = { producer, isData: (name) => data.has(name) };
  const size = (name: string) => g.shapes.get(name)?.reduce((p, d) => p * d, 1) ?? NaN;
  const nodes = g.nodes.map((n) => {
    if (n.opType !== 'Mul' || n.domain !== '' || n.inputs.length !== 2 || !n.inputs.every(ctx.isData))
      return n;
    const gate = gateOperand(n, ctx, size);
    return gate === undefined ? n : { ...n, attrs: { ...n.attrs, [GATE_ATTR]: gate } };
  });
  return { ...g, nodes };
}
