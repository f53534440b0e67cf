// The (T, R) engine against independent implementations:
// - 5.5 (P, N) == (T, R): a literal per-contribution implementation of spec 4.2, node by node on every
//   affine op (contributions read off forward.ts one input element at a time) and through whole dense and
//   Toeplitz-unrolled convolutional networks;
// - 5.7 alphabeta == LRP-alphabeta, ebp == TorchRay-style Excitation Backprop;
// - 5.8 all-positive networks: sf == ebp and N == 0.
import { describe, expect, it } from 'vitest';
import { convGeometry } from '../onnx/geometry';
import type { AttrValue, IrGraph } from '../onnx/ir';
import type { PaneOptions } from '../pane/options';
import type { Flux } from '../pane/types';
import { mulberry32, uniformArray } from '../random';
import { numel, type Tensor } from '../tensor';
import { excitationOf, explain, propagateNode } from './chain';
import { runForward } from './forward';
import {
  contributionsOf,
  denseForward,
  pnDense,
  pnStep,
  type DenseLayer,
  type PN,
} from '../../../tests/support/pn-oracle';
import {
  convMatrix,
  denseGraphSpec,
  makeGraph,
  maxRelDiff,
  node,
  randomDense,
  randomTensor,
  type GraphSpec,
  type NodeSpec,
} from '../../../tests/support/testkit';

const RULES: Partial<PaneOptions>[] = [
  { rule: 'sf' },
  { rule: 'sf', biasMode: 'ignore', eps: 0.1 },
  { rule: 'alphabeta', alpha: 2, beta: 1 },
  { rule: 'alphabeta', alpha: 1.5, beta: 0.5, biasMode: 'ignore', eps: 0.05 },
  { rule: 'ebp' },
];

const toPN = (f: Flux): PN => ({
  P: f.T.map((t, i) => (t + f.R[i]) / 2),
  N: f.T.map((t, i) => (t - f.R[i]) / 2),
});

/** Random values with both signs and some exact zeros. */
function signed(rng: () => number, dims: readonly number[]): Tensor {
  const t = randomTensor(rng, dims);
  t.data.forEach((v, i) => (t.data[i] = rng() < 0.15 ? 0 : v));
  return t;
}

/** Random incoming flux with T >= 0 and |R| <= T. */
function randomFlux(rng: () => number, n: number): Flux {
  const T = uniformArray(rng, n, 0, 1);
  return { T, R: T.map((t) => t * (2 * rng() - 1)) };
}

interface NodeCase {
  name: string;
  node: NodeSpec;
  data: Record<string, readonly number[]>;
  consts?: Record<string, Tensor>;
}

function nodeCases(rng: () => number): NodeCase[] {
  const r = (dims: number[]) => randomTensor(rng, dims);
  const withZeros = (dims: number[]) => signed(rng, dims);
  return [
    {
      name: 'Conv 3x3 pad 1 with bias',
      node: node('Conv', ['x', 'w', 'b'], ['y'], { pads: [1, 1, 1, 1] }),
      data: { x: [1, 2, 5, 5] },
      consts: { w: r([3, 2, 3, 3]), b: r([3]) },
    },
    {
      name: 'Conv depthwise stride 2 asymmetric pads',
      node: node('Conv', ['x', 'w'], ['y'], { group: 4, strides: [2, 2], pads: [0, 1, 1, 0] }),
      data: { x: [1, 4, 5, 4] },
      consts: { w: withZeros([4, 1, 3, 3]) },
    },
    {
      name: 'Conv group 2 dilation 2 non-square SAME_UPPER',
      node: node('Conv', ['x', 'w', 'b'], ['y'], { group: 2, dilations: [2, 1], auto_pad: 'SAME_UPPER' }),
      data: { x: [1, 4, 6, 5] },
      consts: { w: r([6, 2, 2, 3]), b: r([6]) },
    },
    {
      name: 'Conv SAME_LOWER stride 2',
      node: node('Conv', ['x', 'w'], ['y'], { strides: [2, 2], auto_pad: 'SAME_LOWER' }),
      data: { x: [1, 3, 5, 6] },
      consts: { w: r([2, 3, 2, 2]) },
    },
    {
      name: 'Conv 1-D',
      node: node('Conv', ['x', 'w', 'b'], ['y'], { pads: [2, 0], strides: [2] }),
      data: { x: [1, 2, 9] },
      consts: { w: r([3, 2, 3]), b: r([3]) },
    },
    {
      name: 'Gemm alpha beta, C per column',
      node: node('Gemm', ['a', 'B', 'C'], ['y'], { alpha: -0.7, beta: 1.3 }),
      data: { a: [2, 4] },
      consts: { B: r([4, 3]), C: r([3]) },
    },
    {
      name: 'Gemm transA transB, C full',
      node: node('Gemm', ['a', 'B', 'C'], ['y'], { transA: 1, transB: 1 }),
      data: { a: [4, 2] },
      consts: { B: r([3, 4]), C: r([2, 3]) },
    },
    {
      name: 'Gemm with the data operand B',
      node: node('Gemm', ['A', 'b', 'C'], ['y'], { transB: 1, beta: 0.5 }),
      data: { b: [3, 4] },
      consts: { A: r([2, 4]), C: r([1]) },
    },
    {
      name: 'MatMul data x constant (batched data)',
      node: node('MatMul', ['a', 'W'], ['y']),
      data: { a: [1, 2, 4] },
      consts: { W: r([4, 3]) },
    },
    {
      name: 'MatMul constant x data',
      node: node('MatMul', ['A', 'x'], ['y']),
      data: { x: [4, 2] },
      consts: { A: r([3, 4]) },
    },
    {
      name: 'MatMul 1-D data',
      node: node('MatMul', ['a', 'W'], ['y']),
      data: { a: [4] },
      consts: { W: r([4, 3]) },
    },
    {
      name: 'BatchNormalization (unfolded)',
      node: node('BatchNormalization', ['x', 'g', 'be', 'mu', 'v'], ['y'], { epsilon: 1e-3 }),
      data: { x: [1, 3, 2, 2] },
      consts: { g: r([3]), be: r([3]), mu: r([3]), v: randomTensor(rng, [3], 0.1, 2) },
    },
    {
      name: 'Add data + broadcast constant',
      node: node('Add', ['x', 'c'], ['y']),
      data: { x: [1, 3, 2, 2] },
      consts: { c: r([3, 1, 1]) },
    },
    {
      name: 'Add of two data tensors with broadcast',
      node: node('Add', ['x1', 'x2'], ['y']),
      data: { x1: [1, 3, 2, 2], x2: [1, 1, 2, 2] },
    },
    {
      name: 'Sum of two data tensors and a constant',
      node: node('Sum', ['x1', 'c', 'x2'], ['y']),
      data: { x1: [2, 3], x2: [3] },
      consts: { c: r([2, 1]) },
    },
    {
      name: 'Sub data - constant',
      node: node('Sub', ['x', 'c'], ['y']),
      data: { x: [2, 3] },
      consts: { c: r([3]) },
    },
    {
      name: 'Sub constant - data',
      node: node('Sub', ['c', 'x'], ['y']),
      data: { x: [2, 3] },
      consts: { c: r([2, 3]) },
    },
    { name: 'Sub data - data', node: node('Sub', ['x1', 'x2'], ['y']), data: { x1: [2, 3], x2: [2, 3] } },
    {
      name: 'Mul by a constant with zeros (dead units sink)',
      node: node('Mul', ['x', 'c'], ['y']),
      data: { x: [2, 3] },
      consts: { c: withZeros([3]) },
    },
    {
      name: 'Mul constant x data, broadcast both ways',
      node: node('Mul', ['c', 'x'], ['y']),
      data: { x: [2, 1] },
      consts: { c: r([1, 3]) },
    },
    {
      name: 'Div by a constant',
      node: node('Div', ['x', 'c'], ['y']),
      data: { x: [1, 2, 3] },
      consts: { c: randomTensor(rng, [2, 1], 0.5, 2) },
    },
    {
      name: 'AveragePool pads ceil_mode',
      node: node('AveragePool', ['x'], ['y'], {
        kernel_shape: [3, 2],
        strides: [2, 2],
        pads: [1, 0, 1, 1],
        ceil_mode: 1,
      }),
      data: { x: [1, 2, 5, 6] },
    },
    {
      name: 'AveragePool count_include_pad',
      node: node('AveragePool', ['x'], ['y'], {
        kernel_shape: [3, 3],
        strides: [2, 2],
        pads: [1, 1, 1, 1],
        count_include_pad: 1,
      }),
      data: { x: [1, 2, 5, 5] },
    },
    { name: 'GlobalAveragePool', node: node('GlobalAveragePool', ['x'], ['y']), data: { x: [1, 3, 3, 4] } },
  ];
}

describe('5.5 per node: (T, R) engine == per-contribution (P, N) oracle on every affine op', () => {
  const rng = mulberry32(2024);
  for (const c of nodeCases(rng)) {
    it(c.name, () => {
      const g = makeGraph({ inputs: c.data, initializers: c.consts, nodes: [c.node], outputs: ['y'] });
      const feeds = Object.fromEntries(Object.entries(c.data).map(([k, dims]) => [k, signed(rng, dims)]));
      const values = runForward(g, feeds);
      const n = g.nodes[0];
      const { table, slots } = contributionsOf(g, n, values);
      const y = values.get('y')!.data;

      const e = excitationOf(g, n, values, RULES[0] as PaneOptions)!;
      const Epos = table.c.map((row, j) => row.reduce((s, v) => s + Math.max(v, 0), Math.max(table.b[j], 0)));
      const Eneg = table.c.map((row, j) =>
        row.reduce((s, v) => s + Math.max(-v, 0), Math.max(-table.b[j], 0)),
      );
      expect(maxRelDiff(e.Epos, Epos)).toBeLessThan(1e-12);
      expect(maxRelDiff(e.Eneg, Eneg)).toBeLessThan(1e-12);
      expect(
        maxRelDiff(
          Float64Array.from(e.Epos, (p, j) => p - e.Eneg[j]),
          y,
        ),
      ).toBeLessThan(1e-12);

      for (const opts of RULES) {
        const out = randomFlux(rng, y.length);
        const step = propagateNode(g, n, values, out, opts as PaneOptions);
        const want = pnStep(table, toPN(out), opts);
        for (const s of slots) {
          const got = toPN(step.inputs[s.input]!);
          expect(maxRelDiff(got.P, want.P.subarray(s.offset, s.offset + s.length))).toBeLessThan(1e-12);
          expect(maxRelDiff(got.N, want.N.subarray(s.offset, s.offset + s.length))).toBeLessThan(1e-12);
        }
        n.inputs.forEach((_, k) => {
          if (!slots.some((s) => s.input === k)) expect(step.inputs[k]).toBeNull();
        });
        expect(step.sinkT).toBeCloseTo(want.sinkT, 11);
      }
    });
  }
});

/** (P, N) of the engine at the input of every dense layer, aligned with pnDense's output. */
function enginePN(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  opts: Partial<PaneOptions>,
  layerInputs: string[],
): PN[] {
  const r = explain(g, values, opts);
  return layerInputs.map((name) => toPN(r.flux.get(name)!));
}

function expectPN(got: PN[], want: PN[], tol = 1e-11): void {
  expect(got.length).toBe(want.length);
  got.forEach((p, l) => {
    expect(maxRelDiff(p.P, want[l].P)).toBeLessThan(tol);
    expect(maxRelDiff(p.N, want[l].N)).toBeLessThan(tol);
  });
}

/** Every layer's input tensor in a denseGraphSpec graph: x, then h_i after each Relu. */
function denseInputs(layers: DenseLayer[]): string[] {
  return ['x', ...layers.slice(0, -1).map((_, i) => `h${i}`)];
}

describe('5.5 whole networks: (P, N) oracle == (T, R) engine', () => {
  it('random dense ReLU networks, every rule', () => {
    const rng = mulberry32(55);
    for (let trial = 0; trial < 4; trial++) {
      const layers = randomDense(rng, [6, 9, 8, 7, 5], { bias: true });
      const g = makeGraph(denseGraphSpec(layers));
      const x = uniformArray(rng, 6);
      const values = runForward(g, { x: { dims: [1, 6], data: x } });
      for (const opts of RULES) {
        const target = trial % 5;
        const got = enginePN(g, values, { ...opts, target }, denseInputs(layers));
        expectPN(got, pnDense(layers, x, target, 1, opts));
      }
    }
  });

  it('random convolutional networks, unrolled to dense Toeplitz matrices', () => {
    const rng = mulberry32(56);
    const convs: { attrs: Record<string, AttrValue>; w: number[] }[] = [
      { attrs: { pads: [1, 1, 1, 1] }, w: [4, 2, 3, 3] },
      { attrs: { strides: [2, 2], group: 2, pads: [0, 1, 1, 0] }, w: [4, 2, 2, 3] },
      { attrs: { dilations: [2, 2], auto_pad: 'SAME_UPPER' }, w: [3, 4, 2, 2] },
    ];
    for (let trial = 0; trial < 3; trial++) {
      const spec: GraphSpec = {
        inputs: { x: [1, 2, 7, 6] },
        initializers: {},
        nodes: [],
        outputs: ['logits'],
      };
      const layers: DenseLayer[] = [];
      let dims = [1, 2, 7, 6];
      let name = 'x';
      const inputs: string[] = [];
      convs.forEach((c, i) => {
        const w = randomTensor(rng, c.w);
        const b = randomTensor(rng, [c.w[0]], -0.3, 0.3);
        spec.initializers![`w${i}`] = w;
        spec.initializers![`b${i}`] = b;
        spec.nodes.push(node('Conv', [name, `w${i}`, `b${i}`], [`c${i}`], c.attrs));
        spec.nodes.push(node('Relu', [`c${i}`], [`r${i}`]));
        const geo = convGeometry(
          { name: '', opType: 'Conv', domain: '', inputs: [], outputs: [], attrs: c.attrs },
          dims,
          c.w,
        );
        const plane = geo.outH * geo.outW;
        layers.push({
          W: convMatrix(dims, w, geo),
          b: Float64Array.from({ length: c.w[0] * plane }, (_, j) => b.data[Math.floor(j / plane)]),
          relu: true,
        });
        inputs.push(name);
        dims = [1, c.w[0], geo.outH, geo.outW];
        name = `r${i}`;
      });
      const flat = numel(dims);
      const head = randomDense(rng, [flat, 4], { bias: true })[0];
      spec.initializers!.wh = { dims: [4, flat], data: Float64Array.from(head.W.flatMap((row) => [...row])) };
      spec.initializers!.bh = { dims: [4], data: head.b };
      spec.nodes.push(node('Flatten', [name], ['flat']));
      spec.nodes.push(node('Gemm', ['flat', 'wh', 'bh'], ['logits'], { transB: 1 }));
      layers.push(head);
      inputs.push('flat');
      const g = makeGraph(spec);
      const x = uniformArray(rng, 2 * 7 * 6);
      const values = runForward(g, { x: { dims: [1, 2, 7, 6], data: x } });
      expect(maxRelDiff(values.get('logits')!.data, denseForward(layers, x).z[3])).toBeLessThan(1e-12);
      for (const opts of RULES) {
        const got = enginePN(g, values, { ...opts, target: 1 }, inputs);
        expectPN(got, pnDense(layers, x, 1, 1, opts));
      }
    }
  });
});

/**
 * Reference LRP-alphabeta (Bach et al. 2015), written the textbook way for z_j >= 0: relevance splits
 * over positive contributions with alpha (bias+ in the denominator) and negative ones with -beta.
 */
function lrpAlphaBeta(
  layers: DenseLayer[],
  x: Float64Array,
  target: number,
  alpha: number,
  beta: number,
): Float64Array {
  const { a } = denseForward(layers, x);
  let R = new Float64Array(layers[layers.length - 1].W.length);
  R[target] = 1;
  for (let l = layers.length - 1; l >= 0; l--) {
    const { W, b } = layers[l];
    const next = new Float64Array(a[l].length);
    W.forEach((row, j) => {
      let zp = Math.max(b[j], 0);
      let zn = Math.min(b[j], 0);
      row.forEach((w, i) => {
        const c = w * a[l][i];
        if (c > 0) zp += c;
        else zn += c;
      });
      row.forEach((w, i) => {
        const c = w * a[l][i];
        if (c > 0) next[i] += (alpha * c * R[j]) / zp;
        if (c < 0) next[i] -= (beta * c * R[j]) / zn;
      });
    });
    R = next;
  }
  return R;
}

/** TorchRay-style Excitation Backprop: P_i = a_i sum_j w+_ji P_j / sum_i' w+_ji' a_i' (no bias). */
function excitationBackprop(layers: DenseLayer[], x: Float64Array, target: number): Float64Array {
  const { a } = denseForward(layers, x);
  let P = new Float64Array(layers[layers.length - 1].W.length);
  P[target] = 1;
  for (let l = layers.length - 1; l >= 0; l--) {
    const next = new Float64Array(a[l].length);
    layers[l].W.forEach((row, j) => {
      const norm = row.reduce((s, w, i) => s + Math.max(w, 0) * a[l][i], 0);
      if (norm > 0) row.forEach((w, i) => (next[i] += (a[l][i] * Math.max(w, 0) * P[j]) / norm));
    });
    P = next;
  }
  return P;
}

/** A dense network, its graph and forward values, with a positive target logit. */
function denseCase(
  seed: number,
  sizes: number[],
  opts: { bias?: boolean; positive?: boolean; xPositive?: boolean },
) {
  const rng = mulberry32(seed);
  for (;;) {
    const layers = randomDense(rng, sizes, opts);
    const x = uniformArray(rng, sizes[0], opts.xPositive ? 0 : -1, 1);
    const logits = denseForward(layers, x).z[layers.length - 1];
    const target = logits.findIndex((v) => v > 0.05);
    if (target < 0) continue;
    const g = makeGraph(denseGraphSpec(layers));
    const values = runForward(g, { x: { dims: [1, sizes[0]], data: x } });
    return { layers, x, target, g, values };
  }
}

describe('5.7 alphabeta = LRP-alphabeta, ebp = Excitation Backprop', () => {
  for (const [alpha, beta] of [
    [2, 1],
    [1, 0],
  ]) {
    it(`net chain R equals LRP-alphabeta (alpha ${alpha}, beta ${beta}) and conserves without bias`, () => {
      for (const bias of [true, false]) {
        const { layers, x, target, g, values } = denseCase(70 + alpha, [7, 10, 9, 8, 6], { bias });
        const r = explain(g, values, { rule: 'alphabeta', alpha, beta, target });
        const R = r.flux.get('x')!.R;
        expect(maxRelDiff(R, lrpAlphaBeta(layers, x, target, alpha, beta))).toBeLessThan(1e-11);
        if (!bias) {
          // alpha - beta = 1 and no bias: sum R is conserved by every layer whose mass-carrying units
          // all have A, O > 0 (both signs of contributions present).
          let checked = 0;
          for (const n of g.nodes.filter((n) => n.opType === 'Gemm')) {
            const e = r.excitation.get(n.outputs[0])!;
            const out = r.flux.get(n.outputs[0])!;
            if (out.R.some((v, j) => v !== 0 && !(e.Epos[j] > 0 && e.Eneg[j] > 0))) continue;
            const sumIn = r.flux.get(n.inputs[0])!.R.reduce((a, v) => a + v, 0);
            expect(sumIn).toBeCloseTo(
              out.R.reduce((a, v) => a + v, 0),
              10,
            );
            checked++;
          }
          expect(checked).toBeGreaterThan(0);
        }
      }
    });
  }

  it('ebp on an all-ReLU network with non-negative input: N == 0 and P = TorchRay EBP', () => {
    const { layers, x, target, g, values } = denseCase(77, [8, 12, 10, 6], { bias: true, xPositive: true });
    const r = explain(g, values, { rule: 'ebp', target });
    for (const [name, f] of r.flux) {
      if (name === g.outputs[0].name) continue;
      f.T.forEach((t, i) => expect(t - f.R[i]).toBe(0));
    }
    expect(maxRelDiff(r.flux.get('x')!.T, excitationBackprop(layers, x, target))).toBeLessThan(1e-12);
  });
});

describe('5.8 all-positive network', () => {
  it('non-negative weights and inputs, no bias: sf and ebp coincide and N == 0', () => {
    const { g, values, target } = denseCase(80, [6, 9, 7, 5], { positive: true, xPositive: true });
    const sf = explain(g, values, { rule: 'sf', target });
    const ebp = explain(g, values, { rule: 'ebp', target });
    for (const [name, f] of sf.flux) {
      const e = ebp.flux.get(name)!;
      expect(maxRelDiff(f.T, e.T)).toBeLessThan(1e-12);
      expect(maxRelDiff(f.R, e.R)).toBeLessThan(1e-12);
      f.T.forEach((t, i) => expect(Math.abs(t - f.R[i])).toBeLessThanOrEqual(1e-15 * t));
    }
  });
});
