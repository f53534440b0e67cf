/**
 * The double chain in (T, R) form (PANE-SPEC 4), float64: the oracle every other engine is tested against.
 *
 * explain() evaluates nothing itself: it takes every forward value (runForward's map), starts the chains at
 * the virtual head (spec 4.4) and walks the graph in reverse topological order, summing the flux a tensor
 * receives from all of its consumers (fan-out) before its producer is processed (spec 4.3, 4.7).
 * propagateNode() and excitationOf() are the per-node steps, usable on any node in isolation.
 */
import type { IrGraph, IrNode } from '../onnx/ir';
import { chooseHead, findLogits, headFlux } from '../pane/heads';
import { effectiveOptions, type PaneOptions } from '../pane/options';
import { chainOpKind, dataValues, fluxOutputs, type OpsOfKind } from '../pane/ops';
import type { Excitation, Flux, PaneResult } from '../pane/types';
import { numel, type Tensor } from '../tensor';
import { affineFlux, excitationFromView, ruleGross, type NodeFlux } from './affine-rule';
import { affineView, type AffineView } from './affine-views';
import { gateFlux } from './gating';
import { describe, lookup, outputValue, valueOf } from './node-values';
import { ROUTES } from './routing';

export type { Excitation, Flux, PaneResult } from '../pane/types';

/** Forward PANE of an affine node's output (spec 3); null for ops that are not affine. */
export function excitationOf(
  g: IrGraph,
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  _opts: PaneOptions,
): Excitation | null {
  // The forward PANE is class- and rule-agnostic: E+ and E- always include the bias, so z = E+ - E-.
  if (chainOpKind(node) !== 'affine') return null;
  return excitationFromView(affineView(g, node, values), outputValue(values, node).data);
}

function nodeStep(
  g: IrGraph,
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  out: Flux,
  opts: PaneOptions,
  view?: AffineView,
): NodeFlux {
  const kind = chainOpKind(node);
  if (kind === 'terminal') {
    throw new Error(
      `${describe(node)}: ${node.opType} is only supported as the final node (the head sits on its input)`,
    );
  }
  if (kind === 'affine') {
    return affineFlux(view ?? affineView(g, node, values), outputValue(values, node).data, out, opts);
  }
  if (kind === 'gate') return gateFlux(g, node, values, out);
  return ROUTES[node.opType as OpsOfKind<'pass' | 'route'>](g, node, values, out, opts);
}

/**
 * Mass on the inputs of `node` given the mass `out` on its output. For Split, `out` is the flat
 * concatenation of the flux of every output, in node.outputs order. inputs[k] belongs to node.inputs[k]
 * (null for constants, arguments and omitted inputs); sinkT / sinkR are the absorbed shares.
 * Works for any incoming flux with T >= 0 and |R| <= T.
 */
export function propagateNode(
  g: IrGraph,
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  out: Flux,
  opts: PaneOptions,
): { inputs: (Flux | null)[]; sinkT: number; sinkR: number } {
  return nodeStep(g, node, values, out, effectiveOptions(opts));
}

function producerOf(g: IrGraph, name: string): IrNode | undefined {
  return g.nodes.find((n) => n.outputs.includes(name));
}

/** The flux on a node's mass-carrying outputs, concatenated (zeros where an output received none). */
function outputFlux(
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  flux: ReadonlyMap<string, Flux>,
): Flux | null {
  const names = fluxOutputs(node);
  if (!names.some((n) => flux.has(n))) return null;
  if (names.length === 1) return flux.get(names[0])!;
  const sizes = names.map((n) => valueOf(values, node, n).data.length);
  const total = sizes.reduce((s, v) => s + v, 0);
  const out: Flux = { T: new Float64Array(total), R: new Float64Array(total) };
  let at = 0;
  names.forEach((n, k) => {
    const f = flux.get(n);
    if (f) {
      out.T.set(f.T, at);
      out.R.set(f.R, at);
    }
    at += sizes[k];
  });
  return out;
}

function accumulate(flux: Map<string, Flux>, name: string, add: Flux): void {
  const have = flux.get(name);
  if (!have) {
    flux.set(name, add);
    return;
  }
  for (let i = 0; i < have.T.length; i++) {
    have.T[i] += add.T[i];
    have.R[i] += add.R[i];
  }
}

/**
 * Start mass 'excitation' (spec 4.4): m = G_t of the affine node that produced l_t. A unit probe walks back
 * from l_t through pass-through ops (Flatten after GlobalAveragePool, a final Relu, ...) to that node.
 */
function excitationMass(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  logits: string,
  target: number,
  opts: PaneOptions,
): number {
  let name = logits;
  const probe = new Map<string, Flux>();
  const n = lookup(values, logits, 'explain').data.length;
  const start: Flux = { T: new Float64Array(n), R: new Float64Array(n) };
  start.T[target] = 1;
  start.R[target] = 1;
  probe.set(name, start);
  for (;;) {
    const node = producerOf(g, name);
    if (!node) throw new Error(`start mass 'excitation': no affine node produces the logits '${logits}'`);
    const out = outputFlux(node, values, probe)!;
    if (chainOpKind(node) === 'affine') {
      const G = ruleGross(affineView(g, node, values), opts);
      let m = 0;
      for (let j = 0; j < G.length; j++) m += out.T[j] * G[j];
      return m;
    }
    const step = nodeStep(g, node, values, out, opts);
    const carrying = step.inputs.flatMap((f, k) => (f && f.T.some((v) => v !== 0) ? [k] : []));
    if (carrying.length !== 1) {
      throw new Error(
        `start mass 'excitation': the logit does not trace back to one affine node (${describe(node)})`,
      );
    }
    name = node.inputs[carrying[0]];
    probe.set(name, step.inputs[carrying[0]]!);
  }
}

/** Explain one image (batch 1): the double chain from the head down to the graph input. */
export function explain(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  options: Partial<PaneOptions> = {},
): PaneResult {
  const opts = effectiveOptions(options);
  const { logits, terminal } = findLogits(g);
  for (const input of g.inputs) {
    const x = values.get(input.name);
    if (x && x.dims.length > 0 && x.dims[0] > 1) {
      throw new Error(`explain: input '${input.name}' has batch ${x.dims[0]}; use explainBatch`);
    }
  }
  const l = lookup(values, logits, 'explain').data;
  const head = chooseHead(l, terminal, opts);
  const { target, u } = head;
  // The reference walks its own steps back to the affine producer (more ops than the engines accept).
  const m = head.mass === 'excitation' ? excitationMass(g, values, logits, head.massAt, opts) : head.mass;

  const flux = new Map<string, Flux>([[logits, headFlux(l, u, m)]]);
  const sinks = new Map<string, { T: number; R: number }>();
  const excitation = new Map<string, Excitation>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    const out = outputFlux(node, values, flux);
    if (!out) continue;
    let view: AffineView | undefined;
    if (chainOpKind(node) === 'affine') {
      view = affineView(g, node, values);
      excitation.set(node.outputs[0], excitationFromView(view, outputValue(values, node).data));
    }
    const step = nodeStep(g, node, values, out, opts, view);
    sinks.set(node.name, { T: step.sinkT, R: step.sinkR });
    step.inputs.forEach((f, k) => {
      if (f) accumulate(flux, node.inputs[k], f);
    });
  }
  return { target, logits, u, mass: m, flux, sinks, excitation };
}

/** Element `n` of a batched value along axis 0. */
function sliceBatch(t: Tensor, n: number): Tensor {
  const size = numel(t.dims.slice(1));
  return { dims: [1, ...t.dims.slice(1)], data: t.data.slice(n * size, (n + 1) * size) };
}

/**
 * Explain every image of a batch with independent per-image runs (spec 2: the batch is never mixed).
 * Every data value is sliced on axis 0; `targets[n]` overrides opts.target for image n.
 */
export function explainBatch(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  options: Partial<PaneOptions> = {},
  targets: readonly (number | undefined)[] = [],
): PaneResult[] {
  const input = g.inputs[0];
  const batch = input ? lookup(values, input.name, 'explainBatch').dims[0] : 1;
  const data = dataValues(g);
  const results: PaneResult[] = [];
  for (let n = 0; n < batch; n++) {
    const own = new Map<string, Tensor>();
    for (const [name, t] of values)
      own.set(name, data.has(name) && t.dims[0] === batch ? sliceBatch(t, n) : t);
    results.push(explain(g, own, { ...options, target: targets[n] ?? options.target }));
  }
  return results;
}
