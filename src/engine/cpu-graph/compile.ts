/**
 * The double chain of a prepared graph as one ONNX model of standard ops (float32), for onnxruntime's wasm
 * backend: the ort engine's fallback where WebGPU is missing (issue 3), not the float64 oracle.
 *
 * Inputs:  the forward values the rules read (forwardInputName(name), from the forward pass) and the
 *          flux the virtual head puts on the logits (HEAD_T, HEAD_R; see head.ts, spec 4.4).
 * Outputs: T and R of every chain layer (pane/layers layerList) and the gross excitation G of every affine
 *          output the chain traverses, from which result.ts takes E+ and E- with the forward value z (the
 *          reference's formula, spec 3); and the rule's G of the logits' affine producer (massGross), the
 *          'excitation' start mass. The chain is linear in the head's flux, so for that start mass the graph
 *          runs with unit mass and result.ts scales T and R by m. A value shared by several layers (a Conv output and the Relu after
 *          it carry the same flux) is one output; CompiledChain says which output holds what.
 *
 * The walk is the reference's (core/reference/chain.ts, spec 4.3 and 4.7): nodes in reverse topological
 * order, the flux a tensor receives from all of its consumers summed (fan-out) before its producer is
 * processed. Weights and their variants are initializers, so one compiled model serves every image, class
 * and head for the options it was compiled with (compileKey).
 */
import type { IrGraph, IrNode } from '../../core/onnx/ir';
import { excitationMassSource, findLogits } from '../../core/pane/heads';
import { layerList } from '../../core/pane/layers';
import { effectiveOptions, type PaneOptions } from '../../core/pane/options';
import { chainOpKind, fluxOutputs, ownEntry } from '../../core/pane/ops';
import { affineStep } from './affine-rule';
import { GraphBuilder } from './builder';
import { CompileContext, describe, type FluxValues, type NodeStep } from './context';
import { nonNegativeValues } from './graph-facts';
import { gateStep, ROUTES } from './routing';

export const HEAD_T = 'head/T';
export const HEAD_R = 'head/R';

export interface CompiledChain {
  model: Uint8Array;
  /** IR values the model reads, each fed as forwardInputName(name). */
  forwardValues: string[];
  /** Layer tensors (layerList order) and the outputs that hold their T and R. */
  layers: ({ tensor: string } & FluxValues)[];
  /** Affine output tensors and the output that holds their G. */
  excitations: { tensor: string; G: string }[];
  /**
   * The output holding the rule's G of the logits' affine producer (core/pane/heads excitationMassSource),
   * whose element at the target is the 'excitation' start mass; null where the logits have no such producer.
   */
  massGross: string | null;
}

/** What a compiled chain depends on besides the graph: the rule and its parameters (not head or target). */
export function compileKey(options: Partial<PaneOptions>): string {
  const o = effectiveOptions(options);
  const ab = o.rule === 'sf' ? '' : `/${o.alpha}/${o.beta}`;
  return `${o.rule}${ab}/${o.biasMode}/${o.eps}/${o.clipSaturated}`;
}

function nodeStep(
  ctx: CompileContext,
  node: IrNode,
  outs: (FluxValues | null)[],
  withRuleGross: boolean,
): NodeStep {
  const kind = chainOpKind(node);
  switch (kind) {
    case 'affine':
      return affineStep(ctx, node, outs[0]!, withRuleGross);
    case 'gate':
      return gateStep(ctx, node, outs);
    case 'pass':
    case 'route': {
      const route = ownEntry(ROUTES, node.opType);
      if (!route) throw new Error(`${describe(node)}: the float32 chain has no rule for ${node.opType}`);
      return route(ctx, node, outs);
    }
    case 'terminal':
      throw new Error(
        `${describe(node)}: ${node.opType} is only supported as the final node (the head sits on its input)`,
      );
    default:
      throw new Error(`${describe(node)}: the float32 chain has no rule for op kind '${String(kind)}'`);
  }
}

export function compileChain(g: IrGraph, options: Partial<PaneOptions>): CompiledChain {
  const opts = effectiveOptions(options);
  const b = new GraphBuilder();
  const ctx = new CompileContext(b, g, opts, nonNegativeValues(g));
  const { logits } = findLogits(g);
  const received = new Map<string, FluxValues[]>();
  received.set(logits, [{ T: b.input(HEAD_T, ctx.dims(logits)), R: b.input(HEAD_R, ctx.dims(logits)) }]);
  const settled = new Map<string, FluxValues>();
  // The sum of everything a tensor received; asked for only once all of its consumers are processed.
  const fluxOf = (name: string): FluxValues | null => {
    const done = settled.get(name);
    if (done) return done;
    const parts = received.get(name);
    if (!parts) return null;
    const f = { T: b.sum(parts.map((p) => p.T)), R: b.sum(parts.map((p) => p.R)) };
    settled.set(name, f);
    return f;
  };

  const excitations: CompiledChain['excitations'] = [];
  const massSource = excitationMassSource(g, logits);
  let massGross: string | null = null;
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    const outs = fluxOutputs(node).map(fluxOf);
    if (outs.every((f) => f === null)) continue;
    const step = nodeStep(ctx, node, outs, node.outputs[0] === massSource);
    if (step.gross) excitations.push({ tensor: node.outputs[0], G: b.publish(step.gross) });
    if (step.ruleGross) massGross = b.publish(step.ruleGross);
    step.inputs.forEach((f, k) => {
      if (!f) return;
      const name = node.inputs[k];
      received.set(name, [...(received.get(name) ?? []), f]);
    });
  }

  const layers: CompiledChain['layers'] = [];
  for (const { tensor } of layerList(g)) {
    const f = fluxOf(tensor);
    if (f) layers.push({ tensor, T: b.publish(f.T), R: b.publish(f.R) });
  }
  return { model: b.build(), forwardValues: ctx.forwardNames(), layers, excitations, massGross };
}
