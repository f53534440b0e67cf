/**
 * Baselines that are the double chain itself (PANE-SPEC 7): the rules sf, alphabeta (= LRP-alpha-beta on
 * the net chain) and ebp (= Excitation Backprop), and contrastive Excitation Backprop as TorchRay defines
 * it (torchray/attribution/excitation_backprop.py, contrastive_excitation_backprop):
 *
 *   1. EB from the target down to the contrast layer C;
 *   2. EB of the "dual": the same backward pass with the classifier layer's weights negated (the forward
 *      activations stay those of the real network);
 *   3. the difference of the two at C is carried down to the input by EB, and the channel sum is clamped
 *      at 0.
 *
 * The classifier layer is TorchRay's default: the last node with weights (Conv, Gemm, MatMul); C is its
 * data input (for VGG16 TorchRay contrasts at pool5, the input of the classifier block; for SqueezeNet this
 * is the last fire module). The chain's own per-node step (propagateNode) does every step; EB is linear in
 * the mass it carries (alpha = 1, beta = 0: P and N never mix), so a signed difference travels as R with
 * T = |R|.
 */
import type { IrGraph, IrNode } from '../onnx/ir';
import { headFlux, headVector } from '../pane/heads';
import { channelSum } from '../pane/maps';
import type { PaneOptions } from '../pane/options';
import { fluxOutputs, isData } from '../pane/ops';
import type { Flux, PaneResult } from '../pane/types';
import { explain, propagateNode } from '../reference/chain';
import type { Tensor } from '../tensor';
import { logitsOf } from './backprop';

/** Net map S = sum_c R at the graph input (PANE-SPEC 4.5). */
export function inputNetMap(g: IrGraph, result: PaneResult): Float64Array {
  const name = g.inputs[0].name;
  const flux = result.flux.get(name);
  const dims = g.shapes.get(name)!;
  return flux ? channelSum(flux.R, dims) : new Float64Array(dims[2] * dims[3]);
}

export function paneResult(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  target: number,
  options: Partial<PaneOptions>,
): PaneResult {
  return explain(g, values, { ...options, target });
}

const WEIGHTED_OPS = new Set(['Conv', 'Gemm', 'MatMul']);

/** TorchRay's classifier layer: the last Conv/Gemm/MatMul with a constant weight operand. */
export function classifierNode(g: IrGraph): IrNode {
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    if (WEIGHTED_OPS.has(node.opType) && !isData(g, node.inputs[1])) return node;
  }
  throw new Error('contrastive EB: the model has no Conv, Gemm or MatMul with constant weights');
}

function outputFlux(node: IrNode, values: ReadonlyMap<string, Tensor>, flux: Map<string, Flux>): Flux | null {
  const names = fluxOutputs(node);
  if (!names.some((n) => flux.has(n))) return null;
  const parts = names.map((n) => flux.get(n) ?? zeroFlux(values.get(n)!.data.length));
  const total = parts.reduce((s, p) => s + p.T.length, 0);
  const out = zeroFlux(total);
  let at = 0;
  for (const p of parts) {
    out.T.set(p.T, at);
    out.R.set(p.R, at);
    at += p.T.length;
  }
  return out;
}

function zeroFlux(n: number): Flux {
  return { T: new Float64Array(n), R: new Float64Array(n) };
}

/**
 * Walk the chain over nodes [from, to) in reverse order, starting from `start`; returns every tensor's flux
 * (explain() always starts at the head and walks the whole graph, cEB needs a start in the middle).
 */
function walk(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  start: ReadonlyMap<string, Flux>,
  opts: Partial<PaneOptions>,
  from: number,
  to: number,
): Map<string, Flux> {
  const flux = new Map<string, Flux>();
  for (const [k, f] of start) flux.set(k, { T: Float64Array.from(f.T), R: Float64Array.from(f.R) });
  for (let i = to - 1; i >= from; i--) {
    const node = g.nodes[i];
    const out = outputFlux(node, values, flux);
    if (!out) continue;
    const step = propagateNode(g, node, values, out, opts as PaneOptions);
    step.inputs.forEach((f, k) => {
      if (!f) return;
      const have = flux.get(node.inputs[k]);
      if (!have) flux.set(node.inputs[k], { T: Float64Array.from(f.T), R: Float64Array.from(f.R) });
      else
        for (let j = 0; j < have.T.length; j++) {
          have.T[j] += f.T[j];
          have.R[j] += f.R[j];
        }
    });
  }
  return flux;
}

const EBP: Partial<PaneOptions> = { rule: 'ebp' };

/** P = (T + R) / 2 of a flux. */
function positive(f: Flux): Float64Array {
  return f.T.map((t, i) => (t + f.R[i]) / 2);
}

/** TorchRay's contrast layer C (the classifier's data input) and the index of the node that produces it. */
export function contrastLayer(g: IrGraph): { classifier: IrNode; contrast: string; producer: number } {
  const classifier = classifierNode(g);
  const contrast = classifier.inputs[0];
  return { classifier, contrast, producer: g.nodes.findIndex((n) => n.outputs.includes(contrast)) };
}

/**
 * Steps 1 and 2 of contrastive EB: P of the plain EB pass minus P of the dual pass at the contrast layer.
 * `ebpResult` is the plain EB explanation of the same image and target (its flux at C is step 1).
 */
function contrastDelta(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  target: number,
  ebpResult: PaneResult,
): Float64Array {
  const { classifier, contrast } = contrastLayer(g);
  const index = g.nodes.indexOf(classifier);
  const weightName = classifier.inputs[1];
  const weight = g.initializers.get(weightName) ?? values.get(weightName)!;
  const dualGraph: IrGraph = {
    ...g,
    initializers: new Map(g.initializers).set(weightName, {
      dims: weight.dims,
      data: weight.data.map((v) => -v),
    }),
  };
  const dualValues = new Map(values).set(weightName, dualGraph.initializers.get(weightName)!);

  const { name: logits, data: l } = logitsOf(g, values);
  const start = new Map([[logits, headFlux(l, headVector(l, target, 'logit'), ebpResult.mass)]]);
  const dual = walk(dualGraph, dualValues, start, EBP, index, g.nodes.length).get(contrast);
  const pos = ebpResult.flux.get(contrast);
  if (!pos || !dual) throw new Error(`contrastive EB: no mass reached the contrast layer '${contrast}'`);

  const pPos = positive(pos);
  const pNeg = positive(dual);
  return pPos.map((v, i) => v - pNeg[i]);
}

/** The input map of contrastive EB from the net flux R at the input: its channel sum, clamped at 0. */
export function clampedInputMap(g: IrGraph, R: Float64Array): Float64Array {
  return channelSum(R, g.shapes.get(g.inputs[0].name)!).map((v) => Math.max(v, 0));
}

/**
 * Contrastive EB input map, clamped at 0. `ebpResult` is the plain EB explanation of the same image and
 * target (reused for the positive pass, which is identical).
 */
export function contrastiveEb(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  target: number,
  ebpResult: PaneResult,
): Float64Array {
  const { contrast, producer } = contrastLayer(g);
  const delta = contrastDelta(g, values, target, ebpResult);
  const down = walk(
    g,
    values,
    new Map([[contrast, { T: delta.map(Math.abs), R: delta }]]),
    EBP,
    0,
    producer + 1,
  );
  const flux = down.get(g.inputs[0].name);
  return flux ? clampedInputMap(g, flux.R) : new Float64Array(inputPlane(g));
}

function inputPlane(g: IrGraph): number {
  const dims = g.shapes.get(g.inputs[0].name)!;
  return dims[2] * dims[3];
}
