/**
 * The host half of the virtual head (PANE-SPEC 4.4): the explained class, the weights u and the start mass
 * from the logits the forward pass read back (core/pane/heads chooseHead, as every engine). The
 * 'excitation' start mass needs G of the logits' producer, which stays on the GPU (head.wgsl reads it).
 */
import { chooseHead } from '../core/pane/heads';
import type { PaneOptions } from '../core/pane/options';
import type { IrNode } from '../core/onnx/ir';
import type { HeadSetup } from './model-plan';

export function headSetup(
  logits: Float64Array,
  terminal: IrNode | undefined,
  opts: PaneOptions,
): HeadSetup & { target: number } {
  const { target, u, massAt, mass } = chooseHead(logits, terminal, opts);
  return { target, u: Float32Array.from(u), mass, massAt };
}
