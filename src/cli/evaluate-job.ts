/**
 * One image of `panescope evaluate`, as run in the main thread (--jobs 1) or in a worker: the float64
 * engine explains, onnxruntime (wasm) scores the perturbed images in batches.
 */
import { loadGraph } from '../core/onnx';
import type { IrGraph } from '../core/onnx/ir';
import { findLogits } from '../core/pane/heads';
import { evaluateImage, type ImageProgress, type ImageRecord } from '../core/eval/evaluate-image';
import type { Predictor } from '../core/eval/map-metrics';
import type { Normalisation } from '../core/eval/substrate';
import type { MethodId, MethodSettings } from '../core/baselines/methods';
import type { MetricId, MetricSettings } from '../core/eval/settings';
import { createRunner, type ModelRunner } from '../runtime';

export interface EvaluationConfig {
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
}

export async function loadModel(bytes: Uint8Array, batchSize: number): Promise<LoadedModel> {
  const g = loadGraph(bytes);
  const { logits } = findLogits(g);
  // One wasm thread per evaluation worker: parallelism comes from the workers.
  const runner = await createRunner(bytes, { backend: 'wasm', outputs: [logits], numThreads: 1 });
  const dims = g.shapes.get(g.inputs[0].name)!;
  const per = dims[1] * dims[2] * dims[3];
  // A fixed batch dimension of 1 can only take one image per call.
  const batchable = typeof g.inputs[0].shape[0] === 'string';
  const predict: Predictor = async (inputs) => {
    const out: Float64Array[] = [];
    const step = batchable ? batchSize : 1;
    for (let i = 0; i < inputs.length; i += step) {
      const chunk = inputs.slice(i, i + step);
      const batch = new Float32Array(chunk.length * per);
      chunk.forEach((x, k) => batch.set(x, k * per));
      const result = await runner.run(batch, [chunk.length, dims[1], dims[2], dims[3]]);
      const t = result.get(logits)!;
      const data = await t.getData();
      const classes = data.length / chunk.length;
      for (let k = 0; k < chunk.length; k++)
        out.push(Float64Array.from(data.subarray(k * classes, (k + 1) * classes)));
      for (const v of result.values()) v.dispose();
    }
    return out;
  };
  return { g, runner, predict };
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
    },
    progress,
  );
}
