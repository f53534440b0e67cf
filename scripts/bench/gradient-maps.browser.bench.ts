/**
 * `npm run bench:gradient-maps`: the gradient baselines' maps of SqueezeNet 1.1 on onnxruntime's webgpu
 * backend (the app's path on a hardware adapter) against the evaluation worker's path (wasm), in headless
 * Chromium on whatever adapter it finds (SwiftShader on a machine without a GPU): each method's time on both
 * backends, and their agreement, asserted (docs/benchmarks.md). Not part of `npm test`: on SwiftShader IG and
 * SmoothGrad take over ten minutes each.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GpuContext } from '../../src/gpu/context';
import {
  comparer,
  expectProgress,
  GRADIENT_METHODS,
  type Comparer,
} from '../../tests/support/gradient-maps-comparison';

describe('SqueezeNet 1.1', () => {
  let gpu: GpuContext;
  let models: Comparer;
  beforeAll(async () => {
    gpu = await GpuContext.acquire();
    console.log(`[gpu] ${JSON.stringify(gpu.adapter)}`);
    const res = await fetch('/models/squeezenet1_1.onnx');
    if (!res.ok)
      throw new Error(`GET /models/squeezenet1_1.onnx: ${res.status} (npm run setup places the model)`);
    // A smooth deterministic input in the normalised range (as gpu-engine.browser.test.ts).
    const x = new Float32Array(3 * 224 * 224);
    for (let i = 0; i < x.length; i++) x[i] = 1.5 * Math.sin(i * 0.0137) * Math.cos(i * 0.00071);
    models = comparer('squeezenet1_1', new Uint8Array(await res.arrayBuffer()), x, gpu.device);
    console.log(`[squeezenet1_1] worker path opened in ${(await models.open()).toFixed(0)} ms`);
  });
  afterAll(() => {
    models?.release();
    gpu?.dispose();
  });

  // The first method's webgpu time includes opening its sessions (and compiling their shaders).
  test.each(GRADIENT_METHODS)('%s: the webgpu map equals the worker path (wasm)', async (method) => {
    const c = await models.compare(method);
    expect(c.r).toBeGreaterThanOrEqual(0.9999);
    // Near-ties of max pooling and ReLU fall the other way on the two backends' float32 forward values
    // here and there, so a few pixels differ (measured: at most 0.11 of the largest value; about 15 pixels
    // of the one-gradient maps, 0.9% of SmoothGrad's and 1.9% of IG's, whose 16 inputs each meet their own
    // ties); the rest agree to 1e-3.
    expect(c.maxRel).toBeLessThan(0.2);
    expect(c.offShare).toBeLessThan(0.05);
    expectProgress(method, c.progress);
  });
});
