/**
 * One image of `panescope evaluate`, as run in the main thread (--jobs 1) or in a worker: the float64
 * engine explains, onnxruntime (wasm) scores the perturbed images in batches.
 */
import { loadGraph } from '../core/onnx';
import type { IrGraph } from '../core/onnx/ir';
import { evaluateImage, type ImageProgress, type ImageRecord } from '../core/eval/evaluate-image';
import type { Predictor } from '../core/eval/map-metrics';
import type { Normalisation } from '../core/eval/substrate';
import type { MethodId, MethodSettings } from '../core/baselines/methods';
import type { MetricId, MetricSettings } from '../core/eval/settings';
import type { ModelRunner } from '../runtime';
import { createLogitPredictor } from '../runtime/predictor';
import { GradientRunner } from '../engine/cpu-graph/gradient-runner';
import { CompiledGradients } from '../engine/eval-gradients';

/** Where the gradient-type baselines get their gradients (the float64 adjoints are the oracle). */
export type GradientBackend = 'float64' | 'wasm';
export const GRADIENT_BACKENDS: readonly GradientBackend[] = ['float64', 'wasm'];

export interface EvaluationConfig {
  gradients: GradientBackend;
  methods: MethodId[];
  metrics: MetricId[];
  methodSettings: MethodSettings;
  metricSettings: MetricSettings;
  norm: Normalisation;
}

export interface ImageTask {
  id: string;
  /** Preprocessed input [C, H, W] planes. */
  x: Float64Array;
  seed: number;
}

/** A loaded model: the graph for the float64 engine and an onnxruntime session for the predictor. */
export interface LoadedModel {
  g: IrGraph;
  runner: ModelRunner;
  predict: Predictor;
  /** The compiled float32 gradient graph, with --gradients wasm. */
  gradients: GradientRunner | null;
  dispose(): void;
}

export async function loadModel(
  bytes: Uint8Array,
  batchSize: number,
  gradients: GradientBackend = 'float64',
): Promise<LoadedModel> {
  const g = loadGraph(bytes);
  // One wasm thread per evaluation worker: parallelism comes from the workers.
  const { runner, predict } = await createLogitPredictor(bytes, g, batchSize, 1);
  let compiled: GradientRunner | null = null;
  if (gradients === 'wasm') {
    try {
      compiled = await GradientRunner.create(g, { backend: 'wasm', model: bytes });
    } catch (e) {
      runner.dispose();
      throw new Error(`--gradients wasm: ${(e as Error).message} (--gradients float64 handles this model)`);
    }
  }
  return {
    g,
    runner,
    predict,
    gradients: compiled,
    dispose() {
      runner.dispose();
      compiled?.dispose();
    },
  };
}

export function runImageTask(
  model: LoadedModel,
  task: ImageTask,
  config: EvaluationConfig,
  progress: ImageProgress,
): Promise<ImageRecord> {
  const dims = model.g.shapes.get(model.g.inputs[0].name)!;
  return evaluateImage(
    {
      id: task.id,
      g: model.g,
      x: { dims: [1, dims[1], dims[2], dims[3]], data: task.x },
      norm: config.norm,
      methods: config.methods,
      metrics: config.metrics,
      methodSettings: config.methodSettings,
      metricSettings: config.metricSettings,
      predict: model.predict,
      seed: task.seed,
      gradients: model.gradients
        ? (img) =>
            new CompiledGradients(model.gradients!, Float32Array.from(img.x.data), img.target, img.values)
        : undefined,
    },
    progress,
  );
}
