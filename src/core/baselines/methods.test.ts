import { describe, expect, it } from 'vitest';
import { DEFAULT_FINAL_MAP, FINAL_MAP_NAMES, finalMapOf } from '../pane/final-maps';
import { buildModel, loadGraph } from '../onnx';
import type { IrGraph } from '../onnx/ir';
import { channelSum } from '../pane/maps';
import { mulberry32, normalArray, uniformArray } from '../random';
import { runForward } from '../reference/forward';
import { makeGraph, smallCnnSpec } from '../../../tests/support/testkit';
import type { Tensor } from '../tensor';
import { inputGradient, logitSeed, logitsOf } from './backprop';
import { classifierNode, contrastiveEb, paneResult } from './chain-methods';
import { gradCam, lastConvLayer } from './gradcam';
import { float64Oracle, integratedGradients, logitGradient, smoothGrad } from './gradient-methods';
import { backward } from './backprop';
import {
  computeMethods,
  DEFAULT_METHOD_SETTINGS,
  extraGradients,
  METHOD_IDS,
  SharedWork,
  type ExplainedImage,
  type GradientProvider,
} from './methods';

const forwardOf = (g: IrGraph) => (x: Tensor) => runForward(g, { [g.inputs[0].name]: x });

/** x [1,1,1,n] -> Flatten -> Gemm W1 (no bias) -> Relu -> Gemm W2 (no bias): logits. */
function denseNet(w1: number[][], w2: number[][]): IrGraph {
  const n = w1[0].length;
  return loadGraph(
    buildModel({
      inputs: [{ name: 'x', shape: [1, 1, 1, n] }],
      outputs: [{ name: 'l', shape: [1, w2.length] }],
      initializers: {
        w1: { dims: [w1.length, n], data: w1.flat() },
        w2: { dims: [w2.length, w1.length], data: w2.flat() },
      },
      nodes: [
        { op: 'Flatten', inputs: ['x'], outputs: ['f'] },
        { op: 'Gemm', inputs: ['f', 'w1'], outputs: ['z'], attrs: { transB: 1 } },
        { op: 'Relu', inputs: ['z'], outputs: ['h'] },
        { op: 'Gemm', inputs: ['h', 'w2'], outputs: ['l'], attrs: { transB: 1 } },
      ],
    }),
  );
}

describe('contrastive excitation backprop', () => {
  it("matches TorchRay's formulas on a two-layer network with non-negative input", () => {
    const w1 = [
      [1, 2, 0.5, 1],
      [0.5, 1, -1, 2],
      [-1, 0.5, 2, 1],
    ];
    const w2 = [
      [2, -1, 1],
      [-0.25, 1, -0.5],
    ];
    const g = denseNet(w1, w2);
    const x = [1, 2, 0.5, 1.5];
    const values = forwardOf(g)({ dims: [1, 1, 1, 4], data: Float64Array.from(x) });
    const h = values.get('h')!.data;
    const target = 1;
    expect(logitsOf(g, values).data[target]).toBeGreaterThan(0);
    // TorchRay: EB at the classifier input for w2 and for -w2, difference, EB down through w1, clamp >= 0.
    const pos = (w: number[]) => {
      const plus = w.map((v) => Math.max(v, 0));
      const den = plus.reduce((s, v, i) => s + v * h[i], 0);
      return h.map((hi, i) => (hi * plus[i]) / den);
    };
    const delta = pos(w2[target]).map((v, i) => v - pos(w2[target].map((w) => -w))[i]);
    const z1 = w1.map((row) => row.reduce((s, w, m) => s + Math.max(w, 0) * x[m], 0));
    const expected = x.map((xm, m) =>
      Math.max(
        0,
        xm * w1.reduce((s, row, i) => s + (z1[i] > 0 ? (Math.max(row[m], 0) * delta[i]) / z1[i] : 0), 0),
      ),
    );
    expect(classifierNode(g).opType).toBe('Gemm');
    const ceb = contrastiveEb(g, values, target, paneResult(g, values, target, { rule: 'ebp' }));
    expect(ceb.length).toBe(4);
    ceb.forEach((v, m) => expect(v).toBeCloseTo(expected[m], 12));
  });
});

describe('LRP-epsilon on the adjoints', () => {
  it('one Gemm: R_i = x_i w_ti l_t / (z_t + eps)', () => {
    const w2 = [[1.5, -0.5, 2]];
    const g = loadGraph(
      buildModel({
        inputs: [{ name: 'x', shape: [1, 3] }],
        outputs: [{ name: 'l', shape: [1, 1] }],
        initializers: { w: { dims: [1, 3], data: w2.flat() }, b: { dims: [1], data: [0.25] } },
        nodes: [{ op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['l'], attrs: { transB: 1 } }],
      }),
    );
    const x = Float64Array.of(1, 2, 0.5);
    const values = forwardOf(g)({ dims: [1, 3], data: x });
    const z = 1.5 - 1 + 1 + 0.25;
    const R = inputGradient(g, values, logitSeed(g, values, 0), { kind: 'lrp-epsilon', epsilon: 0.5 });
    [...R].forEach((r, i) => expect(r).toBeCloseTo((x[i] * w2[0][i]) / (z + 0.5), 14));
  });

  it('with eps -> 0 on a bias-free ReLU CNN, LRP-0 equals gradient x input', () => {
    const g = makeGraph(smallCnnSpec(mulberry32(4), { bias: false }));
    const x: Tensor = { dims: [1, 3, 16, 16], data: normalArray(mulberry32(2), 768) };
    const values = forwardOf(g)(x);
    // LRP starts from R = l_t e_t, the gradient from e_t: then R = activation x gradient at every layer.
    const relevance = logitSeed(g, values, 1);
    for (const r of relevance.values()) r[1] = logitsOf(g, values).data[1];
    const lrp = inputGradient(g, values, relevance, { kind: 'lrp-epsilon', epsilon: 0 });
    const gxi = inputGradient(g, values, logitSeed(g, values, 1)).map((v, i) => v * x.data[i]);
    const scale = Math.max(...gxi.map(Math.abs));
    lrp.forEach((v, i) => expect(Math.abs(v - gxi[i])).toBeLessThan(1e-9 * scale));
  });
});

describe('gradient methods', () => {
  const g = makeGraph(smallCnnSpec(mulberry32(9), { bias: true }));
  const x: Tensor = { dims: [1, 3, 16, 16], data: normalArray(mulberry32(3), 768) };

  it('Integrated Gradients satisfies completeness as the steps grow', async () => {
    const baseline = new Float64Array(768).fill(-1);
    const oracle = float64Oracle(g, forwardOf(g), x.dims, 2);
    const coarse = await integratedGradients(oracle, x.data, baseline, 4);
    const fine = await integratedGradients(oracle, x.data, baseline, 64);
    expect(Math.abs(fine.completenessGap)).toBeLessThan(Math.abs(coarse.completenessGap) + 1e-12);
    expect(Math.abs(fine.completenessGap)).toBeLessThan(2e-2);
  });

  it('SmoothGrad with zero noise is the gradient, and a seed reproduces it', async () => {
    const grad = logitGradient(g, forwardOf(g)(x), 0);
    const oracle = float64Oracle(g, forwardOf(g), x.dims, 0);
    (await smoothGrad(oracle, x.data, 3, 0, 1)).forEach((v, i) => expect(v).toBeCloseTo(grad[i], 14));
    const a = await smoothGrad(oracle, x.data, 3, 0.15, 7);
    const b = await smoothGrad(oracle, x.data, 3, 0.15, 7);
    expect([...a]).toEqual([...b]);
  });

  it('Grad-CAM on conv -> relu -> GAP -> Gemm is the class activation map', () => {
    const rng = mulberry32(1);
    const cg = loadGraph(
      buildModel({
        inputs: [{ name: 'x', shape: [1, 2, 6, 6] }],
        outputs: [{ name: 'l', shape: [1, 3] }],
        initializers: {
          w: { dims: [4, 2, 3, 3], data: uniformArray(rng, 72) },
          fc: { dims: [3, 4], data: uniformArray(rng, 12) },
        },
        nodes: [
          {
            op: 'Conv',
            inputs: ['x', 'w'],
            outputs: ['c'],
            attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
          },
          { op: 'Relu', inputs: ['c'], outputs: ['a'] },
          { op: 'GlobalAveragePool', inputs: ['a'], outputs: ['p'] },
          { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
          { op: 'Gemm', inputs: ['f', 'fc'], outputs: ['l'], attrs: { transB: 1 } },
        ],
      }),
    );
    expect(lastConvLayer(cg)).toBe('a');
    const values = forwardOf(cg)({ dims: [1, 2, 6, 6], data: normalArray(rng, 72) });
    const A = values.get('a')!.data;
    const fc = cg.initializers.get('fc')!.data;
    const cam = new Float64Array(36);
    for (let k = 0; k < 4; k++) for (let p = 0; p < 36; p++) cam[p] += (fc[2 * 4 + k] / 36) * A[k * 36 + p];
    const got = gradCam(cg, values.get('a')!, backward(cg, values, logitSeed(cg, values, 2)).get('a'));
    got.forEach((v, p) => expect(v).toBeCloseTo(Math.max(cam[p], 0), 12));
  });
});

describe('every method on one image', () => {
  it('gives one finite map per method (several for random), deterministically', async () => {
    const g = makeGraph(smallCnnSpec(mulberry32(5), { bias: true }));
    const x: Tensor = { dims: [1, 3, 16, 16], data: normalArray(mulberry32(6), 768) };
    const img: ExplainedImage = {
      g,
      x,
      values: forwardOf(g)(x),
      target: 1,
      baseline: { dims: x.dims, data: new Float64Array(768) },
      forward: forwardOf(g),
      seed: 42,
    };
    const settings = { ...DEFAULT_METHOD_SETTINGS, igSteps: 2, smoothGradSamples: 2, randomSeeds: 3 };
    const a = await computeMethods(METHOD_IDS, img, settings);
    const b = await computeMethods(METHOD_IDS, img, settings);
    for (const m of METHOD_IDS) {
      const maps = a.get(m)!.maps;
      expect(maps.length).toBe(m === 'random' ? 3 : 1);
      for (const map of maps) {
        expect(map.length).toBe(256);
        expect(map.every(Number.isFinite)).toBe(true);
      }
      expect(maps.map((mp) => [...mp])).toEqual(b.get(m)!.maps.map((mp) => [...mp]));
    }
    expect(a.get('ceb')!.maps[0].every((v) => v >= 0)).toBe(true);
    expect(a.get('gradcam')!.maps[0].every((v) => v >= 0)).toBe(true);
    // sf's map is the engine's net map at the input.
    const sf = paneResult(g, img.values, 1, { rule: 'sf' });
    expect([...a.get('sf')!.maps[0]]).toEqual([...channelSum(sf.flux.get('x')!.R, x.dims)]);
    // PANE's final maps on sf's chain: pane-pixel is sf's map, 'pane' the default construction.
    // pane-pixel is the spec's map S = sum_c R itself (not P - N, which differs by rounding).
    expect([...a.get('pane-pixel')!.maps[0]]).toEqual([...a.get('sf')!.maps[0]]);
    expect([...a.get('pane')!.maps[0]]).toEqual([...a.get(`pane-${DEFAULT_FINAL_MAP}`)!.maps[0]]);
    for (const name of FINAL_MAP_NAMES) {
      const got = a.get(`pane-${name}`)!.maps[0];
      const want = finalMapOf(g, sf, name).map;
      const scale = Math.max(...want.map(Math.abs));
      expect(Math.max(...got.map((v, i) => Math.abs(v - want[i]))), name).toBeLessThanOrEqual(1e-12 * scale);
    }
  });
});

describe('the gradients a method takes at other points (the Evaluate panel names them in the label)', () => {
  it('are exactly the oracle calls IG and SmoothGrad make, read from the settings; none for the rest', async () => {
    const g = makeGraph(smallCnnSpec(mulberry32(7), { bias: true }));
    const x: Tensor = { dims: [1, 3, 16, 16], data: normalArray(mulberry32(8), 768) };
    const img: ExplainedImage = {
      g,
      x,
      values: forwardOf(g)(x),
      target: 0,
      baseline: { dims: x.dims, data: new Float64Array(768) },
      forward: forwardOf(g),
      seed: 3,
    };
    const settings = { ...DEFAULT_METHOD_SETTINGS, igSteps: 3, smoothGradSamples: 5 };
    const shared = new SharedWork(img, settings);
    for (const method of METHOD_IDS) {
      let calls = 0;
      const counting: GradientProvider = {
        inputGradient: () => shared.inputGradient(),
        feature: (layer) => shared.feature(layer),
        oracle: {
          gradientAt: (point) => (calls++, shared.oracle.gradientAt(point)),
          logitAt: (point) => shared.oracle.logitAt(point),
        },
      };
      await computeMethods([method], img, settings, undefined, shared, counting);
      expect(calls, method).toBe(extraGradients(method, settings));
    }
    expect([
      extraGradients('integrated_gradients', settings),
      extraGradients('smoothgrad', settings),
    ]).toEqual([3, 5]);
  });
});
