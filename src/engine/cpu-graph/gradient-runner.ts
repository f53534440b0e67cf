/**
 * The compiled gradient (gradient.ts) on onnxruntime, wasm or webgpu: compile once per graph, then every
 * gradient feeds the forward values and a seed on the logits. With the model's bytes it also runs the
 * forward pass itself (exposing exactly what the gradient reads, and the logits) on the same backend, so
 * that Integrated Gradients and SmoothGrad can ask for gradients at inputs of their own.
 */
import type { IrGraph } from '../../core/onnx/ir';
import { numel, type Tensor } from '../../core/tensor';
import { createRunner, type FeedTensor, type ModelRunner, type RuntimeBackend } from '../../runtime';
import { forwardInputName } from './context';
import { compileGradient, defaultGradientTensors, GRAD_SEED, type CompiledGradient } from './gradient';
import type { ForwardValues } from './head';

export interface GradientRunnerOptions {
  backend: RuntimeBackend;
  /** Required for webgpu. */
  device?: GPUDevice;
  /** The model's ONNX bytes: needed only by forward() and inputGradientAt(). */
  model?: Uint8Array;
  /** Tensors to take gradients at (default: the graph input and Grad-CAM's feature tensor). */
  tensors?: string[];
  /** Compile LRP-epsilon's relevance with this stabiliser instead of the gradient (gradient.ts). */
  lrpEpsilon?: number;
}

async function readAll(outputs: Map<string, { getData(): Promise<Float32Array>; dispose(): void }>) {
  const arrays = new Map<string, Float32Array>();
  for (const [name, t] of outputs) {
    arrays.set(name, await t.getData());
    t.dispose();
  }
  return arrays;
}

function featureTensorOf(g: IrGraph, compiled: CompiledGradient): string | undefined {
  const tensors = compiled.gradients.map((v) => v.tensor);
  return defaultGradientTensors(g)
    .slice(1)
    .find((t) => tensors.includes(t));
}

export class GradientRunner {
  private constructor(
    private readonly g: IrGraph,
    readonly compiled: CompiledGradient,
    private readonly runner: ModelRunner,
    private readonly forwardRunner: ModelRunner | null,
  ) {}

  static async create(g: IrGraph, opts: GradientRunnerOptions): Promise<GradientRunner> {
    const compiled = compileGradient(g, opts.tensors ?? defaultGradientTensors(g), opts.lrpEpsilon);
    const { backend, device } = opts;
    const runner = await createRunner(compiled.model, { backend, device, outputs: [] });
    if (!opts.model) return new GradientRunner(g, compiled, runner, null);
    try {
      const input = g.inputs[0].name;
      // Grad-CAM's feature tensor too: its value is what the gradient at it is weighed against.
      const feature = featureTensorOf(g, compiled);
      const exposed = [
        ...new Set([...compiled.forwardValues, compiled.logits, ...(feature ? [feature] : [])]),
      ].filter((n) => n !== input);
      const forward = await createRunner(opts.model, { backend, device, outputs: exposed });
      return new GradientRunner(g, compiled, runner, forward);
    } catch (e) {
      runner.dispose();
      throw e;
    }
  }

  /** The graph input, whose gradient inputGradient() reads. */
  get inputTensor(): string {
    return this.g.inputs[0].name;
  }

  /** The tensor Grad-CAM reads (gradcam.ts lastConvLayer), when the model has one and it was compiled. */
  get featureTensor(): string | undefined {
    return featureTensorOf(this.g, this.compiled);
  }

  /** The gradient of seed . logits at every compiled tensor, for the image whose forward values are given. */
  async gradients(forward: ForwardValues, seed: ArrayLike<number>): Promise<Map<string, Float32Array>> {
    const dims = this.dims(this.compiled.logits);
    if (seed.length !== numel(dims))
      throw new Error(`the seed has ${seed.length} values, the logits ${numel(dims)}`);
    const feeds: Record<string, FeedTensor> = { [GRAD_SEED]: { data: Float32Array.from(seed), dims } };
    for (const name of this.compiled.forwardValues) {
      const t = forward.get(name);
      if (!t) throw new Error(`the compiled gradient needs the forward value '${name}'`);
      feeds[forwardInputName(name)] = t;
    }
    const arrays = await readAll(await this.runner.runFeeds(feeds));
    return new Map(this.compiled.gradients.map(({ tensor, output }) => [tensor, arrays.get(output)!]));
  }

  /** d logit_t / d T at every compiled tensor T (the seed e_t of core/baselines/backprop.ts logitSeed). */
  logitGradients(forward: ForwardValues, target: number): Promise<Map<string, Float32Array>> {
    return this.gradients(forward, this.oneHot(target));
  }

  /** d logit_t / d input. */
  async inputGradient(forward: ForwardValues, target: number): Promise<Float32Array> {
    return (await this.logitGradients(forward, target)).get(this.inputTensor)!;
  }

  /** d logit_t / d A at Grad-CAM's feature tensor A. */
  async featureGradient(forward: ForwardValues, target: number): Promise<Float32Array> {
    const feature = this.featureTensor;
    if (!feature) throw new Error('the compiled gradient has no Grad-CAM feature tensor');
    return (await this.gradients(forward, this.oneHot(target))).get(feature)!;
  }

  /**
   * The forward values of a preprocessed input (model layout, the graph input's dims) on this backend:
   * those the gradient reads, the logits and Grad-CAM's feature tensor.
   */
  async forward(input: Float32Array): Promise<ForwardValues> {
    if (!this.forwardRunner) throw new Error('GradientRunner: created without the model bytes');
    const name = this.g.inputs[0].name;
    const dims = this.dims(name);
    const values = new Map<string, Tensor<Float32Array>>([[name, { dims, data: input }]]);
    const outputs = await this.forwardRunner.run(input, dims);
    for (const [k, t] of outputs) {
      values.set(k, { dims: t.dims, data: await t.getData() });
      t.dispose();
    }
    return values;
  }

  /** Forward and gradient at another input (Integrated Gradients, SmoothGrad), with its logits. */
  async inputGradientAt(
    input: Float32Array,
    target: number,
  ): Promise<{ gradient: Float32Array; logits: Float32Array }> {
    const forward = await this.forward(input);
    const gradient = await this.inputGradient(forward, target);
    return { gradient, logits: forward.get(this.compiled.logits)!.data };
  }

  dispose(): void {
    this.runner.dispose();
    this.forwardRunner?.dispose();
  }

  private oneHot(target: number): Float32Array {
    const seed = new Float32Array(numel(this.dims(this.compiled.logits)));
    if (!(target >= 0 && target < seed.length && Number.isInteger(target)))
      throw new Error(`target ${target} is not a class of the ${seed.length} logits`);
    seed[target] = 1;
    return seed;
  }

  private dims(name: string): number[] {
    const d = this.g.shapes.get(name);
    if (!d) throw new Error(`no shape for '${name}'`);
    return [...d];
  }
}
