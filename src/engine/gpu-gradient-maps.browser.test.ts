/**
 * The gradient baselines' maps on onnxruntime's webgpu backend (the page's path, gpu-gradient-maps.ts)
 * against the evaluation worker's path (eval-session.ts with the compiled gradient on wasm), in headless
 * Chromium (SwiftShader): every gradient method on a tiny SqueezeNet-like fixture, with the progress IG and
 * SmoothGrad report. The same on SqueezeNet 1.1 with VITE_BENCH_GRADIENTS=1 in the environment, logging
 * each method's time on both backends (docs/benchmarks.md): on SwiftShader it takes about ten minutes, too
 * long for every CI run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { families } from '../../scripts/fixtures/families';
import type { MethodId } from '../core/baselines/methods';
import { pearson } from '../core/eval/correlation';
import { loadGraph } from '../core/onnx';
import { buildModel } from '../core/onnx/build';
import { argmax } from '../core/pane/heads';
import { IMAGENET_PREPROCESS } from '../core/preprocess';
import { mulberry32, normalArray } from '../core/random';
import { GpuContext } from '../gpu/context';
import { createLogitPredictor } from '../runtime/predictor';
import { relError } from '../../tests/support/ort-chain';
import { GradientRunner } from './cpu-graph/gradient-runner';
import { EvaluationSession, LIVE_BATCH, type EvaluationImage, type MapProgress } from './eval-session';
import { GpuGradientMaps } from './gpu-gradient-maps';

/** Every gradient method; IG and SmoothGrad are the slow ones (16 gradients each). */
const METHODS: MethodId[] = ['gradient', 'gradient_x_input', 'gradcam', 'smoothgrad', 'integrated_gradients'];

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await GpuContext.acquire();
  console.log(`[gpu] ${JSON.stringify(gpu.adapter)}`);
});
afterAll(() => gpu?.dispose());

interface Comparison {
  r: number;
  /** max |webgpu - wasm| / max |wasm|. */
  maxRel: number;
  /** Pixels off by more than 1e-3 of the map's largest value. */
  offShare: number;
  progress: MapProgress[];
}

/** Both paths on one model and input: the worker's configuration (eval-worker.ts) on this thread. */
function comparer(name: string, bytes: Uint8Array, x: Float32Array) {
  const g = loadGraph(bytes);
  const [, C, H, W] = g.shapes.get(g.inputs[0].name)!;
  const maps = new GpuGradientMaps();
  let worker: { session: EvaluationSession; image: EvaluationImage; release: () => void } | null = null;

  const open = async () => {
    const { runner, predict } = await createLogitPredictor(bytes, g, LIVE_BATCH);
    const gradients = await GradientRunner.create(g, { backend: 'wasm', model: bytes });
    const [logits] = await predict([x]);
    const { mean, std } = IMAGENET_PREPROCESS;
    const image = { key: name, x, geo: { C, H, W }, norm: { mean, std }, target: argmax(logits) };
    const session = new EvaluationSession(g, predict, gradients);
    session.setImage(image);
    const release = () => {
      runner.dispose();
      gradients.dispose();
      maps.dispose();
    };
    worker = { session, image, release };
  };

  const compare = async (method: MethodId): Promise<Comparison> => {
    const { session, image } = worker!;
    const progress: MapProgress[] = [];
    let t0 = performance.now();
    const webgpu = await maps.map({ key: name, bytes }, gpu.device, image, method, (p) => progress.push(p));
    const webgpuMs = performance.now() - t0;
    t0 = performance.now();
    const wasm = await session.baseline(image.key, method);
    const wasmMs = performance.now() - t0;
    expect(webgpu.length).toBe(H * W);
    const largest = wasm.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // A map that is zero everywhere would agree with anything.
    expect(largest).toBeGreaterThan(0);
    const off = webgpu.filter((v, i) => Math.abs(v - wasm[i]) > 1e-3 * largest).length;
    const result = {
      r: pearson(webgpu, wasm) ?? NaN,
      maxRel: relError(webgpu, wasm),
      offShare: off / wasm.length,
      progress,
    };
    console.log(
      `[${name} ${method}] webgpu ${webgpuMs.toFixed(0)} ms, wasm ${wasmMs.toFixed(0)} ms; ` +
        `r ${result.r.toFixed(7)}, max rel. error ${result.maxRel.toExponential(2)}, ` +
        `${off} of ${wasm.length} pixels off by > 1e-3`,
    );
    return result;
  };

  return { open, compare, release: () => worker?.release() };
}

/** IG and SmoothGrad report each of their 16 gradients, in order; the one-gradient methods nothing. */
function expectProgress(method: MethodId, progress: MapProgress[]): void {
  const total = method === 'integrated_gradients' || method === 'smoothgrad' ? 16 : 0;
  expect(progress.map((p) => p.done)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect(progress.every((p) => p.total === total)).toBe(true);
}

describe('squeezenet1_0 fixture (3 x 32 x 32)', () => {
  const family = families().find((f) => f.name === 'squeezenet1_0')!;
  const x = Float32Array.from(normalArray(mulberry32(7), 3 * 32 * 32));
  const models = comparer('fixture', buildModel(family.spec), x);
  beforeAll(models.open);
  afterAll(models.release);

  test.each(METHODS)('%s: the webgpu map equals the worker path (wasm)', async (method) => {
    const c = await models.compare(method);
    expect(c.r).toBeGreaterThanOrEqual(0.9999);
    expect(c.maxRel).toBeLessThan(1e-4);
    expectProgress(method, c.progress);
  });
});

describe.skipIf(!import.meta.env.VITE_BENCH_GRADIENTS)('SqueezeNet 1.1 (VITE_BENCH_GRADIENTS=1)', () => {
  // A smooth deterministic input in the normalised range (as gpu-engine.browser.test.ts).
  const x = new Float32Array(3 * 224 * 224);
  for (let i = 0; i < x.length; i++) x[i] = 1.5 * Math.sin(i * 0.0137) * Math.cos(i * 0.00071);
  let models: ReturnType<typeof comparer>;
  beforeAll(async () => {
    const res = await fetch('/models/squeezenet1_1.onnx');
    if (!res.ok)
      throw new Error(`GET /models/squeezenet1_1.onnx: ${res.status} (npm run setup places the model)`);
    models = comparer('squeezenet1_1', new Uint8Array(await res.arrayBuffer()), x);
    await models.open();
  }, 300_000);
  afterAll(() => models?.release());

  test.each(METHODS)(
    '%s: the webgpu map equals the worker path (wasm)',
    async (method) => {
      const c = await models.compare(method);
      expect(c.r).toBeGreaterThanOrEqual(0.9999);
      // Near-ties of max pooling and ReLU fall the other way on the two backends' float32 forward values
      // here and there: a few pixels differ (measured: at most 0.11 of the largest value; 15 pixels of the
      // one-gradient maps, 0.9% of SmoothGrad's, whose noisy inputs meet more ties), the rest agree to 1e-3.
      expect(c.maxRel).toBeLessThan(0.2);
      expect(c.offShare).toBeLessThan(0.02);
      expectProgress(method, c.progress);
    },
    900_000,
  );
});
