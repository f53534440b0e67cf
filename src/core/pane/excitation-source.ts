/**
 * Which forward excitation (spec 3) a chain layer shows in its E+ / E- views. Only affine outputs have one;
 * a layer behind an activation or a gate shows the affine output it was applied to. The CPU views and the
 * GPU layer maps both follow this one rule, so the two engines cannot disagree on it.
 */
import type { IrGraph, IrNode } from '../onnx/ir';
import { numel } from '../tensor';
import { chainOpKind, gateSignalInput, isChainOp } from './ops';

/** Ops whose output keeps its input's polarity: a layer after them shows its producer's excitation. */
const ACTIVATIONS = new Set(['Relu', 'LeakyRelu', 'Clip', 'Dropout', 'Identity']);

/** The input a layer looks through: an activation's, or a gate's signal when it has the output's size. */
function passedThrough(g: IrGraph, node: IrNode): string | null {
  if (ACTIVATIONS.has(node.opType)) return node.inputs[0];
  if (chainOpKind(node) !== 'gate') return null;
  const signal = node.inputs[gateSignalInput(node)];
  // A gate that broadcasts its signal (a smaller tensor scaled up) does not keep the signal's positions.
  const sameSize = numel(g.shapes.get(signal) ?? []) === numel(g.shapes.get(node.outputs[0]) ?? []);
  return sameSize ? signal : null;
}

/**
 * The tensor whose forward excitation `tensor` shows: itself when an affine node produced it, else the
 * affine output reached back through activations and same-size gates (Conv -> Relu, Conv -> SiLU, a
 * squeeze-and-excitation scaling show the Conv's E+ / E-). Null for everything else (the graph input,
 * pooling, reshapes, concatenations).
 */
export function excitationSource(g: IrGraph, tensor: string): string | null {
  let name: string | null = tensor;
  while (name !== null) {
    const producer = g.nodes.find((n) => n.outputs[0] === name);
    if (!producer || !isChainOp(producer)) return null;
    if (chainOpKind(producer) === 'affine') return name;
    name = passedThrough(g, producer);
  }
  return null;
}
