/**
 * The model's logits for a batch of perturbed inputs, on onnxruntime (wasm in the app; onnxruntime-node's
 * native CPU provider in the CLI where it loads): what every faithfulness metric costs (the CLI's
 * `panescope evaluate` and the app's Evaluate panel share it).
 */
import type { Predictor } from '../core/eval/map-metrics';
import type { IrGraph } from '../core/onnx/ir';
import { findLogits } from '../core/pane/heads';
import { createRunner, type ModelRunner, type RuntimeBackend } from '.';

export interface LogitPredictor {
  runner: ModelRunner;
  predict: Predictor;
}

/**
 * Images per onnxruntime-node call. Its CPU provider spends about 15% less CPU per image of SqueezeNet in
 * calls of 1-4 images than of 16 (a small batch's activations stay in the cache; measured in
 * docs/benchmarks.md), while wasm needs large batches (a call costs it 4x an image).
 */
export const NATIVE_CALL_BATCH = 4;

/**
 * `batchSize` images go into one call (at most NATIVE_CALL_BATCH on the native backend) where the model's batch dimension is symbolic; a model exported with
 * a fixed batch of 1 takes them one at a time. `numThreads`: threads (see createRunner).
 */
export async function createLogitPredictor(
  bytes: Uint8Array,
  g: IrGraph,
  batchSize: number,
  numThreads?: number,
  backend: RuntimeBackend = 'wasm',
): Promise<LogitPredictor> {
  const { logits } = findLogits(g);
  const runner = await createRunner(bytes, { backend, outputs: [logits], numThreads });
  const dims = g.shapes.get(g.inputs[0].name)!;
  const per = dims[1] * dims[2] * dims[3];
  const symbolic = typeof g.inputs[0].shape[0] === 'string';
  const step = !symbolic ? 1 : backend === 'native' ? Math.min(batchSize, NATIVE_CALL_BATCH) : batchSize;
  const predict: Predictor = async (inputs) => {
    const out: Float64Array[] = [];
    for (let i = 0; i < inputs.length; i += step) {
      const chunk = inputs.slice(i, i + step);
      const batch = new Float32Array(chunk.length * per);
      chunk.forEach((x, k) => batch.set(x, k * per));
      const result = await runner.run(batch, [chunk.length, dims[1], dims[2], dims[3]]);
      try {
        const data = await result.get(logits)!.getData();
        const classes = data.length / chunk.length;
        for (let k = 0; k < chunk.length; k++)
          out.push(Float64Array.from(data.subarray(k * classes, (k + 1) * classes)));
      } finally {
        for (const v of result.values()) v.dispose();
      }
    }
    return out;
  };
  return { runner, predict };
}
