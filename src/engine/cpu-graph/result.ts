/**
 * The compiled chain's outputs as the PaneResult the engine's views read (engine/views.ts), in float64
 * copies, and the flux balance of the explanation summary.
 */
import type { IrGraph } from '../../core/onnx/ir';
import type { PaneOptions } from '../../core/pane/options';
import { chainOpKind } from '../../core/pane/ops';
import type { Excitation, Flux, PaneResult } from '../../core/pane/types';
import type { CompiledChain } from './compile';
import type { ForwardValues, HeadStart } from './head';
import { LazyMap } from './lazy-map';

/**
 * E+ = min(G, max(0, (G + z)/2)) and E- = G - E+ from the gross excitation G and the forward value z, the
 * float64 reference's formula (core/reference/affine-rule.ts excitationFromView), so z = E+ - E-.
 */
function excitationOf(G: Float64Array, z: Float32Array): Excitation {
  if (G.length !== z.length)
    throw new Error(`gross excitation of ${G.length} values for ${z.length} outputs`);
  const Epos = new Float64Array(G.length);
  const Eneg = new Float64Array(G.length);
  for (let j = 0; j < G.length; j++) {
    const p = Math.min(G[j], Math.max(0, (G[j] + z[j]) / 2));
    Epos[j] = p;
    Eneg[j] = G[j] - p;
  }
  return { Epos, Eneg, G };
}

/**
 * PaneResult of one run. Layers that share an output (a Conv and its Relu) share its array. The compiled
 * graph does not split the sinks per node (only the reference reports them), so `sinks` is empty;
 * fluxAtInputPlusSinks gives their total. For the 'excitation' start mass the graph ran with unit mass:
 * m is the rule's G it computed at the target (head.ts), and every T and R is scaled by it.
 */
export function paneResult(
  compiled: CompiledChain,
  head: HeadStart,
  forward: ForwardValues,
  outputs: ReadonlyMap<string, Float32Array>,
): PaneResult {
  const copies = new Map<string, Float64Array>();
  const read = (name: string) => {
    let v = copies.get(name);
    if (!v) {
      const out = outputs.get(name);
      if (!out) throw new Error(`the compiled chain returned no '${name}'`);
      v = Float64Array.from(out);
      copies.set(name, v);
    }
    return v;
  };
  let mass: number;
  if (head.mass === 'excitation') {
    const G = outputs.get(compiled.massGross ?? '');
    if (!G) throw new Error("the compiled chain returned no G for the 'excitation' start mass");
    mass = G[head.massAt];
  } else mass = head.mass;
  const scaledNames = new Set<string>();
  const scaled = (name: string) => {
    const v = read(name);
    if (head.mass === 'excitation' && !scaledNames.has(name)) {
      for (let i = 0; i < v.length; i++) v[i] *= mass;
      scaledNames.add(name);
    }
    return v;
  };
  const flux = new Map<string, Flux>();
  for (const l of compiled.layers) flux.set(l.tensor, { T: scaled(l.T), R: scaled(l.R) });
  const excitation = new LazyMap<string, Excitation>(
    compiled.excitations.map((e) => {
      const z = forward.get(e.tensor);
      if (!z) throw new Error(`no forward value for '${e.tensor}'`);
      return [e.tensor, () => excitationOf(read(e.G), z.data)];
    }),
  );
  return {
    target: head.target,
    logits: head.logits,
    u: head.u,
    mass,
    flux,
    sinks: new Map(),
    excitation,
  };
}

function sumT(f: Flux | undefined): number {
  let s = 0;
  for (const t of f?.T ?? []) s += t;
  return s;
}

/**
 * Sum of T at the graph input plus all sinks, from the layer sums by the per-node balance of spec 5.3:
 * every node passes on what it received minus its sink, except that an alphabeta affine node hands on
 * (alpha + beta) times its output flux. So the total is the logits' flux plus (alpha + beta - 1) times the
 * flux of every affine output (the same bookkeeping as the GPU engine).
 */
export function fluxAtInputPlusSinks(g: IrGraph, result: PaneResult, opts: PaneOptions): number {
  const growth = opts.rule === 'sf' ? 0 : opts.alpha + opts.beta - 1;
  let total = sumT(result.flux.get(result.logits));
  if (growth === 0) return total;
  for (const node of g.nodes) {
    const out = node.outputs[0];
    if (result.flux.has(out) && chainOpKind(node) === 'affine') total += growth * sumT(result.flux.get(out));
  }
  return total;
}
