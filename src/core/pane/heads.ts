/**
 * Where the chains start (PANE-SPEC 4.4): the logits, the virtual linear head v = sum_k u_k l_k with forced
 * polarity sigma_v = +1, and its split of the start mass m over the logits.
 */
import type { IrGraph, IrNode } from '../onnx/ir';
import type { Head, PaneOptions } from './options';
import { chainOpKind, isChainOp, type ChainOp } from './ops';
import type { Flux } from './types';

/**
 * The logits: the input of a final Softmax / LogSoftmax / Sigmoid (the terminal node, never traversed),
 * otherwise the first graph output.
 */
export function findLogits(g: IrGraph): { logits: string; terminal?: IrNode } {
  const out = g.outputs[0]?.name;
  if (!out) throw new Error(`graph '${g.name}' has no output`);
  const producer = g.nodes.find((n) => n.outputs.includes(out));
  if (producer && isChainOp(producer) && chainOpKind(producer) === 'terminal') {
    return { logits: producer.inputs[0], terminal: producer };
  }
  return { logits: out };
}

/** Index of the largest logit (the first one on ties). */
export function argmax(a: Float64Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** Numerically stable softmax. */
export function softmax(a: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of a) max = Math.max(max, v);
  const e = a.map((v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

/**
 * Head weights u (spec 4.4):
 * logit:            u = e_t;
 * contrast_mean:    u_t = 1, u_k = -1/(K-1);
 * contrast_softmax: u_t = 1, u_k = -p_k/(1 - p_t), with 1 - p_t summed from the competitors so that a
 *                   confident prediction keeps its precision.
 */
export function headVector(logits: Float64Array, target: number, head: Head): Float64Array {
  const K = logits.length;
  if (!Number.isInteger(target) || target < 0 || target >= K) {
    throw new Error(`target ${target} is not a class index of ${K} logits`);
  }
  const u = new Float64Array(K);
  if (head === 'contrast_mean') {
    u.fill(K > 1 ? -1 / (K - 1) : 0);
  } else if (head === 'contrast_softmax') {
    const p = softmax(logits);
    let rest = 0;
    for (let k = 0; k < K; k++) if (k !== target) rest += p[k];
    for (let k = 0; k < K; k++) u[k] = rest > 0 ? -p[k] / rest : 0;
  }
  u[target] = 1;
  return u;
}

/**
 * A model with one logit and a final Sigmoid (spec 4.4): class 1 is explained with u = +1, class 0 with
 * u = -1; the default class is the predicted one.
 */
export function sigmoidBinaryHead(logit: number, target?: number): { target: number; u: Float64Array } {
  const t = target ?? (logit >= 0 ? 1 : 0);
  if (t !== 0 && t !== 1) throw new Error(`target ${t} of a one-logit sigmoid model must be 0 or 1`);
  return { target: t, u: new Float64Array([t === 1 ? 1 : -1]) };
}

/**
 * The virtual head step: contributions u_k l_k, no bias, sigma_v = +1, P_v = m, N_v = 0, split by the
 * signed-flux rule whatever the chain's rule (the head is not a layer of the network: it hands exactly m
 * to the logits, as the AB golden example of spec 5.2 requires). When every u_k l_k is 0 the split is the
 * limit l -> 0+ : |u_k| / sum|u|, which for u = e_t gives T = R = m (spec 4.4: sgn(0) = +1).
 */
export function headFlux(logits: Float64Array, u: Float64Array, m: number): Flux {
  const K = logits.length;
  const T = new Float64Array(K);
  const R = new Float64Array(K);
  let G = 0;
  for (let k = 0; k < K; k++) G += Math.abs(u[k] * logits[k]);
  const degenerate = !(G > 0);
  let total = 0;
  for (let k = 0; k < K; k++) total += Math.abs(degenerate ? u[k] : u[k] * logits[k]);
  if (!(total > 0)) return { T, R };
  for (let k = 0; k < K; k++) {
    const c = degenerate ? u[k] : u[k] * logits[k];
    if (c === 0) continue;
    // m * (c / total) rather than (c * m) / total: a single non-zero term gets exactly m.
    T[k] = m * (Math.abs(c) / total);
    R[k] = m * (c / total);
  }
  return { T, R };
}

/**
 * Which class is explained, the head weights u, and the start mass (spec 4.4), from the logits alone: every
 * engine starts here. `mass` is 'excitation' when it is G of the logits' affine producer at `massAt`,
 * which each engine reads from its own excitation pass (the reference walks its own steps to it).
 */
export interface HeadChoice {
  target: number;
  u: Float64Array;
  /** Index into the logits of the element whose mass is taken. */
  massAt: number;
  mass: number | 'excitation';
}

export function chooseHead(
  logits: Float64Array,
  terminal: IrNode | undefined,
  opts: Pick<PaneOptions, 'target' | 'head' | 'startMass'>,
): HeadChoice {
  // One logit under a Sigmoid is a binary model: the target is a class in {0, 1} (spec 4.4).
  const binary = terminal?.opType === 'Sigmoid' && logits.length === 1;
  const { target, u } = binary
    ? sigmoidBinaryHead(logits[0], opts.target)
    : (() => {
        const t = opts.target ?? argmax(logits);
        return { target: t, u: headVector(logits, t, opts.head) };
      })();
  const massAt = binary ? 0 : target;
  if (opts.startMass === 'unit') return { target, u, massAt, mass: 1 };
  if (opts.startMass === 'logit') return { target, u, massAt, mass: Math.abs(logits[massAt]) };
  if (u.some((v, k) => v !== 0 && k !== massAt)) {
    throw new Error(`start mass 'excitation' needs head 'logit' (u = e_t), got '${opts.head}'`);
  }
  return { target, u, massAt, mass: 'excitation' };
}

/** Ops between an affine producer and the logits that keep every element where it is. */
const ELEMENT_PRESERVING: ReadonlySet<string> = new Set<ChainOp>([
  'Relu',
  'LeakyRelu',
  'Clip',
  'Identity',
  'Dropout',
  'Flatten',
  'Reshape',
  'Squeeze',
  'Unsqueeze',
]);

/**
 * The affine tensor whose G at the target element is the 'excitation' start mass: the logits, or the
 * input of the element-preserving ops above them (a Flatten after GlobalAveragePool, a final Relu). Null
 * when the logits do not come from an affine node that way; engines then refuse that start mass.
 */
export function excitationMassSource(g: IrGraph, logits: string): string | null {
  let name = logits;
  for (;;) {
    const node = g.nodes.find((n) => n.outputs[0] === name);
    if (!node || !isChainOp(node)) return null;
    if (chainOpKind(node) === 'affine') return name;
    if (!ELEMENT_PRESERVING.has(node.opType)) return null;
    name = node.inputs[0];
  }
}

export function noMassSourceError(logits: string): Error {
  return new Error(
    `start mass 'excitation': the logits '${logits}' do not come from an affine node through element-preserving ops`,
  );
}
