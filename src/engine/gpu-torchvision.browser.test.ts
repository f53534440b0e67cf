/**
 * A few real torchvision exports (.cache/torchvision, see tests/torchvision) through the GPU engine in
 * headless Chromium: onnxruntime-web's webgpu forward pass and the WGSL chain give the same explained
 * class and the same input-level map as the float64 reference run on the GPU's activations
 * (tests/support/engine-forward.ts; Pearson r >= 0.9999). The vitest global setup (tests/global-setup.ts)
 * places the exports; without them (no python3 with torch where the tests ran) each test fails and says so.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadGraph } from '../core/onnx';
import { imageInput } from '../core/onnx/layout';
import { pearson } from '../core/eval/correlation';
import { channelSum } from '../core/pane/maps';
import { mulberry32, normalArray } from '../core/random';
import { explain } from '../core/reference/chain';
import { runForward } from '../core/reference/forward';
import { createGpuEngine, type GpuEngine } from './gpu-engine';
import { engineForward } from '../../tests/support/engine-forward';

/** Served by Vite from the project root. */
const CACHE = '/.cache/torchvision';
const FILES = ['squeezenet1_0_opset17.onnx', 'shufflenet_v2_x0_5_opset11.onnx', 'mnasnet0_5_opset17.onnx'];

async function fetchBytes(name: string): Promise<Uint8Array | null> {
  const res = await fetch(`${CACHE}/${name}`);
  const type = res.headers.get('content-type') ?? '';
  // Vite answers a missing file with the index page.
  if (!res.ok || type.includes('text/html')) return null;
  return new Uint8Array(await res.arrayBuffer());
}

const available = (await fetchBytes('manifest.json')) !== null;
const MISSING =
  'torchvision exports: .cache/torchvision/manifest.json is missing; the global setup exports them with ' +
  'scripts/fixtures/ensure-torchvision.mjs, which needs a python3 with torch and torchvision';

let engine: GpuEngine;
beforeAll(async () => {
  if (!available) throw new Error(MISSING);
  const e = await createGpuEngine();
  expect(e, 'a WebGPU adapter (SwiftShader) must exist').not.toBeNull();
  engine = e!;
});
afterAll(() => engine?.dispose());

describe('torchvision exports on WebGPU', () => {
  test.each(FILES)('%s: the GPU and the float64 reference agree on the input map', async (file) => {
    const bytes = (await fetchBytes(file))!;
    expect(bytes, file).not.toBeNull();
    const g = loadGraph(bytes);
    const info = await engine.loadModel(bytes, file);
    expect(info.canExplain, info.coverage.unsupported.join(', ')).toBe(true);
    const image = imageInput(g);
    const planar = Float32Array.from(
      normalArray(
        mulberry32(3),
        image.dims.reduce((a, b) => a * b, 1),
      ),
    );
    const prediction = await engine.setInput(planar);
    const summary = await engine.explain({ rule: 'sf' });
    const values = runForward(g, { [image.name]: { dims: image.dims, data: Float64Array.from(planar) } });
    // The GPU's activations (computed beside the engine; its logits are theirs bit for bit).
    const gpu = await engineForward(engine, bytes, planar);
    expect(Array.from(prediction.logits), 'engine logits against the same forward beside it').toEqual(
      Array.from(gpu.values.get(gpu.logits)!),
    );
    for (const [name, data] of gpu.values)
      values.set(name, { dims: values.get(name)!.dims, data: Float64Array.from(data) });
    const ref = explain(g, values, { rule: 'sf' });
    expect(summary.target).toBe(ref.target);
    const want = channelSum(ref.flux.get(image.name)!.R, image.dims);
    const got = await engine.readMap(
      { layer: image.name, kind: 'net' },
      { width: image.width, height: image.height },
    );
    const r = pearson(got.data, want) ?? 0;
    console.log(`[gpu] ${file}: class ${ref.target}, 1 - r = ${(1 - r).toExponential(1)}`);
    expect(r).toBeGreaterThanOrEqual(0.9999);
  });
});
