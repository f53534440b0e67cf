// The golden numbers of PANE-SPEC section 5 (items 1, 2, 9 and 10), within 1e-9. Fractions are the exact
// values of the decimals printed in the spec.
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../pane/options';
import type { Flux } from '../pane/types';
import { tensor } from '../tensor';
import { explain, propagateNode } from './chain';
import { runForward } from './forward';
import { makeGraph, node } from '../../../tests/support/testkit';

const P = (f: Flux) => Array.from(f.T, (t, i) => (t + f.R[i]) / 2);
const N = (f: Flux) => Array.from(f.T, (t, i) => (t - f.R[i]) / 2);

function expectNumbers(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs(actual[i] - e)).toBeLessThan(1e-9));
}

describe('5.1 linear model = w x split by sign', () => {
  it('x = [1, 2], w = [3, -1], b = 0.5: P = [3, 0], N = [0, 2], sink 0.5', () => {
    const g = makeGraph({
      inputs: { x: [1, 2] },
      initializers: { w: tensor([2, 1], [3, -1]), b: tensor([1], [0.5]) },
      nodes: [node('Gemm', ['x', 'w', 'b'], ['z'], {})],
      outputs: ['z'],
    });
    const values = runForward(g, { x: tensor([1, 2], [1, 2]) });
    const r = explain(g, values, { startMass: 'excitation' });
    const fx = r.flux.get('x')!;
    expect(r.mass).toBeCloseTo(5.5, 12);
    expectNumbers(P(fx), [3, 0]);
    expectNumbers(N(fx), [0, 2]);
    expect(r.sinks.get('Gemm_0')!.T).toBeCloseTo(0.5, 12);
    // sum(P - N) + b = z
    expect(fx.R[0] + fx.R[1] + 0.5).toBeCloseTo(values.get('z')!.data[0], 12);
  });
});

describe('5.2 golden two-layer example', () => {
  const g = makeGraph({
    inputs: { x: [1, 2] },
    initializers: {
      W1: tensor([3, 2], [1, -1, 2, 1, -1, 3]),
      w2: tensor([1, 3], [3, 1, -0.5]),
      b2: tensor([1], [0.5]),
    },
    nodes: [
      node('Gemm', ['x', 'W1'], ['z1'], { transB: 1 }),
      node('Relu', ['z1'], ['h']),
      node('Gemm', ['h', 'w2', 'b2'], ['zt'], { transB: 1 }),
    ],
    outputs: ['zt'],
  });
  const values = runForward(g, { x: tensor([1, 2], [1, 2]) });

  it('has the forward values of the spec', () => {
    expectNumbers(values.get('z1')!.data, [-1, 4, 5]);
    expectNumbers(values.get('zt')!.data, [2]);
  });

  it('SF with start mass "excitation" (m = G_t = 7)', () => {
    const r = explain(g, values, { rule: 'sf', startMass: 'excitation' });
    expect(r.mass).toBeCloseTo(7, 12);
    const h = r.flux.get('h')!;
    expectNumbers(P(h), [0, 4, 0]);
    expectNumbers(N(h), [0, 0, 2.5]);
    expect(r.sinks.get('Gemm_2')!.T).toBeCloseTo(0.5, 12);
    const x = r.flux.get('x')!;
    expectNumbers(P(x), [33 / 14, 2]); // [2.357142857, 2]
    expectNumbers(N(x), [0, 15 / 7]); // [0, 2.142857143]
    expectNumbers(x.T, [33 / 14, 29 / 7]); // [2.357142857, 4.142857143]
    expectNumbers(x.R, [33 / 14, -1 / 7]); // [2.357142857, -0.142857143]
    expect(x.T[0] + x.T[1]).toBeCloseTo(6.5, 12);
  });

  it('AB with alpha = 2, beta = 1 and unit mass', () => {
    const r = explain(g, values, { rule: 'alphabeta', alpha: 2, beta: 1, startMass: 'unit' });
    const h = r.flux.get('h')!;
    expectNumbers(P(h), [0, 16 / 9, 0]); // [0, 1.777778, 0]
    expectNumbers(N(h), [0, 0, 1]);
    const x = r.flux.get('x')!;
    expectNumbers(P(x), [25 / 9, 16 / 9]); // [2.777778, 1.777778]
    expectNumbers(N(x), [0, 2]);
  });
});

describe('5.9 MaxPool routing', () => {
  const pool = (x: number[]) => {
    const g = makeGraph({
      inputs: { x: [1, 1, x.length] },
      nodes: [node('MaxPool', ['x'], ['y'], { kernel_shape: [2], strides: [2] })],
      outputs: ['y'],
    });
    return { g, values: runForward(g, { x: tensor([1, 1, x.length], x) }) };
  };

  it('x = [1, 5, 5, 2], T_y = [1, 2], R_y = [1, -2] -> T_x = [0, 1, 2, 0], R_x = [0, 1, -2, 0]', () => {
    const { g, values } = pool([1, 5, 5, 2]);
    const out = { T: new Float64Array([1, 2]), R: new Float64Array([1, -2]) };
    const step = propagateNode(g, g.nodes[0], values, out, DEFAULT_OPTIONS);
    expectNumbers(step.inputs[0]!.T, [0, 1, 2, 0]);
    expectNumbers(step.inputs[0]!.R, [0, 1, -2, 0]);
    expect(step.sinkT).toBe(0);
  });

  it('a tie [4, 4] shares equally', () => {
    const { g, values } = pool([4, 4]);
    const out = { T: new Float64Array([1]), R: new Float64Array([-0.5]) };
    const step = propagateNode(g, g.nodes[0], values, out, DEFAULT_OPTIONS);
    expectNumbers(step.inputs[0]!.T, [0.5, 0.5]);
    expectNumbers(step.inputs[0]!.R, [-0.25, -0.25]);
    expect(step.sinkT).toBe(0);
  });
});

describe('5.10 Add split', () => {
  it('x1 = [3, -1], x2 = [1, 2], incoming P = [1, 1], N = 0', () => {
    const g = makeGraph({
      inputs: { x1: [2], x2: [2] },
      nodes: [node('Add', ['x1', 'x2'], ['y'])],
      outputs: ['y'],
    });
    const values = runForward(g, { x1: tensor([2], [3, -1]), x2: tensor([2], [1, 2]) });
    const out = { T: new Float64Array([1, 1]), R: new Float64Array([1, 1]) };
    const step = propagateNode(g, g.nodes[0], values, out, DEFAULT_OPTIONS);
    const [x1, x2] = step.inputs;
    expectNumbers(x1!.T, [0.75, 1 / 3]);
    expectNumbers(x1!.R, [0.75, -1 / 3]);
    expectNumbers(x2!.T, [0.25, 2 / 3]);
    expectNumbers(x2!.R, [0.25, 2 / 3]);
    expect(step.sinkT).toBe(0);
  });
});
