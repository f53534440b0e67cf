// Per-op behaviour of the chain (PANE-SPEC 4.3): 5.11 pass-through ops, 5.12 average pooling, 5.13 BN
// folding, MaxPool routing in general, Pad / Clip sinks, the start mass through pass-through ops, and
// the op table against the coverage module.
import { describe, expect, it } from 'vitest';
import { CHAIN_OPS, TERMINAL_OPS } from '../onnx/coverage';
import { foldBatchNorm } from '../onnx/normalize';
import type { IrGraph, IrNode } from '../onnx/ir';
import { DEFAULT_OPTIONS, type PaneOptions } from '../pane/options';
import { CHAIN_OP_KINDS, fluxOutputs } from '../pane/ops';
import type { Flux } from '../pane/types';
import { mulberry32, uniformArray } from '../random';
import { numel, tensor, type Tensor } from '../tensor';
import { explain, propagateNode } from './chain';
import { runForward } from './forward';
import {
  makeGraph,
  maxRelDiff,
  node,
  normalTensor,
  randomTensor,
  sum,
  type GraphSpec,
  type NodeSpec,
} from '../../../tests/support/testkit';

const rng = mulberry32(411);

function randomFlux(n: number): Flux {
  const T = uniformArray(rng, n, 0, 1);
  return { T, R: T.map((t) => t * (2 * rng() - 1)) };
}

function single(n: NodeSpec, data: Record<string, readonly number[]>, consts: Record<string, Tensor> = {}) {
  const g = makeGraph({ inputs: data, initializers: consts, nodes: [n], outputs: n.outputs });
  return { g, node: g.nodes[0] };
}

/**
 * Oracle for ops that only move elements: evaluate the op on x_i = i + 1 (and on each data input with
 * its own offset) and read, for every output element, the input element it came from (0 = a constant).
 */
function expectMovesLikeForward(
  g: IrGraph,
  n: IrNode,
  dataInputs: number[],
  opts: PaneOptions = DEFAULT_OPTIONS,
): void {
  const feeds: Record<string, Tensor> = {};
  const owner: { input: number; offset: number; length: number }[] = [];
  let offset = 1;
  for (const k of dataInputs) {
    const dims = g.shapes.get(n.inputs[k])!;
    const len = numel(dims);
    feeds[n.inputs[k]] = { dims, data: Float64Array.from({ length: len }, (_, i) => offset + i) };
    owner.push({ input: k, offset, length: len });
    offset += len;
  }
  const values = runForward(g, feeds);
  const source = fluxOutputs(n).flatMap((o) => [...values.get(o)!.data]);
  const out = randomFlux(source.length);
  const step = propagateNode(g, n, values, out, opts);
  let sink = 0;
  const expected = owner.map((o) => ({ T: new Float64Array(o.length), R: new Float64Array(o.length) }));
  source.forEach((s, j) => {
    const k = owner.findIndex((o) => s >= o.offset && s < o.offset + o.length);
    if (k < 0) {
      sink += out.T[j];
      return;
    }
    expected[k].T[s - owner[k].offset] += out.T[j];
    expected[k].R[s - owner[k].offset] += out.R[j];
  });
  owner.forEach((o, i) => {
    expect(step.inputs[o.input]!.T).toEqual(expected[i].T);
    expect(step.inputs[o.input]!.R).toEqual(expected[i].R);
  });
  expect(step.sinkT).toBeCloseTo(sink, 12);
}

describe('5.11 pass-through ops move (T, R) with the values', () => {
  const cases: [string, NodeSpec, Record<string, readonly number[]>, Record<string, Tensor>?][] = [
    ['Relu', node('Relu', ['x'], ['y']), { x: [1, 2, 3] }],
    ['LeakyRelu', node('LeakyRelu', ['x'], ['y'], { alpha: 0.1 }), { x: [1, 2, 3] }],
    ['Identity', node('Identity', ['x'], ['y']), { x: [2, 3] }],
    ['Dropout', node('Dropout', ['x'], ['y', 'mask']), { x: [2, 3] }],
    ['Flatten', node('Flatten', ['x'], ['y'], { axis: 2 }), { x: [1, 2, 3, 2] }],
    ['Reshape', node('Reshape', ['x', 's'], ['y']), { x: [1, 2, 3, 2] }, { s: tensor([2], [3, -1]) }],
    ['Squeeze', node('Squeeze', ['x'], ['y'], { axes: [0, 2] }), { x: [1, 4, 1, 2] }],
    ['Unsqueeze', node('Unsqueeze', ['x'], ['y'], { axes: [1] }), { x: [2, 3] }],
    ['Transpose', node('Transpose', ['x'], ['y'], { perm: [0, 2, 3, 1] }), { x: [1, 2, 3, 4] }],
    ['Transpose (default perm)', node('Transpose', ['x'], ['y']), { x: [2, 3, 4] }],
    ['Concat', node('Concat', ['a', 'b'], ['y'], { axis: 1 }), { a: [2, 2, 3], b: [2, 1, 3] }],
    [
      'Concat with a constant (its slice sinks)',
      node('Concat', ['a', 'k'], ['y'], { axis: 1 }),
      { a: [2, 2] },
      { k: tensor([2, 3], [-1, -1, -1, -1, -1, -1]) },
    ],
    ['Split', node('Split', ['x'], ['y1', 'y2', 'y3'], { axis: 1, split: [1, 3, 2] }), { x: [2, 6, 2] }],
    [
      'Pad constant 0 (crop)',
      node('Pad', ['x', 'p'], ['y']),
      { x: [1, 2, 3] },
      { p: tensor([6], [0, 1, 2, 0, 0, 1]) },
    ],
    [
      'Pad with negative pads',
      node('Pad', ['x', 'p'], ['y']),
      { x: [1, 2, 5] },
      { p: tensor([6], [0, 0, -1, 0, 1, 2]) },
    ],
    [
      'Pad constant 7 (constants sink)',
      node('Pad', ['x', 'p', 'v'], ['y']),
      { x: [1, 3] },
      { p: tensor([4], [0, 1, 0, 2]), v: tensor([], [0.5]) },
    ],
  ];
  for (const [name, spec, data, consts] of cases) {
    it(name, () => {
      const { g, node: n } = single(spec, data, consts);
      const dataInputs = n.inputs.flatMap((name, k) => (Object.hasOwn(data, name) ? [k] : []));
      expectMovesLikeForward(g, n, dataInputs);
    });
  }

  it('Pad reflect: the padded copies are constants, their mass sinks', () => {
    const { g, node: n } = single(
      node('Pad', ['x', 'p'], ['y'], { mode: 'reflect' }),
      { x: [1, 1, 4] },
      { p: tensor([6], [0, 0, 2, 0, 0, 1]) },
    );
    const values = runForward(g, { x: tensor([1, 1, 4], [1, 2, 3, 4]) });
    const out = randomFlux(7);
    const step = propagateNode(g, n, values, out, DEFAULT_OPTIONS);
    expect(step.inputs[0]!.T).toEqual(out.T.slice(2, 6));
    expect(step.inputs[0]!.R).toEqual(out.R.slice(2, 6));
    expect(step.sinkT).toBeCloseTo(out.T[0] + out.T[1] + out.T[6], 15);
  });

  it('Clip passes by default; with clipSaturated = "absorb" saturated outputs sink', () => {
    const { g, node: n } = single(
      node('Clip', ['x', 'lo', 'hi'], ['y']),
      { x: [6] },
      { lo: tensor([], [0]), hi: tensor([], [6]) },
    );
    const values = runForward(g, { x: tensor([6], [-1, 0, 3, 6, 7, 2]) });
    const out = randomFlux(6);
    const pass = propagateNode(g, n, values, out, DEFAULT_OPTIONS);
    expect(pass.inputs[0]!.T).toEqual(out.T);
    expect(pass.sinkT).toBe(0);
    const absorb = propagateNode(g, n, values, out, { ...DEFAULT_OPTIONS, clipSaturated: 'absorb' });
    [0, 4].forEach((i) => expect(absorb.inputs[0]!.T[i]).toBe(0));
    [1, 2, 3, 5].forEach((i) => expect(absorb.inputs[0]!.T[i]).toBe(out.T[i]));
    expect(absorb.sinkT).toBeCloseTo(out.T[0] + out.T[4], 15);
    expect(absorb.sinkR).toBeCloseTo(out.R[0] + out.R[4], 15);
  });

  it('round trips and inserted Identity / Dropout leave the maps unchanged', () => {
    const w = normalTensor(rng, [6, 2, 3, 3]);
    const w2 = normalTensor(rng, [4, 6 * 5 * 5]);
    const body = (extra: NodeSpec[], last: string): GraphSpec => ({
      inputs: { x: [1, 2, 5, 5] },
      initializers: { w, w2, shape: tensor([4], [1, 6, 25, 1]), back: tensor([4], [1, 6, 5, 5]) },
      nodes: [
        node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
        node('Relu', ['c'], ['r']),
        ...extra,
        node('Flatten', [last], ['f']),
        node('Gemm', ['f', 'w2'], ['logits'], { transB: 1 }),
      ],
      outputs: ['logits'],
    });
    const variants: [NodeSpec[], string][] = [
      [[], 'r'],
      [
        [
          node('Split', ['r'], ['s1', 's2'], { axis: 1, split: [2, 4] }),
          node('Concat', ['s1', 's2'], ['rt'], { axis: 1 }),
        ],
        'rt',
      ],
      [
        [
          node('Transpose', ['r'], ['t'], { perm: [0, 3, 1, 2] }),
          node('Transpose', ['t'], ['rt'], { perm: [0, 2, 3, 1] }),
        ],
        'rt',
      ],
      [[node('Reshape', ['r', 'shape'], ['t']), node('Reshape', ['t', 'back'], ['rt'])], 'rt'],
      [[node('Unsqueeze', ['r'], ['t'], { axes: [0] }), node('Squeeze', ['t'], ['rt'], { axes: [0] })], 'rt'],
      [[node('Identity', ['r'], ['i']), node('Dropout', ['i'], ['rt'])], 'rt'],
    ];
    const x = randomTensor(rng, [1, 2, 5, 5]);
    const results = variants.map(([extra, last]) => {
      const g = makeGraph(body(extra, last));
      return explain(g, runForward(g, { x }), { target: 2 });
    });
    for (const r of results.slice(1)) {
      expect(r.flux.get('x')).toEqual(results[0].flux.get('x'));
      expect(r.flux.get('r')).toEqual(results[0].flux.get('r'));
    }
  });
});

describe('MaxPool routing (spec 4.3)', () => {
  /** Brute force: every output's mass split over the exact maxima among the taps inside the input. */
  function routeByHand(
    x: Float64Array,
    H: number,
    W: number,
    a: { k: number[]; s: number[]; p: number[]; d: number[] },
    OH: number,
    OW: number,
    out: Flux,
  ) {
    const T = new Float64Array(x.length);
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const taps: number[] = [];
        for (let kh = 0; kh < a.k[0]; kh++) {
          for (let kw = 0; kw < a.k[1]; kw++) {
            const ih = oh * a.s[0] - a.p[0] + kh * a.d[0];
            const iw = ow * a.s[1] - a.p[1] + kw * a.d[1];
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) taps.push(ih * W + iw);
          }
        }
        const best = Math.max(...taps.map((i) => x[i]));
        const winners = taps.filter((i) => x[i] === best);
        for (const i of winners) T[i] += out.T[oh * OW + ow] / winners.length;
      }
    }
    return T;
  }

  it('pads (-inf never wins), dilations, ceil_mode, overlapping windows and ties', () => {
    const a = { k: [3, 2], s: [2, 1], p: [1, 1, 1, 0], d: [1, 2] };
    const { g, node: n } = single(
      node('MaxPool', ['x'], ['y'], {
        kernel_shape: a.k,
        strides: a.s,
        pads: a.p,
        dilations: a.d,
        ceil_mode: 1,
      }),
      { x: [1, 1, 6, 5] },
    );
    // Values from a small set so that ties are common; all negative so padding would win if it could.
    const x = tensor(
      [1, 1, 6, 5],
      Array.from({ length: 30 }, () => -1 - Math.floor(rng() * 3)),
    );
    const values = runForward(g, { x });
    const [, , OH, OW] = values.get('y')!.dims;
    const out = randomFlux(OH * OW);
    const step = propagateNode(g, n, values, out, DEFAULT_OPTIONS);
    expect(maxRelDiff(step.inputs[0]!.T, routeByHand(x.data, 6, 5, a, OH, OW, out))).toBeLessThan(1e-15);
    expect(sum(step.inputs[0]!.T)).toBeCloseTo(sum(out.T), 13);
    expect(sum(step.inputs[0]!.R)).toBeCloseTo(sum(out.R), 13);
    expect(step.sinkT).toBe(0);
  });

  it('GlobalMaxPool shares ties', () => {
    const { g, node: n } = single(node('GlobalMaxPool', ['x'], ['y']), { x: [1, 2, 2, 2] });
    const values = runForward(g, { x: tensor([1, 2, 2, 2], [1, 3, 3, 0, 5, 4, 3, 2]) });
    const step = propagateNode(
      g,
      n,
      values,
      { T: new Float64Array([1, 2]), R: new Float64Array([1, -2]) },
      DEFAULT_OPTIONS,
    );
    expect([...step.inputs[0]!.T]).toEqual([0, 0.5, 0.5, 0, 2, 0, 0, 0]);
    expect([...step.inputs[0]!.R]).toEqual([0, 0.5, 0.5, 0, -2, 0, 0, 0]);
  });
});

describe('5.12 average pooling', () => {
  const x = randomTensor(rng, [1, 3, 6, 6]);
  const w = normalTensor(rng, [4, 3, 3, 3]);
  const headed = (pool: NodeSpec, extra: Record<string, Tensor> = {}): GraphSpec => ({
    inputs: { x: [1, 3, 6, 6] },
    initializers: { w, ...extra },
    nodes: [
      node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
      node('Relu', ['c'], ['r']),
      pool,
      node('Flatten', ['p'], ['logits']),
    ],
    outputs: ['logits'],
  });
  const mapsOf = (spec: GraphSpec, opts: Partial<PaneOptions> = {}) => {
    const g = makeGraph(spec);
    return explain(g, runForward(g, { x }), { target: 5, ...opts }).flux.get('x')!;
  };

  it('AveragePool equals the sum-pool rule: same maps as a depthwise convolution with weights 1/n', () => {
    const avg = mapsOf(headed(node('AveragePool', ['r'], ['p'], { kernel_shape: [2, 3], strides: [2, 1] })));
    const ones = { dims: [4, 1, 2, 3], data: new Float64Array(24).fill(1 / 6) };
    const conv = mapsOf(headed(node('Conv', ['r', 'k'], ['p'], { group: 4, strides: [2, 1] }), { k: ones }));
    expect(maxRelDiff(avg.T, conv.T)).toBeLessThan(1e-12);
    expect(maxRelDiff(avg.R, conv.R)).toBeLessThan(1e-12);
  });

  it('the result does not depend on count_include_pad (without eps, even with padding)', () => {
    for (const pads of [
      [0, 0, 0, 0],
      [1, 0, 1, 1],
    ]) {
      const a = mapsOf(
        headed(
          node('AveragePool', ['r'], ['p'], {
            kernel_shape: [3, 3],
            strides: [2, 2],
            pads,
            count_include_pad: 0,
          }),
        ),
      );
      const b = mapsOf(
        headed(
          node('AveragePool', ['r'], ['p'], {
            kernel_shape: [3, 3],
            strides: [2, 2],
            pads,
            count_include_pad: 1,
          }),
        ),
      );
      expect(maxRelDiff(a.T, b.T)).toBeLessThan(1e-12);
      expect(maxRelDiff(a.R, b.R)).toBeLessThan(1e-12);
    }
  });

  it('GlobalAveragePool equals AveragePool over the whole plane', () => {
    const gap = mapsOf(headed(node('GlobalAveragePool', ['r'], ['p'])), { target: 1 });
    const avg = mapsOf(headed(node('AveragePool', ['r'], ['p'], { kernel_shape: [6, 6] })), { target: 1 });
    expect(maxRelDiff(gap.T, avg.T)).toBeLessThan(1e-12);
    expect(maxRelDiff(gap.R, avg.R)).toBeLessThan(1e-12);
  });

  it('ReduceMean over the spatial axes (keepdims 0 or 1) equals GlobalAveragePool; other axes are an error', () => {
    const gap = mapsOf(headed(node('GlobalAveragePool', ['r'], ['p'])), { target: 2 });
    for (const [axes, keepdims] of [
      [[2, 3], 1],
      [[-1, -2], 0],
    ] as const) {
      const mean = mapsOf(headed(node('ReduceMean', ['r'], ['p'], { axes: [...axes], keepdims })), {
        target: 2,
      });
      expect(maxRelDiff(mean.T, gap.T)).toBeLessThan(1e-12);
      expect(maxRelDiff(mean.R, gap.R)).toBeLessThan(1e-12);
    }
    expect(() => mapsOf(headed(node('ReduceMean', ['r'], ['p'], { axes: [1], keepdims: 1 })))).toThrow(
      /ReduceMean '.*': only the mean over the spatial axes/,
    );
  });
});

describe('5.13 BatchNormalization folding', () => {
  const spec = (withBias: boolean, shift: boolean): GraphSpec => {
    const scale = randomTensor(rng, [4], 0.5, 1.5);
    const mean = randomTensor(rng, [4], -0.3, 0.3);
    return {
      inputs: { x: [1, 3, 5, 5] },
      initializers: {
        w: normalTensor(rng, [4, 3, 3, 3]),
        ...(withBias ? { b: randomTensor(rng, [4], -0.2, 0.2) } : {}),
        scale,
        bias: shift
          ? randomTensor(rng, [4], -0.3, 0.3)
          : { dims: [4], data: mean.data.map((m, c) => m * scale.data[c]) },
        mean,
        var: shift ? randomTensor(rng, [4], 0.5, 2) : tensor([4], [1, 1, 1, 1]),
        wh: normalTensor(rng, [4, 3]),
      },
      nodes: [
        node('Conv', withBias ? ['x', 'w', 'b'] : ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
        node('BatchNormalization', ['c', 'scale', 'bias', 'mean', 'var'], ['bn'], {
          epsilon: shift ? 1e-3 : 0,
        }),
        node('Relu', ['bn'], ['r']),
        node('GlobalAveragePool', ['r'], ['gap']),
        node('Flatten', ['gap'], ['f']),
        node('Gemm', ['f', 'wh'], ['logits']),
      ],
      outputs: ['logits'],
    };
  };
  const x = randomTensor(rng, [1, 3, 5, 5]);
  const run = (g: IrGraph, opts: Partial<PaneOptions>) =>
    explain(g, runForward(g, { x }), { target: 1, ...opts });

  /** The Conv with the BN folded in by hand: W' = W s, b' = (b - mean) s + bias. */
  function foldByHand(g: IrGraph): IrGraph {
    const get = (n: string) => g.initializers.get(n)!.data;
    const [scale, bias, mean, variance, w] = ['scale', 'bias', 'mean', 'var', 'w'].map(get);
    const b = g.initializers.get('b')?.data ?? new Float64Array(4);
    const eps = g.nodes[1].attrs.epsilon as number;
    const s = scale.map((v, c) => v / Math.sqrt(variance[c] + eps));
    const spec: GraphSpec = {
      inputs: { x: [1, 3, 5, 5] },
      initializers: {
        w: { dims: [4, 3, 3, 3], data: w.map((v, i) => v * s[Math.floor(i / 27)]) },
        b: { dims: [4], data: b.map((v, c) => (v - mean[c]) * s[c] + bias[c]) },
        wh: g.initializers.get('wh')!,
      },
      nodes: [
        node('Conv', ['x', 'w', 'b'], ['bn'], { pads: [1, 1, 1, 1] }),
        node('Relu', ['bn'], ['r']),
        node('GlobalAveragePool', ['r'], ['gap']),
        node('Flatten', ['gap'], ['f']),
        node('Gemm', ['f', 'wh'], ['logits']),
      ],
      outputs: ['logits'],
    };
    return makeGraph(spec);
  }

  it('foldBatchNorm gives the same maps as a Conv folded by hand, for every rule', () => {
    const g = makeGraph(spec(true, true));
    const folded = foldBatchNorm(g);
    expect(folded.nodes.map((n) => n.opType)).not.toContain('BatchNormalization');
    const hand = foldByHand(g);
    for (const opts of [{ rule: 'sf' }, { rule: 'alphabeta' }, { rule: 'ebp' }] as Partial<PaneOptions>[]) {
      const a = run(folded, opts).flux.get('x')!;
      const b = run(hand, opts).flux.get('x')!;
      expect(maxRelDiff(a.T, b.T)).toBeLessThan(1e-10);
      expect(maxRelDiff(a.R, b.R)).toBeLessThan(1e-10);
    }
  });

  it('unfolded BN equals folding with biasMode ignore, and with absorb when there is no shift', () => {
    for (const [opts, shift] of [
      [{ biasMode: 'ignore' }, true],
      [{ biasMode: 'absorb' }, false],
    ] as [Partial<PaneOptions>, boolean][]) {
      const g = makeGraph(spec(shift, shift));
      const a = run(g, opts).flux.get('x')!;
      const b = run(foldBatchNorm(g), opts).flux.get('x')!;
      expect(maxRelDiff(a.T, b.T)).toBeLessThan(1e-10);
      expect(maxRelDiff(a.R, b.R)).toBeLessThan(1e-10);
    }
  });
});

describe('start mass', () => {
  it('"excitation" walks back through Flatten to the GlobalAveragePool: m = sum |a| / n', () => {
    const g = makeGraph({
      inputs: { x: [1, 2, 4, 4] },
      initializers: { w: normalTensor(rng, [3, 2, 3, 3]) },
      nodes: [
        node('Conv', ['x', 'w'], ['c']),
        node('Relu', ['c'], ['r']),
        node('GlobalAveragePool', ['r'], ['gap']),
        node('Flatten', ['gap'], ['logits']),
      ],
      outputs: ['logits'],
    });
    const values = runForward(g, { x: randomTensor(rng, [1, 2, 4, 4]) });
    const r = explain(g, values, { startMass: 'excitation' });
    const plane = values.get('r')!.data.subarray(r.target * 4, r.target * 4 + 4);
    expect(r.mass).toBeCloseTo(sum(plane.map(Math.abs)) / 4, 13);
    // The GAP input then carries exactly c+ = a/n of the target channel (all agreeing after Relu).
    const fr = r.flux.get('r')!;
    plane.forEach((a, i) => expect(fr.T[r.target * 4 + i]).toBeCloseTo(a / 4, 13));
  });

  it('"logit" is |l_t|, "unit" is 1', () => {
    const g = makeGraph({
      inputs: { x: [1, 3] },
      initializers: { w: normalTensor(rng, [3, 4]) },
      nodes: [node('MatMul', ['x', 'w'], ['y'])],
      outputs: ['y'],
    });
    const values = runForward(g, { x: randomTensor(rng, [1, 3]) });
    const l = values.get('y')!.data;
    expect(explain(g, values, { startMass: 'logit', target: 2 }).mass).toBe(Math.abs(l[2]));
    expect(explain(g, values, { target: 2 }).mass).toBe(1);
  });

  it('"excitation" needs the plain logit head', () => {
    const g = makeGraph({
      inputs: { x: [1, 3] },
      initializers: { w: normalTensor(rng, [3, 2]) },
      nodes: [node('MatMul', ['x', 'w'], ['y'])],
      outputs: ['y'],
    });
    const values = runForward(g, { x: randomTensor(rng, [1, 3]) });
    expect(() => explain(g, values, { startMass: 'excitation', head: 'contrast_mean' })).toThrow(/logit/);
  });
});

describe('affine ops with a data operand where a constant is required', () => {
  const cases: [string, NodeSpec, Record<string, readonly number[]>][] = [
    ['MatMul of two data tensors', node('MatMul', ['a', 'b'], ['y']), { a: [2, 3], b: [3, 2] }],
    ['Mul of two data tensors', node('Mul', ['a', 'b'], ['y']), { a: [2, 3], b: [2, 3] }],
    ['a constant divided by data', node('Div', ['k', 'a'], ['y']), { a: [2, 3] }],
    ['Conv with data weights', node('Conv', ['a', 'b'], ['y']), { a: [1, 2, 3, 3], b: [1, 2, 2, 2] }],
  ];
  for (const [name, spec, data] of cases) {
    it(`${name} is an error naming the node`, () => {
      const { g, node: n } = single(spec, data, { k: tensor([2, 3], [1, 2, 3, 4, 5, 6]) });
      const feeds = Object.fromEntries(Object.entries(data).map(([k, d]) => [k, randomTensor(rng, d)]));
      const values = runForward(g, feeds);
      const out = randomFlux(values.get('y')!.data.length);
      expect(() => propagateNode(g, n, values, out, DEFAULT_OPTIONS)).toThrow(
        new RegExp(`${n.opType} '${n.name}'`),
      );
    });
  }
});

describe('op table', () => {
  // Each backend's coverage of the table: tests/op-coverage.test.ts.
  it('the coverage report lists exactly the ops of the table', () => {
    expect([...CHAIN_OPS, ...TERMINAL_OPS].sort()).toEqual(Object.keys(CHAIN_OP_KINDS).sort());
  });
});
