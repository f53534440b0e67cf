/**
 * Where the chains start (PANE-SPEC 4.4): the explained class, the head weights u and the start mass as
 * every engine chooses them (core/pane/heads chooseHead), and the flux the virtual head puts on the
 * logits, which the compiled chain takes as its HEAD_T / HEAD_R inputs.
 *
 * The 'excitation' start mass is G of the logits' affine producer at the target, which the compiled graph
 * computes itself (CompiledChain.massGross): the head then hands unit mass, and result.ts scales the chain's
 * T and R by the m read back, since the chain is linear in the head's flux.
 */
import type { IrGraph } from '../../core/onnx/ir';
import { chooseHead, findLogits, headFlux, noMassSourceError } from '../../core/pane/heads';
import type { PaneOptions } from '../../core/pane/options';
import type { Flux } from '../../core/pane/types';
import type { Tensor } from '../../core/tensor';

/** Forward values of one image by tensor name, as onnxruntime returned them. */
export type ForwardValues = ReadonlyMap<string, Tensor<Float32Array>>;

export interface HeadStart {
  target: number;
  logits: string;
  u: Float64Array;
  /** The start mass; 'excitation' until result.ts reads it from the graph. */
  mass: number | 'excitation';
  massAt: number;
  /** (T, R) on the logits: for mass m, or for unit mass when m is 'excitation'. */
  flux: Flux;
}

export function headStart(
  g: IrGraph,
  forward: ForwardValues,
  opts: PaneOptions,
  massGross: string | null,
): HeadStart {
  const { logits, terminal } = findLogits(g);
  const t = forward.get(logits);
  if (!t) throw new Error(`the chain's head: no forward value for '${logits}'`);
  const l = Float64Array.from(t.data);
  const { target, u, massAt, mass } = chooseHead(l, terminal, opts);
  if (mass === 'excitation' && massGross === null) throw noMassSourceError(logits);
  return { target, logits, u, mass, massAt, flux: headFlux(l, u, mass === 'excitation' ? 1 : mass) };
}
