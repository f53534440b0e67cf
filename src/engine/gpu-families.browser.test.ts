/**
 * Every architecture family of scripts/fixtures/families.ts (the exporters' graphs: VGG, ResNet v1/v2,
 * MobileNet V2/V3, DenseNet, Inception, ShuffleNet, SqueezeNet 1.0, EfficientNet, NHWC tf2onnx, LeNet)
 * through the GPU engine in headless Chromium: onnxruntime-web's webgpu forward pass on our device, the
 * WGSL chain for every rule, and every per-layer map against the float64 reference run on the same
 * activations (tests/support/engine-forward.ts; the WebGPU issue's bar: within 1e-3 of max |ref|, Pearson
 * r > 0.9999), with the mass the GPU brings to the input plus the reference's sinks equal to the start mass
 * under sf.
 */
import { beforeAll, afterAll, describe, expect, test } from 'vitest';
import { families } from '../../scripts/fixtures/families';
import { loadGraph } from '../core/onnx';
import type { IrGraph } from '../core/onnx/ir';
import { buildModel } from '../core/onnx/build';
import { imageInput, toModelLayout } from '../core/onnx/layout';
import { excitationSource } from '../core/pane/excitation-source';
import { layerList } from '../core/pane/layers';
import { channelSum, layerMaps, mapSize } from '../core/pane/maps';
import { effectiveOptions, type Rule } from '../core/pane/options';
import { mulberry32, normalArray } from '../core/random';
import { explain } from '../core/reference/chain';
import { runForward } from '../core/reference/forward';
import type { Tensor } from '../core/tensor';
import { createGpuEngine, type GpuEngine } from './gpu-engine';
import type { MapKind, Prediction } from './types';
import { pearson } from '../core/eval/correlation';
import { engineForward, type EngineForward } from '../../tests/support/engine-forward';

const RULES: Rule[] = ['sf', 'alphabeta', 'ebp'];
const MAP_TOLERANCE = 1e-3;
const MIN_PEARSON = 0.9999;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * The float64 forward pass, with every tensor the GPU chain reads replaced by the GPU's own (so that only
 * the chain's arithmetic is compared; tests/support/engine-forward.ts computes them beside the engine, and
 * the engine's logits must equal that forward's bit for bit); each of those must equal the float64 value
 * within 1e-4 of its max |ref| (onnxruntime's webgpu kernels are checked too).
 */
async function referenceValues(
  g: IrGraph,
  input: Tensor,
  gpu: EngineForward,
  prediction: Prediction,
): Promise<Map<string, Tensor>> {
  expect(Array.from(prediction.logits), 'engine logits against the same forward beside it').toEqual(
    Array.from(gpu.values.get(gpu.logits)!),
  );
  const values = runForward(g, { [g.inputs[0].name]: input });
  for (const [name, data] of gpu.values) {
    const ref = values.get(name)!;
    expect(maxAbsDiff(data, ref.data) / (maxAbs(ref.data) || 1), `activation ${name}`).toBeLessThan(1e-4);
    values.set(name, { dims: ref.dims, data: Float64Array.from(data) });
  }
  return values;
}

let engine: GpuEngine;
beforeAll(async () => {
  const e = await createGpuEngine();
  expect(e, 'a WebGPU adapter (SwiftShader) must exist').not.toBeNull();
  engine = e!;
});
afterAll(() => engine?.dispose());

describe.each(families().map((f) => [f.name, f] as const))('%s', (name, family) => {
  test('every rule and layer map equals the float64 reference', async () => {
    const bytes = buildModel(family.spec);
    const g = loadGraph(bytes);
    const info = await engine.loadModel(bytes, `${name}.onnx`);
    expect(info.canExplain, info.coverage.unsupported.join(', ')).toBe(true);
    // The engine takes the image planar, whatever the model's layout (it transposes for NHWC models).
    const image = imageInput(g);
    expect(info.inputDims).toEqual([image.dims[0], image.channels, image.height, image.width]);
    const planar = Float32Array.from(
      normalArray(
        mulberry32(7),
        info.inputDims.reduce((a, b) => a * b, 1),
      ),
    );
    const prediction = await engine.setInput(planar);
    const input = { dims: image.dims, data: Float64Array.from(toModelLayout(planar, image)) };
    const values = await referenceValues(g, input, await engineForward(engine, bytes, planar), prediction);
    const layers = layerList(g);

    const lines: string[] = [];
    const failures: string[] = [];
    for (const rule of RULES) {
      const summary = await engine.explain({ rule });
      const ref = explain(g, values, effectiveOptions({ rule }));
      expect(summary.target).toBe(ref.target);
      let worst = 0;
      let worstR = 1;
      for (const layer of layers) {
        const { h, w } = mapSize(layer.dims, layer.layout);
        const m = layerMaps(ref.flux.get(layer.tensor)!, layer.dims, layer.layout);
        const source = excitationSource(g, layer.tensor);
        const e = source ? ref.excitation.get(source) : undefined;
        const groups: [MapKind, Float64Array][][] = [
          [['net', m.S]],
          [['positive', m.SP]],
          [['negative', m.SN]],
        ];
        // PE and NE on one scale, as the app's shared normalisation shows them: where the layer's inputs
        // are all non-negative, NE is float32 rounding of a zero and has no scale of its own.
        if (e) {
          groups.push([
            ['excitation-positive', channelSum(e.Epos, layer.dims, layer.layout)],
            ['excitation-negative', channelSum(e.Eneg, layer.dims, layer.layout)],
          ]);
        }
        for (const group of groups) {
          const scale = Math.max(...group.map(([, want]) => maxAbs(want)));
          for (const [kind, want] of group) {
            const got = await engine.readMap({ layer: layer.tensor, kind }, { width: w, height: h });
            const err = maxAbsDiff(got.data, want) / (scale || 1);
            worst = Math.max(worst, err);
            const what = `${rule} ${kind} ${layer.tensor}`;
            if (!(err <= MAP_TOLERANCE)) failures.push(`${what}: error ${err.toExponential(2)}`);
            // Pearson needs variation: a 1 x 1 map, a constant one (the N chain right under the head, the
            // bias-only NE of a BN) or one that varies by less than the tolerance (the NE above) is held to
            // the error bound alone.
            if (Math.max(...want) - Math.min(...want) > MAP_TOLERANCE * scale) {
              const r = pearson(got.data, want) ?? 0;
              worstR = Math.min(worstR, r);
              if (!(r > MIN_PEARSON)) failures.push(`${what}: Pearson ${r.toFixed(6)}`);
            }
          }
        }
      }
      if (rule === 'sf') {
        // What the GPU brings to the input plus what the reference sinks on the way is the start mass.
        const inputStats = summary.layers.find((l) => l.tensor === image.name)!;
        let sinks = 0;
        for (const s of ref.sinks.values()) sinks += s.T;
        expect(Math.abs(inputStats.sumT + sinks - summary.mass)).toBeLessThan(1e-4 * summary.mass);
        expect(Math.abs(summary.fluxAtInputPlusSinks - summary.mass)).toBeLessThan(1e-4 * summary.mass);
      }
      lines.push(`${rule} err ${worst.toExponential(2)} r ${worstR.toFixed(6)}`);
    }
    expect(failures).toEqual([]);
    console.log(`[gpu] ${name}: ${layers.length} layers; ${lines.join('; ')}`);
  });
});
