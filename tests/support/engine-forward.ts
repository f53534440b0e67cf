/**
 * The forward values a GpuEngine's chain consumed, obtained beside the engine rather than read out of it
 * (browser tests only), so that the float64 reference can run on exactly those values and a comparison
 * measures the chain's arithmetic alone.
 *
 * The engine fills its plan's value buffers from an onnxruntime-web webgpu session that exposes the
 * tensors its ModelPlan reads. This does the same with the same code: ModelPlan.build names the tensors
 * (the list GpuEngine.loadModel passes on), createRunner builds the session (the same edited graph and
 * execution-provider options) on the engine's own device, and the input is laid out as setInput lays it
 * out. onnxruntime's kernels on one device give the same bits for the same graph and input, so these are the
 * engine's values; `logits` is the tensor that the engine also hands back (Prediction.logits), through
 * which a test checks that bit for bit.
 */
import { loadGraph } from '../../src/core/onnx';
import { imageInput, toModelLayout } from '../../src/core/onnx/layout';
import type { GpuEngine } from '../../src/engine/gpu-engine';
import { ModelPlan } from '../../src/gpu/model-plan';
import { createRunner } from '../../src/runtime';
import { testGpu } from './gpu-harness';

export interface EngineForward {
  /** Every tensor the engine's chain reads, by name, as float32 (the input in the model's layout). */
  values: Map<string, Float32Array>;
  /** The logits tensor's name (one of `values`). */
  logits: string;
}

/**
 * The values `engine` holds after `setInput(planar)` with the model `bytes` loaded (call it with the same
 * model and input; the order of the two calls does not matter).
 */
export async function engineForward(
  engine: GpuEngine,
  bytes: Uint8Array,
  planar: Float32Array,
): Promise<EngineForward> {
  const on = engine.gpuDevice();
  if (!on) throw new Error('engineForward: the engine runs no webgpu forward pass on a live device');
  const g = loadGraph(bytes);
  const plan = ModelPlan.build(await testGpu(), g);
  const names = plan.valueNames;
  const logits = plan.logits;
  plan.destroy();

  const image = imageInput(g);
  const modelInput = toModelLayout(planar, image);
  const runner = await createRunner(bytes, {
    backend: 'webgpu',
    device: on.device,
    outputs: names.filter((n) => n !== image.name),
  });
  try {
    const outputs = await runner.run(modelInput, image.dims);
    const values = new Map<string, Float32Array>();
    try {
      for (const name of names) {
        if (name === image.name) {
          values.set(name, modelInput);
          continue;
        }
        const t = outputs.get(name);
        if (!t) throw new Error(`onnxruntime returned no value for '${name}'`);
        values.set(name, (await t.getData()).slice());
      }
    } finally {
      for (const t of outputs.values()) t.dispose();
    }
    return { values, logits };
  } finally {
    runner.dispose();
  }
}
