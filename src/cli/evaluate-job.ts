/**
 * One image of `panescope evaluate`, as run in the main thread (--jobs 1) or in a worker: the float32 path
 * (float32-maps.ts, the default) or the float64 engine explains, onnxruntime scores the perturbed images in
 * batches.
 */
import { loadGraph } from '../core/onnx';
import type { IrGraph } from '../core/onnx/ir';
import { evaluateImage, type ImageProgress, type ImageRecord } from '../core/eval/evaluate-image';
import type { Predictor } from '../core/eval/map-metrics';
import type { InputScaling } from '../core/eval/substrate';
import type { MethodId, MethodSettings } from '../core/baselines/methods';
import type { MetricId, MetricSettings } from '../core/eval/settings';
import { cpuBackend, setNativeThreads, type ModelRunner } from '../runtime';
import { createLogitPredictor } from '../runtime/predictor';
import { GradientRunner } from '../engine/cpu-graph/gradient-runner';
import { CompiledGradients } from '../engine/eval-gradients';
import { Float32Maps } from './float32-maps';

/**
 * Where the gradient-type baselines get their gradients: the compiled float32 gradient graph on onnxruntime,
 * or the float64 adjoints (the oracle).
 */
export type GradientBackend = 'float32' | 'float64';
export const GRADIENT_BACKENDS: readonly GradientBackend[] = ['float32', 'float64'];

/** Which path computes the maps: the float32 graphs on onnxruntime, or the float64 reference (the oracle). */
export type MapPrecision = 'float32' | 'float64';
export const MAP_PRECISIONS: readonly MapPrecision[] = ['float32', 'float64'];

export interface EvaluationConfig {
  maps: MapPrecision;
  gradients: GradientBackend;
  methods: MethodId[];
  metrics: MetricId[];
  methodSettings: MethodSettings;
  metricSettings: MetricSettings;
  norm: InputScaling;
}

export interface ImageTask {
  id: string;
  /** Preprocessed input [C, H, W] planes. */
  x: Float64Array;
  seed: number;
  /** The methods to compute for this image (a finished record may hold the others); default: all. */
  methods?: MethodId[];
}

/** A loaded model: the graph for the float64 engine and an onnxruntime session for the predictor. */
export interface LoadedModel {
  g: IrGraph;
  runner: ModelRunner;
  predict: Predictor;
  /** Where onnxruntime runs: onnxruntime-node's native CPU provider where it loads, else wasm. */
  runtime: 'native' | 'wasm';
  /** The compiled float32 gradient graph, with --gradients float32. */
  gradients: GradientRunner | null;
  /** The float32 maps, with --maps float32. */
  float32: Float32Maps | null;
  dispose(): void;
}

/**
 * `threads`: onnxruntime threads of this model's sessions (workers x threads = the cores); wasm runs one
 * thread per worker.
 */
export async function loadModel(
  bytes: Uint8Array,
  config: EvaluationConfig,
  threads = 1,
): Promise<LoadedModel> {
  const g = loadGraph(bytes);
  const runtime = await cpuBackend();
  setNativeThreads(threads);
  const { runner, predict } = await createLogitPredictor(
    bytes,
    g,
    config.metricSettings.batchSize,
    runtime === 'native' ? threads : 1,
    runtime,
  );
  let compiled: GradientRunner | null = null;
  let float32: Float32Maps | null = null;
  try {
    if (config.gradients === 'float32') {
      try {
        compiled = await GradientRunner.create(g, { backend: runtime, model: bytes });
      } catch (e) {
        throw new Error(
          `--gradients float32: ${(e as Error).message} (--maps float64 --gradients float64 handles this model)`,
        );
      }
    }
    if (config.maps === 'float32') float32 = await Float32Maps.create(g, bytes, compiled, config, runtime);
  } catch (e) {
    runner.dispose();
    compiled?.dispose();
    throw e;
  }
  return {
    g,
    runtime,
    runner,
    predict,
    gradients: compiled,
    float32,
    dispose() {
      runner.dispose();
      compiled?.dispose();
      float32?.dispose();
    },
  };
}

export async function runImageTask(
  model: LoadedModel,
  task: ImageTask,
  config: EvaluationConfig,
  progress: ImageProgress,
): Promise<ImageRecord> {
  const dims = model.g.shapes.get(model.g.inputs[0].name)!;
  const t0 = performance.now();
  const methods = task.methods ?? config.methods;
  const float32 = await model.float32?.prepare(task.x, task.seed);
  const record = await evaluateImage(
    {
      id: task.id,
      g: model.g,
      x: { dims: [1, dims[1], dims[2], dims[3]], data: task.x },
      norm: config.norm,
      methods,
      metrics: config.metrics,
      methodSettings: config.methodSettings,
      metricSettings: config.metricSettings,
      predict: model.predict,
      seed: task.seed,
      prepared: float32?.prepared,
      gradients: model.gradients
        ? (img) =>
            new CompiledGradients(model.gradients!, Float32Array.from(img.x.data), img.target, img.values)
        : undefined,
    },
    progress,
  );
  // The float32 explanations ran before evaluateImage: their time goes to the method that first needs each
  // (as the float64 path's SharedWork charges it), and the wall time includes them.
  for (const [rule, ms] of float32?.explainMs ?? []) {
    const method = methods.includes(rule) ? rule : rule === 'ebp' ? 'ceb' : undefined;
    const m = method && record.methods[method];
    if (m) m.ms += ms;
  }
  return { ...record, ms: performance.now() - t0 };
}
