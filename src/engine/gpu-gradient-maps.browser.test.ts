/**
 * The gradient baselines' maps on onnxruntime's webgpu backend (the page's path, gpu-gradient-maps.ts)
 * against the evaluation worker's path (the compiled gradient on wasm), in headless Chromium (SwiftShader):
 * every gradient method on a tiny SqueezeNet-like fixture, with the progress IG and SmoothGrad report.
 * SqueezeNet 1.1 itself is compared and timed by `npm run bench:gradient-maps` (about half an hour on
 * SwiftShader, too long for every run).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { families } from '../../scripts/fixtures/families';
import { buildModel } from '../core/onnx/build';
import { mulberry32, normalArray } from '../core/random';
import { GpuContext } from '../gpu/context';
import { GpuGradientMaps } from './gpu-gradient-maps';
import {
  comparer,
  expectProgress,
  GRADIENT_METHODS,
  type Comparer,
} from '../../tests/support/gradient-maps-comparison';

describe('squeezenet1_0 fixture (3 x 32 x 32)', () => {
  let gpu: GpuContext;
  let models: Comparer;
  beforeAll(async () => {
    gpu = await GpuContext.acquire();
    const family = families().find((f) => f.name === 'squeezenet1_0')!;
    const x = Float32Array.from(normalArray(mulberry32(7), 3 * 32 * 32));
    models = comparer('fixture', buildModel(family.spec), x, gpu.device);
    await models.open();
  });
  afterAll(() => {
    models?.release();
    gpu?.dispose();
  });

  test.each(GRADIENT_METHODS)('%s: the webgpu map equals the worker path (wasm)', async (method) => {
    const c = await models.compare(method);
    expect(c.r).toBeGreaterThanOrEqual(0.9999);
    expect(c.maxRel).toBeLessThan(1e-4);
    expectProgress(method, c.progress);
  });

  test("refuses a model other than the engine's (it does not decode one itself)", async () => {
    const maps = new GpuGradientMaps();
    const image = {
      key: 'x',
      x: new Float32Array(3 * 32 * 32),
      geo: { C: 3, H: 32, W: 32 },
      norm: { mean: [0, 0, 0], std: [1, 1, 1] },
      target: 0,
    };
    const engine = { device: gpu.device, model: null };
    await expect(
      maps.map({ key: 'other', bytes: new Uint8Array(8) }, engine, image, 'gradient'),
    ).rejects.toThrow('the WebGPU engine holds another model');
    maps.dispose();
  });
});
