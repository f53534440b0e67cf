import { describe, expect, it } from 'vitest';
import { buildModel, loadGraph } from '../onnx';
import type { IrGraph } from '../onnx/ir';
import { mulberry32, normalArray, uniformArray } from '../random';
import { runForward } from '../reference/forward';
import { makeGraph, smallCnnSpec } from '../../../tests/support/testkit';
import type { Tensor } from '../tensor';
import { backward, inputGradient, logitSeed, lossSeed, logitsOf } from './backprop';

/** Central finite difference of f at x along coordinate i. */
function finiteDifference(f: (x: Float64Array) => number, x: Float64Array, i: number, h = 1e-6): number {
  const up = Float64Array.from(x);
  const down = Float64Array.from(x);
  up[i] += h;
  down[i] -= h;
  return (f(up) - f(down)) / (2 * h);
}

function logit(g: IrGraph, dims: readonly number[], target: number) {
  return (x: Float64Array) =>
    logitsOf(g, runForward(g, { [g.inputs[0].name]: { dims, data: x } })).data[target];
}

function crossEntropy(g: IrGraph, dims: readonly number[], target: number) {
  return (x: Float64Array) => {
    const l = logitsOf(g, runForward(g, { [g.inputs[0].name]: { dims, data: x } })).data;
    const max = Math.max(...l);
    const lse = Math.log(l.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    return lse - l[target];
  };
}

function expectMatchesFiniteDifferences(
  g: IrGraph,
  x: Tensor,
  f: (x: Float64Array) => number,
  grad: Float64Array,
  samples: number,
) {
  const rng = mulberry32(7);
  let scale = 0;
  for (const v of grad) scale = Math.max(scale, Math.abs(v));
  expect(scale).toBeGreaterThan(0);
  for (let s = 0; s < samples; s++) {
    const i = Math.floor(rng() * x.data.length);
    expect(Math.abs(grad[i] - finiteDifference(f, x.data, i))).toBeLessThan(1e-6 * Math.max(1, scale));
  }
}

describe('gradient backprop against finite differences', () => {
  it('small CNN: Conv, Relu, MaxPool (ceil), fire Concat, unfolded BN, Add, AveragePool, GAP, Gemm', () => {
    const g = makeGraph(smallCnnSpec(mulberry32(3), { bias: true }));
    const dims = [1, 3, 16, 16];
    const x: Tensor = { dims, data: normalArray(mulberry32(11), 3 * 16 * 16) };
    const values = runForward(g, { x });
    for (const target of [0, 3]) {
      const grad = inputGradient(g, values, logitSeed(g, values, target));
      expectMatchesFiniteDifferences(g, x, logit(g, dims, target), grad, 40);
    }
    const loss = inputGradient(g, values, lossSeed(g, values, 2));
    expectMatchesFiniteDifferences(g, x, crossEntropy(g, dims, 2), loss, 20);
  });

  it('a built ONNX model: Sub, Mul, Div, Clip, LeakyRelu, Transpose, Split, Pad, GlobalMaxPool, MatMul', () => {
    const rng = mulberry32(5);
    const bytes = buildModel({
      inputs: [{ name: 'x', shape: [1, 4, 6, 6] }],
      outputs: [{ name: 'y', shape: [1, 3] }],
      initializers: {
        w: { dims: [6, 4, 3, 3], data: uniformArray(rng, 216) },
        s: { dims: [1, 6, 1, 1], data: uniformArray(rng, 6, 0.5, 2) },
        d: { dims: [1], data: [1.7] },
        m: { dims: [3, 3], data: uniformArray(rng, 9) },
        c: { dims: [1], data: [0.3] },
        pads: { dims: [8], data: [0, 0, 1, 1, 0, 0, 1, 1], elemType: 'int64' },
        lo: { dims: [], data: [-0.5] },
        hi: { dims: [], data: [0.8] },
      },
      nodes: [
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['xp'] },
        { op: 'Conv', inputs: ['xp', 'w'], outputs: ['c1'], attrs: { kernel_shape: [3, 3] } },
        { op: 'Mul', inputs: ['c1', 's'], outputs: ['c2'] },
        { op: 'Sub', inputs: ['c2', 'c'], outputs: ['c3'] },
        { op: 'LeakyRelu', inputs: ['c3'], outputs: ['a1'], attrs: { alpha: { f: 0.1 } } },
        { op: 'Split', inputs: ['a1'], outputs: ['p', 'q'], attrs: { axis: 1 } },
        { op: 'Div', inputs: ['p', 'd'], outputs: ['p2'] },
        { op: 'Clip', inputs: ['q', 'lo', 'hi'], outputs: ['q2'] },
        { op: 'Mul', inputs: ['p2', 'q2'], outputs: ['pq'] },
        { op: 'Transpose', inputs: ['pq'], outputs: ['t'], attrs: { perm: [0, 1, 3, 2] } },
        { op: 'GlobalMaxPool', inputs: ['t'], outputs: ['gm'] },
        { op: 'Flatten', inputs: ['gm'], outputs: ['f'] },
        { op: 'MatMul', inputs: ['f', 'm'], outputs: ['y'] },
      ],
    });
    const g = loadGraph(bytes);
    const dims = [1, 4, 6, 6];
    const x: Tensor = { dims, data: normalArray(mulberry32(12), 144) };
    const values = runForward(g, { x });
    for (const target of [0, 1, 2]) {
      const grad = inputGradient(g, values, logitSeed(g, values, target));
      expectMatchesFiniteDifferences(g, x, logit(g, dims, target), grad, 30);
    }
  });

  it('a tensor consumed twice receives the sum of both gradients', () => {
    const g = loadGraph(
      buildModel({
        inputs: [{ name: 'x', shape: [1, 3] }],
        outputs: [{ name: 'y', shape: [1, 3] }],
        nodes: [
          { op: 'Add', inputs: ['x', 'x'], outputs: ['x2'] },
          { op: 'Mul', inputs: ['x2', 'x'], outputs: ['y'] },
        ],
      }),
    );
    const x: Tensor = { dims: [1, 3], data: Float64Array.of(1, -2, 3) };
    const values = runForward(g, { x });
    // y = 2 x^2, dy_1/dx = 4 x_1 on coordinate 1 only.
    expect([...backward(g, values, logitSeed(g, values, 1)).get('x')!]).toEqual([0, -8, 0]);
  });
});
