/**
 * Every architecture family of scripts/fixtures/families.ts, as its exporter emits it: it loads as an
 * image classifier the chain covers, the float64 forward pass equals onnxruntime (wasm), and every rule
 * explains it with finite maps, |R| <= T, flux conserved where the rule conserves it (sf) and the final map
 * at the input's H x W, whatever the input's layout.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFamilies, type FamilyModel } from '../../scripts/fixtures/build-families';
import { coverageReport, describeModelProblem, formatCoverage, loadGraph } from '../../src/core/onnx';
import type { IrGraph } from '../../src/core/onnx/ir';
import { imageInput, tensorLayout } from '../../src/core/onnx/layout';
import { layerList } from '../../src/core/pane/layers';
import { channelSum, layerMaps, mapSize } from '../../src/core/pane/maps';
import type { Rule } from '../../src/core/pane/options';
import type { PaneResult } from '../../src/core/pane/types';
import { normalArray, mulberry32 } from '../../src/core/random';
import { explain } from '../../src/core/reference/chain';
import { runForward } from '../../src/core/reference/forward';
import type { Tensor } from '../../src/core/tensor';
import { createRunner } from '../../src/runtime';

const FAMILIES = buildFamilies();
const RULES: Rule[] = ['sf', 'alphabeta', 'ebp'];

function inputOf(g: IrGraph, seed: number): Tensor {
  const { dims } = imageInput(g);
  return {
    dims,
    data: normalArray(
      mulberry32(seed),
      dims.reduce((a, b) => a * b, 1),
    ),
  };
}

function checkBounds(r: PaneResult): void {
  for (const [name, f] of r.flux) {
    for (let i = 0; i < f.T.length; i++) {
      const ok =
        Number.isFinite(f.T[i]) &&
        Number.isFinite(f.R[i]) &&
        f.T[i] >= 0 &&
        Math.abs(f.R[i]) <= f.T[i] * (1 + 1e-12) + 1e-300;
      if (!ok) throw new Error(`${name}[${i}]: T = ${f.T[i]}, R = ${f.R[i]}`);
    }
  }
}

it('the fixture script builds the same bytes every time (seeded)', () => {
  const again = buildFamilies();
  FAMILIES.forEach((f, i) =>
    expect(Buffer.from(again[i].bytes).equals(Buffer.from(f.bytes)), f.name).toBe(true),
  );
});

describe.each(FAMILIES.map((f) => [f.name, f] as [string, FamilyModel]))('%s', (_name, family) => {
  let g: IrGraph;
  let x: Tensor;
  let values: Map<string, Tensor>;
  beforeAll(() => {
    g = loadGraph(family.bytes);
    x = inputOf(g, 7);
    values = runForward(g, { [g.inputs[0].name]: x });
  });

  it('loads as an image classifier whose every node the chain covers', () => {
    expect(describeModelProblem(g)).toBeNull();
    const report = coverageReport(g);
    expect(report.unsupported, formatCoverage(report)).toEqual([]);
  });

  it('float64 forward equals onnxruntime wasm', async () => {
    const runner = await createRunner(family.bytes, { backend: 'wasm', outputs: [] });
    try {
      const out = await runner.run(Float32Array.from(x.data), [...x.dims]);
      const ort = await out.get(runner.graphOutputs[0])!.getData();
      const ours = values.get(g.outputs[0].name)!.data;
      expect(ort.length).toBe(ours.length);
      let scale = 0;
      let diff = 0;
      for (let i = 0; i < ours.length; i++) {
        scale = Math.max(scale, Math.abs(ours[i]));
        diff = Math.max(diff, Math.abs(ours[i] - ort[i]));
      }
      expect(diff / Math.max(scale, 1e-6)).toBeLessThan(1e-4);
    } finally {
      runner.dispose();
    }
  });

  it.each(RULES)('explains with rule %s: finite, |R| <= T, H x W maps, flux conserved (sf)', (rule) => {
    const input = imageInput(g);
    const r = explain(g, values, { rule });
    checkBounds(r);
    const flux = r.flux.get(input.name)!;
    expect(flux).toBeDefined();
    if (rule === 'sf') {
      let total = 0;
      for (const t of flux.T) total += t;
      for (const s of r.sinks.values()) total += s.T;
      expect(Math.abs(total - 1)).toBeLessThan(1e-9);
    }
    expect(mapSize(input.dims, input.layout)).toEqual({ h: input.height, w: input.width });
    const S = channelSum(flux.R, input.dims, input.layout);
    expect(S.length).toBe(input.height * input.width);
    expect(S.some((v) => v !== 0)).toBe(true);
    // Every layer the UI lists got mass and gives a map of its own size.
    const layers = layerList(g);
    expect(layers.map((l) => l.tensor).sort()).toEqual([...r.flux.keys()].sort());
    for (const l of layers) {
      const { h, w } = mapSize(l.dims, l.layout);
      expect(l.layout).toBe(tensorLayout(g, l.tensor));
      expect(layerMaps(r.flux.get(l.tensor)!, l.dims, l.layout).S.length).toBe(h * w);
    }
  });

  it('explains in well under a second (once compiled)', () => {
    const t0 = performance.now();
    explain(g, values);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
