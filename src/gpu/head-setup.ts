/**
 * The host half of the virtual head (PANE-SPEC 4.4): the explained class, the weights u and the start mass
 * from the logits the forward pass read back. The 'excitation' start mass needs G of the logits' producer,
 * which stays on the GPU (head.wgsl reads it).
 */
import { argmax, headVector, sigmoidBinaryHead } from '../core/pane/heads';
import type { PaneOptions } from '../core/pane/options';
import type { IrNode } from '../core/onnx/ir';
import type { HeadSetup } from './model-plan';

export function headSetup(
  logits: Float64Array,
  terminal: IrNode | undefined,
  opts: PaneOptions,
): HeadSetup & { target: number } {
  const binary = terminal?.opType === 'Sigmoid' && logits.length === 1;
  const target = binary ? sigmoidBinaryHead(logits[0], opts.target).target : (opts.target ?? argmax(logits));
  const u = binary ? sigmoidBinaryHead(logits[0], opts.target).u : headVector(logits, target, opts.head);
  const massAt = binary ? 0 : target;
  let mass: HeadSetup['mass'];
  if (opts.startMass === 'unit') mass = 1;
  else if (opts.startMass === 'logit') mass = Math.abs(logits[massAt]);
  else {
    if (u.some((v, k) => v !== 0 && k !== massAt)) {
      throw new Error(`start mass 'excitation' needs head 'logit' (u = e_t), got '${opts.head}'`);
    }
    mass = 'excitation';
  }
  return { target, u: Float32Array.from(u), mass, massAt };
}
