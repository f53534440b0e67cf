/**
 * The Evaluate panel's session (what its worker runs) on SqueezeNet and a real photo: its curves, point for
 * point, equal the CLI's evaluateMap at the same pixel counts; the slider's perturbed image is the curve's
 * image at that fraction; stale requests and cancellation behave.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/core/onnx';
import type { IrGraph } from '../../src/core/onnx/ir';
import { IMAGENET_PREPROCESS, preprocess } from '../../src/core/preprocess';
import { curveCounts } from '../../src/core/eval/curves';
import {
  CURVE_ORDER,
  curveEnds,
  evaluateMap,
  substrateCache,
  type Predictor,
} from '../../src/core/eval/map-metrics';
import { pixelOrder } from '../../src/core/eval/ranking';
import { DEFAULT_METRIC_SETTINGS } from '../../src/core/eval/settings';
import { gaussianBlur } from '../../src/core/eval/substrate';
import { composite } from '../support/composite';
import { centreMap } from '../../src/core/baselines/controls';
import {
  computeMethods,
  DEFAULT_METHOD_SETTINGS,
  SharedWork,
  type MethodId,
} from '../../src/core/baselines/methods';
import { explainedImage } from '../../src/core/eval/evaluate-image';
import { GradientRunner } from '../../src/engine/cpu-graph/gradient-runner';
import { CompiledGradients } from '../../src/engine/eval-gradients';
import { argmax, softmax } from '../../src/core/pane/heads';
import { decodeImage } from '../../src/cli/image-io';
import { createLogitPredictor } from '../../src/runtime/predictor';
import {
  EvaluationSession,
  LIVE_BATCH,
  StaleImageError,
  type CurvePoint,
  type EvaluationImage,
} from '../../src/engine/eval-session';
import { CHELSEA, SQUEEZENET_ONNX, readBytes } from '../paths';

const geo = { C: 3, H: 224, W: 224 };
const norm = { mean: IMAGENET_PREPROCESS.mean, std: IMAGENET_PREPROCESS.std };
const total = geo.H * geo.W;

let bytes: Uint8Array;
let g: IrGraph;
let predict: Predictor;
let image: EvaluationImage;
let cleanP: number;

beforeAll(async () => {
  bytes = readBytes(SQUEEZENET_ONNX);
  g = loadGraph(bytes);
  predict = (await createLogitPredictor(bytes, g, LIVE_BATCH)).predict;
  const x = preprocess(decodeImage(readBytes(CHELSEA), CHELSEA), IMAGENET_PREPROCESS);
  const [logits] = await predict([x]);
  const target = argmax(logits);
  cleanP = softmax(logits)[target];
  image = { key: 'chelsea|sf', x, geo, norm, target };
});

async function curveOf(
  s: EvaluationSession,
  method: 'pane' | 'centre',
  kind: 'deletion' | 'insertion' | 'lerf',
  steps: number,
): Promise<CurvePoint[]> {
  const points: CurvePoint[] = [];
  await s.curve(
    image.key,
    method,
    kind,
    steps,
    (p) => points.push(...p),
    () => false,
  );
  return points;
}

describe('EvaluationSession (the Evaluate panel)', () => {
  it('scores the same curves as the CLI, for a handed-in map and for a baseline it computes', async () => {
    const s = new EvaluationSession(g, predict);
    s.setImage(image);
    // A map with no ties, so that the pixel order is the same in both paths.
    const map = Float32Array.from({ length: total }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
    s.setMap(image.key, 'pane', map);
    const steps = 8;
    const settings = { ...DEFAULT_METRIC_SETTINGS, stepPixels: Math.ceil(total / steps) };
    const under = { x: Float64Array.from(image.x), geo, norm, target: image.target };
    for (const [method, m] of [
      ['pane', Float64Array.from(map)],
      ['centre', centreMap(geo.H, geo.W, DEFAULT_METHOD_SETTINGS.centreSigma)],
    ] as const) {
      const cli = await evaluateMap(m, under, ['deletion', 'insertion', 'lerf'], settings, predict);
      for (const kind of ['deletion', 'insertion', 'lerf'] as const) {
        const live = await curveOf(s, method, kind, steps);
        const want = cli[kind]!;
        expect(live.map((p) => p.fraction)).toEqual(want.fractions);
        live.forEach((p, i) => expect(p.probability).toBeCloseTo(want.scores[i], 6));
      }
    }
  });

  it("scores, point for point, composite()'s image of the curve's ends and pixel order", async () => {
    // A predictor that keeps what it is given: the session makes each curve's images incrementally.
    const scored: Float32Array[] = [];
    const recording: Predictor = async (inputs) =>
      inputs.map((x) => (scored.push(x), new Float64Array(1000)));
    const s = new EvaluationSession(g, recording);
    s.setImage(image);
    const x = Float64Array.from(image.x);
    const substrate = substrateCache({ x, geo, norm }, DEFAULT_METRIC_SETTINGS);
    const map = centreMap(geo.H, geo.W, DEFAULT_METHOD_SETTINGS.centreSigma);
    const steps = 6;
    for (const kind of ['deletion', 'insertion', 'lerf'] as const) {
      scored.length = 0;
      await curveOf(s, 'centre', kind, steps);
      const { base, fill } = curveEnds(kind, x, substrate, DEFAULT_METRIC_SETTINGS);
      const order = pixelOrder(map, CURVE_ORDER[kind]);
      const counts = curveCounts(total, Math.ceil(total / steps));
      expect(scored).toHaveLength(counts.length);
      counts.forEach((count, i) => {
        const want = composite(base, fill, order, count, geo);
        expect(
          scored[i].findIndex((v, k) => v !== want[k]),
          `${kind} at ${count}`,
        ).toBe(-1);
      });
    }
  });

  it('deletion starts at the clean probability; the slider image is the curve image at that fraction', async () => {
    const s = new EvaluationSession(g, predict);
    s.setImage(image);
    const deletion = await curveOf(s, 'centre', 'deletion', 4);
    expect(deletion[0].probability).toBeCloseTo(cleanP, 6);
    expect(deletion[0].probability).toBeGreaterThan(0.3);
    const half = await s.perturbed(image.key, 'centre', 'deletion', 0.5);
    expect(half.probability).toBeCloseTo(deletion[2].probability, 6);

    // Everything removed: the all-zero tensor (the dataset mean colour); nothing inserted: the blurred image.
    const gone = await s.perturbed(image.key, 'centre', 'deletion', 1);
    expect(gone.input.every((v) => v === 0)).toBe(true);
    const blurred = gaussianBlur(Float64Array.from(image.x), geo, { kernel: 11, sigma: 5 });
    const none = await s.perturbed(image.key, 'centre', 'insertion', 0);
    none.input.forEach((v, i) => expect(v).toBeCloseTo(blurred[i], 5));
    // The centre of the image goes first: at 10 % removed the centre pixel is gone and a corner is not.
    const tenth = await s.perturbed(image.key, 'centre', 'deletion', 0.1);
    const centre = 112 * 224 + 112;
    expect(tenth.input[centre]).toBe(0);
    expect(tenth.input[0]).toBeCloseTo(image.x[0], 6);
  });

  it('computes a gradient baseline from the float64 engine and ranks by it', async () => {
    const s = new EvaluationSession(g, predict);
    s.setImage(image);
    const points: CurvePoint[] = [];
    await s.curve(
      image.key,
      'gradient',
      'deletion',
      4,
      (p) => points.push(...p),
      () => false,
    );
    expect(points.map((p) => p.fraction)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // Removing the pixels the gradient ranks first costs the cat more than removing none.
    expect(points[1].probability).toBeLessThan(points[0].probability);
  });

  it('refuses requests about another image and stops a cancelled curve after its batch', async () => {
    const s = new EvaluationSession(g, predict);
    s.setImage(image);
    await expect(s.perturbed('other', 'centre', 'deletion', 0.5)).rejects.toBeInstanceOf(StaleImageError);
    await expect(s.perturbed(image.key, 'pane', 'deletion', 0.5)).rejects.toThrow(/not been handed/);
    const points: CurvePoint[] = [];
    let batches = 0;
    await s.curve(
      image.key,
      'centre',
      'deletion',
      20,
      (p) => {
        points.push(...p);
        batches++;
      },
      () => batches >= 1,
    );
    expect(points).toHaveLength(LIVE_BATCH);
  });

  it('computes the gradient baselines on the compiled float32 graph as the float64 adjoints do', async () => {
    const runner = await GradientRunner.create(g, { backend: 'wasm', model: bytes });
    try {
      const x = Float64Array.from(image.x);
      const img = explainedImage(g, { dims: [1, 3, 224, 224], data: x }, norm, 1, image.target);
      const settings = { ...DEFAULT_METHOD_SETTINGS, igSteps: 2, smoothGradSamples: 2 };
      const shared = new SharedWork(img, settings);
      const compiled = new CompiledGradients(runner, image.x, image.target, img.values);
      const methods: MethodId[] = [
        'gradient',
        'gradient_x_input',
        'gradcam',
        'integrated_gradients',
        'smoothgrad',
      ];
      const want = await computeMethods(methods, img, settings, undefined, shared);
      const got = await computeMethods(methods, img, settings, undefined, shared, compiled);
      for (const m of methods) {
        const a = got.get(m)!.maps[0];
        const b = want.get(m)!.maps[0];
        const scale = b.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
        expect(scale, m).toBeGreaterThan(0);
        const err = a.reduce((s, v, i) => Math.max(s, Math.abs(v - b[i])), 0);
        // At IG's and SmoothGrad's own inputs a unit right at its ReLU kink may switch sides between float32
        // and float64 forward passes; at the image itself the two gradients agree to float32 rounding.
        const tolerance = m === 'integrated_gradients' || m === 'smoothgrad' ? 5e-3 : 1e-4;
        expect(err / scale, m).toBeLessThan(tolerance);
      }
    } finally {
      runner.dispose();
    }
  });

  it('uses the compiled graph for gradient baselines and the same curve comes out', async () => {
    const runner = await GradientRunner.create(g, { backend: 'wasm', model: bytes });
    try {
      const points = async (s: EvaluationSession) => {
        s.setImage(image);
        const out: CurvePoint[] = [];
        await s.curve(
          image.key,
          'gradient_x_input',
          'deletion',
          4,
          (p) => out.push(...p),
          () => false,
        );
        return out;
      };
      const fast = await points(new EvaluationSession(g, predict, runner));
      const slow = await points(new EvaluationSession(g, predict));
      fast.forEach((p, i) => expect(p.probability).toBeCloseTo(slow[i].probability, 3));
    } finally {
      runner.dispose();
    }
  });
  it("hands out a baseline's map as the curves rank it, with progress for SmoothGrad's gradients", async () => {
    const runner = await GradientRunner.create(g, { backend: 'wasm', model: bytes });
    try {
      const s = new EvaluationSession(g, predict, runner);
      s.setImage(image);
      const x = Float64Array.from(image.x);
      const img = explainedImage(g, { dims: [1, 3, 224, 224], data: x }, norm, 1, image.target);
      const want = (await computeMethods(['gradcam'], img, DEFAULT_METHOD_SETTINGS)).get('gradcam')!.maps[0];
      const got = await s.baseline(image.key, 'gradcam');
      expect(got).toBeInstanceOf(Float32Array);
      expect(got.length).toBe(total);
      const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(scale).toBeGreaterThan(0);
      expect(got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0) / scale).toBeLessThan(1e-4);

      const progress: string[] = [];
      const sg = await s.baseline(image.key, 'smoothgrad', (p) => progress.push(`${p.done}/${p.total}`));
      const n = DEFAULT_METHOD_SETTINGS.smoothGradSamples;
      expect(progress).toEqual(Array.from({ length: n }, (_, k) => `${k + 1}/${n}`));
      expect(sg.some((v) => v > 0)).toBe(true);
      // A second request is the cached map: no gradients, no progress.
      progress.length = 0;
      expect(await s.baseline(image.key, 'smoothgrad', (p) => progress.push(`${p.done}`))).toEqual(sg);
      expect(progress).toEqual([]);
      await expect(s.baseline('other', 'gradcam')).rejects.toBeInstanceOf(StaleImageError);
    } finally {
      runner.dispose();
    }
  });
});
