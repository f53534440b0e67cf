/**
 * Reading a node's forward values for the chain rules, with errors that name the node.
 */
import type { IrGraph, IrNode } from '../onnx/ir';
import { isData } from '../pane/ops';
import type { Tensor } from '../tensor';

export function describe(node: IrNode): string {
  return `${node.opType} '${node.name}'`;
}

/** The forward value called `name`; `context` says who needs it in the error. */
export function lookup(values: ReadonlyMap<string, Tensor>, name: string, context: string): Tensor {
  const t = name === '' ? undefined : values.get(name);
  if (!t) throw new Error(`${context}: no forward value for '${name}'`);
  return t;
}

export function valueOf(values: ReadonlyMap<string, Tensor>, node: IrNode, name: string): Tensor {
  return lookup(values, name, describe(node));
}

export function inputValue(values: ReadonlyMap<string, Tensor>, node: IrNode, k: number): Tensor {
  return valueOf(values, node, node.inputs[k] ?? '');
}

export function outputValue(values: ReadonlyMap<string, Tensor>, node: IrNode, k = 0): Tensor {
  return valueOf(values, node, node.outputs[k] ?? '');
}

/** A constant input (weights, bias, BN statistics); undefined when the optional input is omitted. */
export function constantInput(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  node: IrNode,
  k: number,
): Tensor | undefined {
  const name = node.inputs[k] ?? '';
  if (name === '') return undefined;
  if (isData(g, name)) {
    throw new Error(`${describe(node)}: input ${k} ('${name}') must be a constant for the double chain`);
  }
  return g.initializers.get(name) ?? valueOf(values, node, name);
}

export function requiredConstant(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  node: IrNode,
  k: number,
): Tensor {
  const t = constantInput(g, values, node, k);
  if (!t) throw new Error(`${describe(node)}: input ${k} is missing`);
  return t;
}

export function numAttr(node: IrNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : fallback;
}
