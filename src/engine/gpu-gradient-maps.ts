/**
 * The gradient-type baselines' maps on onnxruntime's webgpu backend, on the WebGPU engine's own device: the
 * model's forward pass (exposing what the gradient reads) and the compiled gradient graph
 * (cpu-graph/gradient-runner.ts) both run there, in the page, with the formulas and settings of the
 * evaluation worker (compiled-baselines.ts). The caller falls back to the worker when anything here fails
 * (no device, an op the webgpu backend lacks, a lost device), except for a StaleModelError: the engine
 * holds another model by now, and the request is dropped.
 *
 * onnxruntime runs are serialised across the page (src/runtime), so these runs queue between the engine's
 * own forward passes instead of racing them.
 */
import type { MethodId } from '../core/baselines/methods';
import type { IrGraph } from '../core/onnx/ir';
import { GradientRunner } from './cpu-graph/gradient-runner';
import { compiledBaselineMap, compiledImage, type CompiledImage } from './compiled-baselines';
import type { EvaluationImage, MapProgress } from './eval-session';
import { StaleModelError } from './stale-model-error';
import type { EngineDevice } from './types';

interface Opened {
  g: IrGraph;
  runner: GradientRunner;
}

export class GpuGradientMaps {
  /** One model on one device at a time: a new model or a new engine's device replaces it. */
  private opened: { key: string; device: GPUDevice; value: Promise<Opened> } | null = null;
  /** The last image's compiled gradients (its forward pass at the image is shared by the methods). */
  private image: CompiledImage | null = null;

  /**
   * `method`'s map of `image` (H x W at the input resolution), computed on the engine's device with the
   * graph the engine decoded from the same model bytes (the model is not decoded again here).
   */
  async map(
    model: { key: string; bytes: Uint8Array },
    engine: Pick<EngineDevice, 'device' | 'model'>,
    image: EvaluationImage,
    method: MethodId,
    onProgress: (p: MapProgress) => void = () => {},
  ): Promise<Float32Array> {
    const { g, runner } = await this.open(model, engine);
    if (this.image?.image.key !== image.key) this.image = compiledImage(g, runner, image);
    return compiledBaselineMap(g, runner, this.image, method, onProgress);
  }

  dispose(): void {
    const opened = this.opened?.value;
    this.opened = null;
    this.image = null;
    opened?.then((o) => o.runner.dispose()).catch(() => {});
  }

  private open(
    model: { key: string; bytes: Uint8Array },
    { device, model: held }: Pick<EngineDevice, 'device' | 'model'>,
  ): Promise<Opened> {
    if (this.opened?.key === model.key && this.opened.device === device) return this.opened.value;
    this.dispose();
    const value = (async () => {
      if (held?.bytes !== model.bytes) throw new StaleModelError();
      const g = held.graph;
      const runner = await GradientRunner.create(g, { backend: 'webgpu', device, model: model.bytes });
      return { g, runner };
    })();
    const opened = { key: model.key, device, value };
    this.opened = opened;
    // A model that failed to open is not kept: the next request tries again (the caller decides whether to).
    value.catch(() => this.opened === opened && (this.opened = null));
    return value;
  }
}
