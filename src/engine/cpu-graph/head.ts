/**
 * Where the chains start (PANE-SPEC 4.4), computed in TypeScript from the forward pass as the reference
 * does (core/reference/chain.ts explain): the explained class, the head weights u, the start mass m, and the
 * flux the virtual head puts on the logits, which the compiled chain takes as its HEAD_T / HEAD_R inputs.
 */
import type { IrGraph } from '../../core/onnx/ir';
import { argmax, findLogits, headFlux, headVector, sigmoidBinaryHead } from '../../core/pane/heads';
import type { PaneOptions } from '../../core/pane/options';
import { chainOpKind, fluxOutputs } from '../../core/pane/ops';
import type { Flux } from '../../core/pane/types';
import { ruleGross } from '../../core/reference/affine-rule';
import { affineView } from '../../core/reference/affine-views';
import { propagateNode } from '../../core/reference/chain';
import type { Tensor } from '../../core/tensor';

/** Forward values of one image by tensor name, as onnxruntime returned them. */
export type ForwardValues = ReadonlyMap<string, Tensor<Float32Array>>;

export interface HeadStart {
  target: number;
  logits: string;
  u: Float64Array;
  mass: number;
  /** (T, R) on the logits. */
  flux: Flux;
}

function float64(forward: ForwardValues, name: string): Tensor {
  const t = forward.get(name);
  if (!t) throw new Error(`the chain's head: no forward value for '${name}'`);
  return { dims: t.dims, data: Float64Array.from(t.data) };
}

/**
 * Start mass 'excitation': m = sum_j T_j G_j at the affine node that produced the logits, after a unit
 * probe at l_t walked back through the ops in between (Flatten after GlobalAveragePool, a final Relu, ...).
 * The few values on that walk are taken to float64 so that the reference's own steps compute it.
 */
function excitationMass(
  g: IrGraph,
  forward: ForwardValues,
  logits: string,
  target: number,
  opts: PaneOptions,
) {
  const values = new Map<string, Tensor>();
  const need = (names: readonly string[]) => {
    for (const name of names) {
      if (values.has(name)) continue;
      const constant = g.initializers.get(name);
      if (constant) values.set(name, constant);
      else if (forward.has(name)) values.set(name, float64(forward, name));
    }
  };
  let name = logits;
  const n = forward.get(logits)!.data.length;
  let probe: Flux = { T: new Float64Array(n), R: new Float64Array(n) };
  probe.T[target] = 1;
  probe.R[target] = 1;
  for (;;) {
    const node = g.nodes.find((v) => v.outputs.includes(name));
    if (!node) throw new Error(`start mass 'excitation': no affine node produces the logits '${logits}'`);
    if (fluxOutputs(node).length !== 1) {
      throw new Error(`start mass 'excitation': cannot walk back through ${node.opType} '${node.name}'`);
    }
    need([...node.inputs, ...node.outputs]);
    if (chainOpKind(node) === 'affine') {
      const G = ruleGross(affineView(g, node, values), opts);
      let m = 0;
      for (let j = 0; j < G.length; j++) m += probe.T[j] * G[j];
      return m;
    }
    const step = propagateNode(g, node, values, probe, opts);
    const carrying = step.inputs.flatMap((f, k) => (f && f.T.some((v) => v !== 0) ? [k] : []));
    if (carrying.length !== 1) {
      throw new Error(
        `start mass 'excitation': the logit does not trace back to one affine node (${node.opType} '${node.name}')`,
      );
    }
    name = node.inputs[carrying[0]];
    probe = step.inputs[carrying[0]]!;
  }
}

export function headStart(g: IrGraph, forward: ForwardValues, opts: PaneOptions): HeadStart {
  const { logits, terminal } = findLogits(g);
  const l = float64(forward, logits).data;
  // One logit under a Sigmoid is a binary model: the target is a class in {0, 1} (spec 4.4).
  const binary = terminal?.opType === 'Sigmoid' && l.length === 1;
  const { target, u } = binary
    ? sigmoidBinaryHead(l[0], opts.target)
    : { target: opts.target ?? argmax(l), u: headVector(l, opts.target ?? argmax(l), opts.head) };
  const at = binary ? 0 : target;
  let mass: number;
  if (opts.startMass === 'unit') mass = 1;
  else if (opts.startMass === 'logit') mass = Math.abs(l[at]);
  else {
    if (u.some((v, k) => v !== 0 && k !== at)) {
      throw new Error(`start mass 'excitation' needs head 'logit' (u = e_t), got '${opts.head}'`);
    }
    mass = excitationMass(g, forward, logits, at, opts);
  }
  return { target, logits, u, mass, flux: headFlux(l, u, mass) };
}
