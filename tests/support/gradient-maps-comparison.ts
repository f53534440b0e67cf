/**
 * The gradient baselines' maps on both of the app's paths for one model and input, in the browser: the
 * page's webgpu path (src/engine/gpu-gradient-maps.ts, on `device`) and the evaluation worker's (an
 * EvaluationSession with the compiled gradient on wasm, as eval-worker.ts opens it, here on the page's
 * thread). Used by src/engine/gpu-gradient-maps.browser.test.ts (a fixture) and
 * scripts/bench/gradient-maps.browser.bench.ts (SqueezeNet 1.1, timed).
 */
import { expect } from 'vitest';
import type { MethodId } from '../../src/core/baselines/methods';
import { pearson } from '../../src/core/eval/correlation';
import { loadGraph } from '../../src/core/onnx';
import { argmax } from '../../src/core/pane/heads';
import { IMAGENET_PREPROCESS } from '../../src/core/preprocess';
import { GradientRunner } from '../../src/engine/cpu-graph/gradient-runner';
import {
  EvaluationSession,
  LIVE_BATCH,
  type EvaluationImage,
  type MapProgress,
} from '../../src/engine/eval-session';
import { GpuGradientMaps } from '../../src/engine/gpu-gradient-maps';
import { createLogitPredictor } from '../../src/runtime/predictor';
import { relError } from './ort-chain';

/** Every gradient method; IG and SmoothGrad are the slow ones (16 gradients each). */
export const GRADIENT_METHODS: MethodId[] = [
  'gradient',
  'gradient_x_input',
  'gradcam',
  'smoothgrad',
  'integrated_gradients',
];

export interface Comparison {
  r: number;
  /** max |webgpu - wasm| / max |wasm|. */
  maxRel: number;
  /** Share of the pixels off by more than 1e-3 of the map's largest value. */
  offShare: number;
  /** What the webgpu path reported while computing. */
  progress: MapProgress[];
  webgpuMs: number;
  wasmMs: number;
}

export interface Comparer {
  /** Opens both paths' sessions (the webgpu one opens on the first map); returns the wasm side's time. */
  open(): Promise<number>;
  compare(method: MethodId): Promise<Comparison>;
  release(): void;
}

export function comparer(name: string, bytes: Uint8Array, x: Float32Array, device: GPUDevice): Comparer {
  const g = loadGraph(bytes);
  const [, C, H, W] = g.shapes.get(g.inputs[0].name)!;
  const maps = new GpuGradientMaps();
  let worker: { session: EvaluationSession; image: EvaluationImage; release: () => void } | null = null;

  return {
    async open() {
      const t0 = performance.now();
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
      };
      worker = { session, image, release };
      return performance.now() - t0;
    },

    async compare(method) {
      const { session, image } = worker!;
      const progress: MapProgress[] = [];
      let t0 = performance.now();
      const engine = { device, model: { bytes, graph: g } };
      const webgpu = await maps.map({ key: name, bytes }, engine, image, method, (p) => progress.push(p));
      const webgpuMs = performance.now() - t0;
      t0 = performance.now();
      const wasm = await session.baseline(image.key, method);
      const wasmMs = performance.now() - t0;
      expect(webgpu.length).toBe(H * W);
      const largest = wasm.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      // A map that is zero everywhere would agree with anything.
      expect(largest).toBeGreaterThan(0);
      const off = webgpu.filter((v, i) => Math.abs(v - wasm[i]) > 1e-3 * largest).length;
      const c = {
        r: pearson(webgpu, wasm) ?? NaN,
        maxRel: relError(webgpu, wasm),
        offShare: off / wasm.length,
        progress,
        webgpuMs,
        wasmMs,
      };
      console.log(
        `[${name} ${method}] webgpu ${webgpuMs.toFixed(0)} ms, wasm ${wasmMs.toFixed(0)} ms; ` +
          `r ${c.r.toFixed(7)}, max rel. error ${c.maxRel.toExponential(2)}, ` +
          `${off} of ${wasm.length} pixels off by > 1e-3`,
      );
      return c;
    },

    release() {
      maps.dispose();
      worker?.release();
    },
  };
}

/** IG and SmoothGrad report each of their 16 gradients, in order; the one-gradient methods nothing. */
export function expectProgress(method: MethodId, progress: MapProgress[]): void {
  const total = method === 'integrated_gradients' || method === 'smoothgrad' ? 16 : 0;
  expect(progress.map((p) => p.done)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect(progress.every((p) => p.total === total)).toBe(true);
}
