// layerStats (the chart's numbers, one pass over each layer) against the formulas it replaced: sums of T
// and R, and the Pearson correlation of the 'positive' and 'negative' view maps, on random chains over
// NCHW, NHWC, rank 3 and 1 x 1 layers.
import { describe, expect, it } from 'vitest';
import { tensorLayout } from '../core/onnx/layout';
import type { Flux, PaneResult } from '../core/pane/types';
import { mulberry32, uniformArray } from '../core/random';
import { makeGraph, node, normalTensor } from '../../tests/support/testkit';
import type { LayerStats } from './types';
import { pearson } from '../core/eval/correlation';
import { isFinalView, layerStats, renderMapData, renderView, viewMap } from './views';
import { FINAL_MAP_NAMES } from '../core/pane/final-maps';
import { colormapLut } from '../core/colormap';
import { percentile } from '../core/pane/maps';

function graph(rng: () => number) {
  return makeGraph({
    inputs: { x: [1, 6, 5, 3] },
    initializers: {
      w: normalTensor(rng, [4, 3, 3, 3]),
      shape: { dims: [3], data: Float64Array.of(1, 4, 30) },
      wfc: normalTensor(rng, [4, 3]),
    },
    nodes: [
      // A TensorFlow-style NHWC input, transposed before its first convolution.
      node('Transpose', ['x'], ['t'], { perm: [0, 3, 1, 2] }),
      node('Conv', ['t', 'w'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
      node('Reshape', ['c', 'shape'], ['seq']),
      node('GlobalAveragePool', ['c'], ['gap']),
      node('Flatten', ['gap'], ['flat']),
      node('Gemm', ['flat', 'wfc'], ['logits']),
    ],
    outputs: ['logits', 'seq'],
  });
}

/** T >= 0 and |R| <= T, around an offset so that the maps' means are large against their spread. */
function randomFlux(rng: () => number, n: number, offset: number): Flux {
  const T = uniformArray(rng, n, offset, offset + 1);
  return { T, R: T.map((t) => t * (2 * rng() - 1)) };
}

/** What layerStats computed before it became one pass. */
function oldLayerStats(g: ReturnType<typeof graph>, result: PaneResult, layers: readonly string[]) {
  return layers.map((tensor): LayerStats => {
    const flux = result.flux.get(tensor);
    if (!flux) return { tensor, corrPN: 0, netRatio: 0, sumT: 0, sumR: 0 };
    let sumT = 0;
    let sumR = 0;
    for (let i = 0; i < flux.T.length; i++) {
      sumT += flux.T[i];
      sumR += flux.R[i];
    }
    const sp = viewMap(g, result, tensor, 'positive').data;
    const sn = viewMap(g, result, tensor, 'negative').data;
    return {
      tensor,
      corrPN: pearson(sp, sn) ?? 0,
      netRatio: sumT > 0 ? Math.abs(sumR) / sumT : 0,
      sumT,
      sumR,
    };
  });
}

describe('layerStats', () => {
  it('equals the per-view formulas on random chains, whatever the layout', () => {
    const rng = mulberry32(17);
    const g = graph(rng);
    expect(tensorLayout(g, 'x')).toBe('NHWC');
    const layers = ['x', 't', 'c', 'seq', 'gap', 'flat', 'logits', 'unreached'];
    for (const offset of [0, 10]) {
      const flux = new Map(
        layers
          .filter((l) => l !== 'unreached')
          .map((l) => [
            l,
            randomFlux(
              rng,
              g.shapes.get(l)!.reduce((a, b) => a * b, 1),
              offset,
            ),
          ]),
      );
      const result: PaneResult = {
        target: 0,
        logits: 'logits',
        u: Float64Array.of(1, 0, 0),
        mass: 1,
        flux,
        sinks: new Map(),
        excitation: new Map(),
      };
      const got = layerStats(g, result, layers);
      const want = oldLayerStats(g, result, layers);
      expect(got.map((s) => s.tensor)).toEqual(layers);
      for (let i = 0; i < layers.length; i++) {
        for (const key of ['corrPN', 'netRatio', 'sumT', 'sumR'] as const) {
          const [a, b] = [got[i][key], want[i][key]];
          const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
          expect(rel, `${layers[i]} ${key}: ${a} vs ${b}`).toBeLessThan(1e-9);
        }
      }
      // The maps vary (the correlation is not the constant-map 0) except on the 1 x 1 layers.
      const corr = Object.fromEntries(got.map((s) => [s.tensor, s.corrPN]));
      for (const l of ['x', 't', 'c', 'seq']) expect(Math.abs(corr[l])).toBeGreaterThan(0);
      for (const l of ['gap', 'flat', 'logits', 'unreached']) expect(corr[l]).toBe(0);
      expect(got[layers.length - 1]).toEqual({
        tensor: 'unreached',
        corrPN: 0,
        netRatio: 0,
        sumT: 0,
        sumR: 0,
      });
    }
  });

  it('rejects a batch of several images, as the view maps do', () => {
    const g = makeGraph({
      inputs: { x: [2, 3, 4, 4] },
      nodes: [node('Relu', ['x'], ['y'])],
      outputs: ['y'],
    });
    const result: PaneResult = {
      target: 0,
      logits: 'y',
      u: new Float64Array(0),
      mass: 1,
      flux: new Map([['y', randomFlux(mulberry32(1), 96, 0)]]),
      sinks: new Map(),
      excitation: new Map(),
    };
    expect(() => viewMap(g, result, 'y', 'positive')).toThrow(/batch 2/);
    expect(() => layerStats(g, result, ['y'])).toThrow(/batch 2/);
  });
});

describe('renderMapData (a baseline map at the input resolution)', () => {
  it('scales by the maximum or the clip percentile, applies the contrast and colours by sign', () => {
    const map = { width: 2, height: 2, data: Float32Array.of(-2, 0, 1, 4), signed: true };
    const { rgba, info } = renderMapData(map, { clipPercentile: null, colormap: 'auto', gamma: 1 });
    expect(info).toEqual({ signed: true, scale: 4, colormap: 'diverging' });
    const lut = colormapLut('diverging');
    // -2 / 4 = -0.5 -> entry round(0.25 * 255) = 64, half covered; 4 / 4 -> the last entry, opaque.
    expect(Array.from(rgba.subarray(0, 4))).toEqual([...lut.subarray(4 * 64, 4 * 64 + 3), 128]);
    expect(rgba[7]).toBe(0);
    expect(Array.from(rgba.subarray(12, 16))).toEqual([...lut.subarray(4 * 255, 4 * 255 + 3), 255]);
    // Contrast 0.5: 1 / 4 -> 0.5, drawn half covered.
    const lifted = renderMapData(map, { clipPercentile: null, colormap: 'auto', gamma: 0.5 });
    expect(lifted.rgba[11]).toBe(128);
  });

  it('takes the sequential table for non-negative maps and clips at a percentile', () => {
    const data = Float32Array.from({ length: 200 }, (_, i) => i);
    const map = { width: 20, height: 10, data, signed: false };
    const { info } = renderMapData(map, { clipPercentile: 50, colormap: 'auto', gamma: 1 });
    expect(info.colormap).toBe('sequential');
    expect(info.scale).toBeCloseTo(percentile(Float64Array.from(data), 50), 12);
    expect(info.scale).toBeLessThan(199);
  });
});

describe('renderView and renderMapData colour alike', () => {
  it('give the same pixels for the same map and scale', () => {
    const rng = mulberry32(7);
    const g = graph(rng);
    // Whole numbers: the channel sums are exact in float32, the type of a baseline's map.
    const T = Float64Array.from({ length: 90 }, () => Math.floor(10 * rng()));
    const flux = { T, R: T.map((t) => Math.round(t * (2 * rng() - 1))) };
    const result: PaneResult = {
      target: 0,
      logits: 'logits',
      u: new Float64Array(0),
      mass: 1,
      flux: new Map([['x', flux]]),
      sinks: new Map(),
      excitation: new Map(),
    };
    const display = { clipPercentile: null, colormap: 'auto' as const, gamma: 0.5 };
    const view = { layer: 'x', kind: 'net' as const, normalization: 'layer' as const, ...display };
    // The input is 6 x 5 (NHWC): drawn at its own size, the bilinear upsampling is the identity.
    const m = viewMap(g, result, 'x', 'net');
    const a = renderView(g, result, view, m.w, m.h);
    const data = Float32Array.from(m.data);
    const b = renderMapData({ width: m.w, height: m.h, data, signed: m.signed }, display);
    expect(a.info).toEqual(b.info);
    expect(Array.from(a.rgba)).toEqual(Array.from(b.rgba));
  });
});

describe('isFinalView', () => {
  it('follows the construction: only the net chain at the pixels is the input layer its own map', () => {
    const input = { opType: 'Input' };
    const shown = FINAL_MAP_NAMES.filter((name) => isFinalView(input, name));
    expect(FINAL_MAP_NAMES.filter((name) => !shown.includes(name))).toEqual(['pixel']);
    // 'pixel-total' is a pixel-kind construction too, but its total chain is no layer view.
    expect(shown).toContain('pixel-total');
    expect(isFinalView({ opType: 'Conv' }, 'detail')).toBe(false);
    expect(isFinalView(input, undefined)).toBe(false);
  });
});
