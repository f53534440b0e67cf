/**
 * Small graphs for tests of the chain and of the GPU kernels against it: an IrGraph from nodes and
 * initializers (shapes filled in by one forward pass), random tensors from a seeded generator, and the
 * tolerance check used throughout.
 */
import type { AttrValue, IrGraph, IrNode } from '../onnx/ir';
import { normalArray, uniformArray } from '../random';
import { numel, type Tensor } from '../tensor';
import { runForward } from './forward';

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  name?: string;
}

export interface GraphSpec {
  /** Graph inputs (data) and their dims. */
  inputs: Record<string, readonly number[]>;
  initializers?: Record<string, Tensor>;
  nodes: NodeSpec[];
  outputs: string[];
  opset?: number;
}

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): NodeSpec {
  return { op, inputs, outputs, attrs };
}

/** The IrGraph of `spec`; every value's shape comes from a forward pass on zero inputs. */
export function makeGraph(spec: GraphSpec): IrGraph {
  const nodes: IrNode[] = spec.nodes.map((n, i) => ({
    name: n.name ?? `${n.op}_${i}`,
    opType: n.op,
    domain: '',
    inputs: n.inputs,
    outputs: n.outputs,
    attrs: n.attrs ?? {},
  }));
  const initializers = new Map(Object.entries(spec.initializers ?? {}));
  const base: IrGraph = {
    name: 'test',
    opset: spec.opset ?? 17,
    inputs: Object.entries(spec.inputs).map(([name, dims]) => ({ name, elemType: 'float32', shape: [...dims] })),
    outputs: spec.outputs.map((name) => ({ name, elemType: 'float32', shape: [] })),
    nodes,
    initializers,
    constTypes: new Map([...initializers.keys()].map((k) => [k, 'float32'])),
    shapes: new Map(),
    metadata: {},
  };
  const feeds = Object.fromEntries(
    Object.entries(spec.inputs).map(([name, dims]) => [name, { dims: [...dims], data: new Float64Array(numel(dims)) }]),
  );
  const values = runForward(base, feeds);
  return { ...base, shapes: new Map([...values].map(([k, v]) => [k, [...v.dims]])) };
}

export function randomTensor(rng: () => number, dims: readonly number[], lo = -1, hi = 1): Tensor {
  return { dims: [...dims], data: uniformArray(rng, numel(dims), lo, hi) };
}

export function normalTensor(rng: () => number, dims: readonly number[], std = 1): Tensor {
  return { dims: [...dims], data: normalArray(rng, numel(dims), std) };
}

/** Largest |a - b| relative to max(1, max|b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    d = Number.isNaN(e) ? Infinity : Math.max(d, e);
  }
  return d / scale;
}

export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
