/**
 * `panescope explain --backend webgpu`: the WGSL engine (src/engine/gpu-engine.ts) in Node, on Dawn's
 * bindings (the npm package `webgpu`; SwiftShader's Vulkan where there is no GPU).
 *
 * The excitation split and the double chain are the engine's WGSL, as in the browser; the CLI then reads the
 * flux (T, R) of the input and of the requested layers (GpuEngine.readFlux) and writes its files with the
 * same code as for the reference. The forward pass runs on onnxruntime-web's wasm backend and the engine
 * uploads the activations into its buffers (GpuEngine's `forward: 'wasm'`), because onnxruntime-web's
 * webgpu build is not usable on Dawn's Node bindings: its queue.writeBuffer calls pass views of wasm's
 * shared memory, which Dawn rejects ("Invalid argument"), and with those copied, creating a SqueezeNet
 * session still took 2.5 to more than 6 minutes on SwiftShader (seconds in Chromium).
 */
import { fromModelLayout, type ImageInput } from '../core/onnx/layout';
import type { GpuContext } from '../gpu/context';
import type { ExplainBackend } from './explain-backends';
import { installNodeWebGpu, noAdapterMessage } from './node-webgpu';

export async function webgpuBackend(
  bytes: Uint8Array,
  name: string,
  input: ImageInput,
): Promise<ExplainBackend> {
  const gpu = await installNodeWebGpu();
  // Imported only now: some GPU modules read WebGPU globals (GPUShaderStage, ...) when they load.
  const { GpuContext } = await import('../gpu/context');
  const { GpuEngine } = await import('../engine/gpu-engine');
  let context: GpuContext;
  try {
    context = await GpuContext.acquire({ gpu });
  } catch (e) {
    throw new Error(noAdapterMessage((e as Error).message));
  }
  const engine = new GpuEngine(context, { presentation: 'image', forward: 'wasm' });
  try {
    const info = await engine.loadModel(bytes, name);
    // The engine sizes a dynamic input itself (metadata hint or 224); it cannot take --input-size yet.
    const planar = [1, input.channels, input.height, input.width];
    if (info.inputDims.join() !== planar.join()) {
      throw new Error(
        `--backend webgpu: the engine runs this model at [${info.inputDims}], not [${planar}]; ` +
          `--input-size needs --backend ort or reference`,
      );
    }
    const layers = new Set(info.layers.map((l) => l.tensor));
    return {
      runtime: 'WebGPU engine on Dawn (forward pass on onnxruntime-web wasm)',
      async forward(x) {
        const prediction = await engine.setInput(fromModelLayout(Float32Array.from(x.data), input));
        return prediction.logits;
      },
      async chain(options) {
        const summary = await engine.explain(options);
        const atInput = summary.layers.find((l) => l.tensor === input.name)?.sumT ?? 0;
        return {
          target: summary.target,
          mass: summary.mass,
          sinks: summary.fluxAtInputPlusSinks - atInput,
          tensors: [...layers],
          flux: async (tensor) => (layers.has(tensor) ? engine.readFlux(tensor) : undefined),
        };
      },
      dispose() {
        engine.dispose();
      },
    };
  } catch (e) {
    engine.dispose();
    throw e;
  }
}
