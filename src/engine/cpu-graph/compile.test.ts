// The compiled float32 chain on whole small networks (testkit's smallCnnSpec: Conv, Relu, ceil_mode
// MaxPool, a fire module's Concat, unfolded BN, a residual Add, AveragePool, GlobalAveragePool, Flatten,
// Gemm) for every rule, head, start mass and bias option, against the float64 reference on the same forward
// values; and the compiler's contract: what it reads, what it covers, how it fails.
import { describe, expect, it } from 'vitest';
import type { IrGraph } from '../../core/onnx/ir';
import { chainOpKind } from '../../core/pane/ops';
import { effectiveOptions, type PaneOptions } from '../../core/pane/options';
import { mulberry32 } from '../../core/random';
import { makeGraph, node, randomTensor, smallCnnSpec } from '../../../tests/support/testkit';
import { GraphBuilder } from './builder';
import { ChainRunner } from './chain-runner';
import { compileChain, compileKey } from './compile';
import { chainForwardValues, nonNegativeValues } from './graph-facts';
import { fluxAtInputPlusSinks } from './result';
import { forwardOnOrt, referenceOn, resultErrors } from '../../../tests/support/ort-chain';
import { CORPUS_KEYS } from '../../../tests/corpus/cases';
import { casesOf, graphForm } from '../../../tests/corpus/forms';
import { onnx } from '../../core/onnx/proto';
import type { ForwardValues } from './head';

const TOLERANCE = 1e-4;

async function smallCnn(seed: number, opts: { bias?: boolean; softmax?: boolean }) {
  const rng = mulberry32(seed);
  return forwardOnOrt(smallCnnSpec(rng, opts), { x: randomTensor(rng, [1, 3, 16, 16]) });
}

async function compare(g: IrGraph, forward: ForwardValues, opts: Partial<PaneOptions>) {
  const chain = await ChainRunner.create(g, opts);
  try {
    const got = await chain.explain(forward, opts);
    const ref = referenceOn(g, forward, opts);
    return { got, ref, errors: resultErrors(got, ref) };
  } finally {
    chain.dispose();
  }
}

describe('compiled float32 chain == float64 reference on small CNNs', () => {
  const variants: [string, Partial<PaneOptions>][] = [
    ['sf', { rule: 'sf' }],
    ['sf, bias ignored, eps', { rule: 'sf', biasMode: 'ignore', eps: 0.05 }],
    ['sf, contrast_mean', { rule: 'sf', head: 'contrast_mean' }],
    ['sf, contrast_softmax, start mass logit', { rule: 'sf', head: 'contrast_softmax', startMass: 'logit' }],
    ['sf, start mass excitation', { rule: 'sf', startMass: 'excitation' }],
    ['alphabeta 2, 1', { rule: 'alphabeta' }],
    [
      'alphabeta 1, 0, eps, contrast_mean',
      { rule: 'alphabeta', alpha: 1, beta: 0, eps: 0.05, head: 'contrast_mean' },
    ],
    ['alphabeta, start mass excitation', { rule: 'alphabeta', startMass: 'excitation' }],
    ['ebp', { rule: 'ebp' }],
    ['ebp, contrast_softmax', { rule: 'ebp', head: 'contrast_softmax' }],
  ];
  for (const bias of [false, true]) {
    for (const [name, opts] of variants) {
      it(`${name}${bias ? ', with biases' : ''}`, async () => {
        const { g, forward } = await smallCnn(bias ? 7 : 8, { bias, softmax: bias });
        const { got, ref, errors } = await compare(g, forward, { ...opts, target: 2 });
        expect([...errors].filter(([, e]) => !(e <= TOLERANCE))).toEqual([]);
        expect(got.target).toBe(ref.target);
        expect(got.mass).toBeCloseTo(ref.mass, 6);
        expect([...got.flux.keys()].sort()).toEqual([...ref.flux.keys()].sort());
        expect([...got.excitation.keys()].sort()).toEqual([...ref.excitation.keys()].sort());
      });
    }
  }

  it('the flux balance: sum T at the input plus all sinks, as the reference counts them', async () => {
    const { g, forward } = await smallCnn(9, { bias: true });
    for (const opts of [{ rule: 'sf' }, { rule: 'alphabeta' }, { rule: 'ebp' }] as const) {
      const { got, ref } = await compare(g, forward, opts);
      let expected = 0;
      for (const t of ref.flux.get('x')!.T) expected += t;
      for (const s of ref.sinks.values()) expected += s.T;
      const balance = fluxAtInputPlusSinks(g, got, effectiveOptions(opts));
      expect(Math.abs(balance - expected)).toBeLessThan(1e-5 * expected);
    }
  });
});

describe('max pooling ties (spec 5.9)', () => {
  it('shares a window between its equal maxima, as the reference does', async () => {
    const spec = {
      inputs: { x: [1, 1, 4] },
      nodes: [
        node('MaxPool', ['x'], ['y'], { kernel_shape: [2], strides: [2] }),
        node('Flatten', ['y'], ['logits']),
      ],
      outputs: ['logits'],
    };
    const { g, forward } = await forwardOnOrt(spec, {
      x: { dims: [1, 1, 4], data: new Float64Array([4, 4, 1, 5]) },
    });
    // contrast_mean with target 0: u = [1, -1] on logits [4, 5], so T = [4/9, 5/9].
    const { got, errors } = await compare(g, forward, { head: 'contrast_mean', target: 0 });
    expect([...errors].filter(([, e]) => !(e <= TOLERANCE))).toEqual([]);
    const T = got.flux.get('x')!.T;
    [2 / 9, 2 / 9, 0, 5 / 9].forEach((v, i) => expect(T[i]).toBeCloseTo(v, 6));
  });
});

describe('the compiler', () => {
  it('reads only forward values that chainForwardValues lists, and only non-constant ones', () => {
    const g = makeGraph(smallCnnSpec(mulberry32(3), { bias: true }));
    const listed = new Set(chainForwardValues(g));
    for (const rule of ['sf', 'alphabeta', 'ebp'] as const) {
      for (const clipSaturated of ['pass', 'absorb'] as const) {
        for (const name of compileChain(g, { rule, clipSaturated }).forwardValues)
          expect(listed.has(name)).toBe(true);
      }
    }
    expect(listed.has('conv0.w')).toBe(false);
  });

  it('knows which values are non-negative by construction', () => {
    const g = makeGraph(smallCnnSpec(mulberry32(3)));
    const nonNegative = nonNegativeValues(g);
    for (const name of ['relu0', 'pool0', 'fire', 'avg', 'gap', 'flat'])
      expect(nonNegative.has(name)).toBe(true);
    for (const name of ['x', 'conv0', 'bn', 'residual', 'logits']) expect(nonNegative.has(name)).toBe(false);
  });

  it('writes no node whose result nothing reads, for any rule (views write ops on first use)', () => {
    const rng = mulberry32(5);
    const cases = CORPUS_KEYS.flatMap((key) => casesOf(key, 3, 5));
    const graphs = [makeGraph(graphForm(cases).spec), makeGraph(smallCnnSpec(rng, { bias: true }))];
    for (const g of graphs) {
      for (const rule of ['sf', 'alphabeta', 'ebp'] as const) {
        const model = onnx.ModelProto.decode(compileChain(g, { rule, clipSaturated: 'absorb' }).model).graph!;
        const read = new Set([...model.output!.map((o) => o.name!), ...model.node!.flatMap((n) => n.input!)]);
        const dead = model.node!.filter((n) => !n.output!.some((o) => read.has(o)));
        expect(dead.map((n) => n.opType)).toEqual([]);
      }
    }
  });

  it('shares equal short constants, and never a long one with a short one whose values match its key', () => {
    const b = new GraphBuilder();
    // A list over 64 values is keyed by the counter (0 here); the one-value list [0] must not be taken for it.
    const long = b.ints(Array.from({ length: 65 }, (_, i) => i));
    expect(b.ints([0])).not.toBe(long);
    expect(b.ints([0])).toBe(b.ints([0]));
    const floats = b.floats([65], new Float32Array(65));
    expect(b.floats([65], new Float32Array(65))).not.toBe(floats);
  });

  it('keys compiled chains by rule options only', () => {
    expect(compileKey({ rule: 'sf', head: 'contrast_mean', target: 3 })).toBe(compileKey({ rule: 'sf' }));
    expect(compileKey({ rule: 'sf', alpha: 3 })).toBe(compileKey({ rule: 'sf' }));
    expect(compileKey({ rule: 'alphabeta', alpha: 3, beta: 2 })).not.toBe(compileKey({ rule: 'alphabeta' }));
    expect(compileKey({ rule: 'ebp', biasMode: 'absorb' })).toBe(
      compileKey({ rule: 'ebp', biasMode: 'ignore' }),
    );
    expect(compileKey({ rule: 'sf', eps: 0.1 })).not.toBe(compileKey({ rule: 'sf' }));
  });

  it('names the node of an op it cannot traverse, and a terminal op met inside the chain', () => {
    const unknown = makeGraph({
      inputs: { x: [1, 4] },
      nodes: [node('Tanh', ['x'], ['e']), node('Relu', ['e'], ['y'])],
      outputs: ['y'],
    });
    expect(() => compileChain(unknown, {})).toThrow(/cannot traverse op Tanh \(node 'Tanh_0'\)/);
    const inner = makeGraph({
      inputs: { x: [1, 4] },
      nodes: [node('Softmax', ['x'], ['s']), node('Relu', ['s'], ['y'])],
      outputs: ['y'],
    });
    expect(() => compileChain(inner, {})).toThrow(
      /Softmax 'Softmax_0': Softmax is only supported as the final node/,
    );
    expect(chainOpKind(inner.nodes[0])).toBe('terminal');
  });

  it('rejects a chain runner used with other rule options', async () => {
    const { g, forward } = await smallCnn(4, {});
    const chain = await ChainRunner.create(g, { rule: 'sf' });
    try {
      await expect(chain.explain(forward, { rule: 'ebp' })).rejects.toThrow(/another compiled chain/);
    } finally {
      chain.dispose();
    }
  });
});
