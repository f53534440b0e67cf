/**
 * Where non-finite values arose in a run of `panescope explain`: the logits and every map are checked before
 * they are used or written, and a failure names the first node (forward pass) or the first tensor (double
 * chain) that produced a NaN or an infinity.
 */
import { describeNonFinite, findNonFinite, NonFiniteError } from '../core/finite';
import type { IrGraph } from '../core/onnx/ir';
import type { PaneOptions } from '../core/pane/options';
import { runForward } from '../core/reference/forward';
import type { Tensor } from '../core/tensor';
import { quoted } from '../core/text';
import type { ChainRun } from './explain-backends';

/**
 * The first node of `graph` whose output is not finite on `input` (float64 reference), as a phrase; undefined
 * when the reference stays finite (a float32 backend can overflow where float64 does not).
 */
export function locateForward(graph: IrGraph, inputName: string, input: Tensor): string | undefined {
  let values: Map<string, Tensor>;
  try {
    values = runForward(graph, { [inputName]: input });
  } catch {
    return undefined;
  }
  for (const node of graph.nodes) {
    for (const out of node.outputs) {
      const t = values.get(out);
      const found = t && findNonFinite(t.data);
      if (found) {
        return (
          `node ${quoted(node.name)} (${node.opType}) turns finite inputs into ` +
          `${describeNonFinite(found, t.data.length)} in ${quoted(out)}`
        );
      }
    }
  }
  return undefined;
}

/** Refuses non-finite logits, naming the node where they arose (located on the float64 reference). */
export function requireFiniteLogits(
  logits: ArrayLike<number>,
  locate: () => string | undefined,
  backend: string,
): void {
  const found = findNonFinite(logits);
  if (!found) return;
  const where =
    locate() ??
    (backend === 'reference'
      ? 'no single node could be named'
      : `the float64 reference stays finite, so the ${backend} backend overflowed its float32 range`);
  throw new NonFiniteError(
    `the forward pass gives non-finite logits (${describeNonFinite(found, logits.length)}): ${where}`,
  );
}

function optionsText(o: PaneOptions): string {
  return o.rule === 'alphabeta' ? `rule alphabeta, alpha ${o.alpha}, beta ${o.beta}` : `rule ${o.rule}`;
}

/**
 * Refuses a chain whose input map is not finite, naming the tensor nearest the head where the chain first
 * produced a NaN or an infinity.
 */
export async function requireFiniteChain(result: ChainRun, inputName: string, options: PaneOptions) {
  const input = await result.flux(inputName);
  if (!input || (!findNonFinite(input.R) && !findNonFinite(input.T))) return;
  // Tensors are listed from the head towards the input, the order the chain visits them.
  for (const name of result.tensors) {
    const f = await result.flux(name);
    const found = f && (findNonFinite(f.R) ?? findNonFinite(f.T));
    if (found) {
      throw new NonFiniteError(
        `the double chain (${optionsText(options)}) produced ${describeNonFinite(found, f.R.length)} ` +
          `first at tensor ${quoted(name)}; no map was written`,
      );
    }
  }
}
