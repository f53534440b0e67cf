/**
 * Test oracle: the rules of PANE-SPEC 4.2 written literally in (P, N) form, one contribution c_ij at a
 * time, sharing no code with the (T, R) engine (spec 5.5). Contributions come either from a dense layer
 * (c_ij = w_ji a_i) or from any single affine node by evaluating it with one input element kept at a time
 * (forward.ts's own implementation of the op), so the oracle also checks how the engine reads each op.
 * Quadratic in the layer size: for small tensors only.
 */
import type { IrGraph, IrNode } from '../../src/core/onnx/ir';
import { effectiveOptions, type PaneOptions } from '../../src/core/pane/options';
import { isData } from '../../src/core/pane/ops';
import type { Tensor } from '../../src/core/tensor';
import { evalNode } from '../../src/core/reference/forward';

export interface ContributionTable {
  /** c[j][i]: contribution of input element i to output element j. */
  c: Float64Array[];
  /** Constant part b_j of every output. */
  b: Float64Array;
  /** Forward output z_j (its sign is the polarity). */
  z: Float64Array;
}

export interface PN {
  P: Float64Array;
  N: Float64Array;
}

/** One affine step of the double chain, literally per contribution. */
export function pnStep(t: ContributionTable, out: PN, options: Partial<PaneOptions>): PN & { sinkT: number } {
  const o = effectiveOptions(options);
  const inLen = t.c[0]?.length ?? 0;
  const P = new Float64Array(inLen);
  const N = new Float64Array(inLen);
  let sinkT = 0;
  t.c.forEach((row, j) => {
    const sigma = t.z[j] >= 0 ? 1 : -1;
    const b = o.biasMode === 'absorb' ? t.b[j] : 0;
    const Pj = out.P[j];
    const Nj = out.N[j];
    if (o.rule === 'sf') {
      let G = Math.abs(b) + o.eps;
      for (const c of row) G += Math.abs(c);
      if (G === 0) {
        sinkT += Pj + Nj;
        return;
      }
      sinkT += ((Math.abs(b) + o.eps) * (Pj + Nj)) / G;
      row.forEach((c, i) => {
        const agree = sigma * c > 0;
        P[i] += (Math.abs(c) / G) * (agree ? Pj : Nj);
        N[i] += (Math.abs(c) / G) * (agree ? Nj : Pj);
      });
      return;
    }
    const bAgree = sigma * b > 0 ? Math.abs(b) : 0;
    const bOppose = sigma * b < 0 ? Math.abs(b) : 0;
    let A = o.eps + bAgree;
    let O = o.eps + bOppose;
    for (const c of row) {
      if (sigma * c > 0) A += Math.abs(c);
      else O += Math.abs(c);
    }
    // Shares of the bias and eps, and a whole share with nothing to carry it (engine convention).
    sinkT += A > 0 ? (o.alpha * (bAgree + o.eps) * (Pj + Nj)) / A : o.alpha * (Pj + Nj);
    sinkT += O > 0 ? (o.beta * (bOppose + o.eps) * (Pj + Nj)) / O : o.beta * (Pj + Nj);
    row.forEach((c, i) => {
      if (sigma * c > 0) {
        P[i] += (o.alpha * Math.abs(c) * Pj) / A;
        N[i] += (o.alpha * Math.abs(c) * Nj) / A;
      } else if (sigma * c < 0) {
        P[i] += (o.beta * Math.abs(c) * Nj) / O;
        N[i] += (o.beta * Math.abs(c) * Pj) / O;
      }
    });
  });
  return { P, N, sinkT };
}

/** Where each data input of a node sits in the concatenated input vector of its contribution table. */
export interface InputSlot {
  input: number;
  offset: number;
  length: number;
}

/**
 * The contribution table of an affine node: b = the node evaluated with every data input zero, and
 * column i = the node evaluated with only element i kept, minus b. Data inputs are concatenated.
 */
export function contributionsOf(
  g: IrGraph,
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
): { table: ContributionTable; slots: InputSlot[] } {
  const inputs = node.inputs.map((n) => (n === '' ? undefined : values.get(n)));
  const data = node.inputs.flatMap((n, k) => (isData(g, n) ? [k] : []));
  const zeroed = inputs.map((t, k) =>
    t && data.includes(k) ? { dims: t.dims, data: new Float64Array(t.data.length) } : t,
  );
  const b = evalNode(g, node, zeroed)[0].data;
  const slots: InputSlot[] = [];
  let offset = 0;
  for (const k of data) {
    slots.push({ input: k, offset, length: inputs[k]!.data.length });
    offset += inputs[k]!.data.length;
  }
  const c = Array.from({ length: b.length }, () => new Float64Array(offset));
  for (const s of slots) {
    const x = inputs[s.input]!;
    for (let i = 0; i < s.length; i++) {
      const one = zeroed.slice();
      const kept = new Float64Array(s.length);
      kept[i] = x.data[i];
      one[s.input] = { dims: x.dims, data: kept };
      const col = evalNode(g, node, one)[0].data;
      for (let j = 0; j < b.length; j++) c[j][s.offset + i] = col[j] - b[j];
    }
  }
  const z = values.get(node.outputs[0])!.data;
  return { table: { c, b, z }, slots };
}

export interface DenseLayer {
  /** W[j][i]: weight from input i to output j. */
  W: Float64Array[];
  b: Float64Array;
  relu: boolean;
}

/** Pre-activations z and post-activations a of every layer (a[0] = x). */
export function denseForward(
  layers: DenseLayer[],
  x: Float64Array,
): { z: Float64Array[]; a: Float64Array[] } {
  const a = [x];
  const z: Float64Array[] = [];
  for (const l of layers) {
    const prev = a[a.length - 1];
    const zl = Float64Array.from(l.W, (row, j) => row.reduce((s, w, i) => s + w * prev[i], l.b[j]));
    z.push(zl);
    a.push(l.relu ? zl.map((v) => Math.max(v, 0)) : zl);
  }
  return { z, a };
}

/**
 * The double chain through a dense network with the plain logit head (spec 4.4: the logit gets m in P when
 * l_t >= 0, else in N); returns (P, N) at the input of every layer (index 0 = the network input).
 */
export function pnDense(
  layers: DenseLayer[],
  x: Float64Array,
  target: number,
  m: number,
  options: Partial<PaneOptions>,
): PN[] {
  const { z, a } = denseForward(layers, x);
  const top = z[z.length - 1];
  let out: PN = { P: new Float64Array(top.length), N: new Float64Array(top.length) };
  if (top[target] >= 0) out.P[target] = m;
  else out.N[target] = m;
  const result: PN[] = [];
  for (let l = layers.length - 1; l >= 0; l--) {
    // ReLU is pass-through (spec 4.3): the mass at its output is the mass at the pre-activation.
    const c = layers[l].W.map((row) => row.map((w, i) => w * a[l][i]));
    out = pnStep({ c, b: layers[l].b, z: z[l] }, out, options);
    result.unshift(out);
  }
  return result;
}
