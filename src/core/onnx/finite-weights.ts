/**
 * Weights are checked once, at load: a NaN or infinite weight (or a batch norm with zero or negative variance,
 * which folds into one) would otherwise give an all-NaN map with exit 0.
 */
import { describeNonFinite, findNonFinite } from '../finite';
import { quoted } from '../text';
import type { IrGraph } from './ir';

/** Ops whose constant inputs are bounds, where an infinity is a legitimate "no bound". */
const BOUND_OPS = new Set(['Clip', 'Max', 'Min']);

/** A one-line description of the first non-finite weight of `g`, or undefined when every weight is finite. */
export function nonFiniteWeight(g: IrGraph): string | undefined {
  const boundsOnly = new Set<string>();
  const used = new Map<string, boolean>();
  for (const node of g.nodes) {
    for (const name of node.inputs) {
      const asBound = BOUND_OPS.has(node.opType);
      used.set(name, (used.get(name) ?? true) && asBound);
    }
  }
  for (const [name, onlyBound] of used) if (onlyBound) boundsOnly.add(name);
  for (const [name, t] of g.initializers) {
    const found = findNonFinite(t.data);
    if (!found) continue;
    // An infinite bound (Clip to [0, +Inf]) is meaningful; a NaN never is.
    if (boundsOnly.has(name) && found.value !== 'NaN' && !t.data.some(Number.isNaN)) continue;
    return (
      `weight ${quoted(name)} ${t.dims.length ? `[${t.dims.join(', ')}] ` : ''}holds ` +
      `${describeNonFinite(found, t.data.length)}: the model's weights must be finite ` +
      '(a batch norm with zero or negative variance gives this when folded)'
    );
  }
  return batchNormProblem(g);
}

/**
 * A batch norm that was not folded into a convolution divides by sqrt(variance + epsilon): zero or negative
 * gives an infinity or a NaN at every pixel of that channel.
 */
function batchNormProblem(g: IrGraph): string | undefined {
  for (const node of g.nodes) {
    if (node.opType !== 'BatchNormalization') continue;
    const variance = g.initializers.get(node.inputs[4]);
    if (!variance) continue;
    const eps = typeof node.attrs.epsilon === 'number' ? node.attrs.epsilon : 1e-5;
    const c = variance.data.findIndex((v) => !(v + eps > 0));
    if (c >= 0) {
      return (
        `batch norm ${quoted(node.name)} has variance ${variance.data[c]} + epsilon ${eps} <= 0 in channel ` +
        `${c}: it would divide by zero or take the root of a negative number`
      );
    }
  }
  return undefined;
}
