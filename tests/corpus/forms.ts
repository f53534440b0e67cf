/**
 * The corpus (tests/corpus/cases.ts) in the two forms its backends take:
 *
 * - node form: the op under test alone in a graph, its data operands as graph inputs (their values from the
 *   case's own forward pass, rounded to float32) and a random incoming flux (T >= 0, |R| <= T) on every
 *   output that carries mass. The float64 reference and the WebGPU kernels take one node at a time.
 * - graph form: many cases side by side as branches of one graph, whose logits are every branch output
 *   concatenated, so that one forward pass on onnxruntime and one compiled float32 chain per rule check them
 *   all (contrast heads give every logit mass).
 */
import type { IrGraph, IrNode } from '../../src/core/onnx/ir';
import { fluxOutputs } from '../../src/core/pane/ops';
import type { Flux } from '../../src/core/pane/types';
import { mulberry32 } from '../../src/core/random';
import { runForward } from '../../src/core/reference/forward';
import { numel, tensor, type Tensor } from '../../src/core/tensor';
import { makeGraph, node, type GraphSpec, type Rng } from '../support/testkit';
import { CORPUS, seedOf, type CorpusKey, type OpCase } from './cases';

/** `n` seeded cases of one corpus entry (the same for every backend that asks with the same salt). */
export function casesOf(key: CorpusKey, n: number, salt = 0): OpCase[] {
  const rng = mulberry32(seedOf(key, salt));
  return Array.from({ length: n }, (_, i) => CORPUS[key].make(rng, i));
}

export interface NodeCase {
  label: string;
  g: IrGraph;
  node: IrNode;
  values: Map<string, Tensor>;
  /** Random incoming flux (T >= 0, |R| <= T) on every mass-carrying output the case reads; zero on the others. */
  incoming: Map<string, Flux>;
}

export function randomFlux(rng: Rng, n: number): Flux {
  const T = new Float64Array(n);
  const R = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    T[i] = Math.fround(rng());
    R[i] = Math.fround(T[i] * (2 * rng() - 1));
  }
  return { T, R };
}

const dimsOf = (inputs: Record<string, Tensor>) =>
  Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t.dims]));

/** The case's op under test alone, on the values its preparing nodes give it. */
export function nodeForm(rng: Rng, c: OpCase): NodeCase {
  const op = c.nodes.at(-1)!;
  const initializers = c.initializers ?? {};
  let inputs = c.inputs;
  if (c.nodes.length > 1) {
    const whole = makeGraph({ inputs: dimsOf(c.inputs), initializers, nodes: c.nodes, outputs: c.outputs });
    const values = runForward(whole, c.inputs);
    const operands = [...new Set(op.inputs.filter((n) => n !== '' && !(n in initializers)))];
    inputs = Object.fromEntries(
      operands.map((n) => {
        const t = values.get(n)!;
        return [n, { dims: [...t.dims], data: t.data.map(Math.fround) }];
      }),
    );
  }
  const g = makeGraph({
    inputs: dimsOf(inputs),
    initializers: Object.fromEntries(Object.entries(initializers).filter(([k]) => op.inputs.includes(k))),
    nodes: [op],
    outputs: op.outputs,
  });
  const values = runForward(g, inputs);
  const incoming = new Map<string, Flux>();
  for (const o of fluxOutputs(g.nodes[0])) {
    const n = values.get(o)!.data.length;
    incoming.set(
      o,
      c.outputs.includes(o) ? randomFlux(rng, n) : { T: new Float64Array(n), R: new Float64Array(n) },
    );
  }
  return { label: c.label, g, node: g.nodes[0], values, incoming };
}

/** Every case of `key` in node form, `n` of them. */
export function nodeCasesOf(key: CorpusKey, n: number, salt = 0): NodeCase[] {
  const rng = mulberry32(seedOf(key, salt + 1));
  return casesOf(key, n, salt).map((c) => nodeForm(rng, c));
}

/** The incoming flux of a node case's outputs, concatenated in output order (Split's form). */
export function concatenatedIncoming(c: NodeCase): Flux {
  const parts = [...c.incoming.values()];
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((s, f) => s + f.T.length, 0);
  const T = new Float64Array(n);
  const R = new Float64Array(n);
  let at = 0;
  for (const f of parts) {
    T.set(f.T, at);
    R.set(f.R, at);
    at += f.T.length;
  }
  return { T, R };
}

/**
 * Cases side by side (graph form): names prefixed per branch (`b<i>/`), every data input fed as [1, n] and
 * reshaped to its dims, and the logits the concatenation of every branch's outputs, each reshaped to [1, n].
 */
export function graphForm(cases: readonly OpCase[]): { spec: GraphSpec; inputs: Record<string, Tensor> } {
  const spec: GraphSpec = { inputs: {}, initializers: {}, nodes: [], outputs: ['logits'] };
  const inputs: Record<string, Tensor> = {};
  spec.initializers!.flat = tensor([2], [1, -1]);
  const outs: string[] = [];
  cases.forEach((c, i) => {
    const p = (name: string) => (name === '' ? '' : `b${i}/${name}`);
    for (const [name, t] of Object.entries(c.inputs)) {
      spec.inputs[p(`${name}:flat`)] = [1, numel(t.dims)];
      spec.initializers![p(`${name}:dims`)] = tensor([t.dims.length], t.dims);
      spec.nodes.push(node('Reshape', [p(`${name}:flat`), p(`${name}:dims`)], [p(name)]));
      inputs[p(`${name}:flat`)] = { dims: [1, numel(t.dims)], data: t.data };
    }
    for (const [name, t] of Object.entries(c.initializers ?? {})) spec.initializers![p(name)] = t;
    for (const n of c.nodes) spec.nodes.push({ ...n, inputs: n.inputs.map(p), outputs: n.outputs.map(p) });
    for (const o of c.outputs) {
      spec.nodes.push(node('Reshape', [p(o), 'flat'], [p(`${o}:flat`)]));
      outs.push(p(`${o}:flat`));
    }
  });
  spec.nodes.push(node('Concat', outs, ['logits'], { axis: 1 }));
  return { spec, inputs };
}
