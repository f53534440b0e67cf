/**
 * The gradients of the gradient-type baselines from the compiled float32 graph (cpu-graph/gradient-runner)
 * instead of the float64 adjoints: the same formulas (core/baselines/methods.ts), about six times faster
 * on SqueezeNet (a backward pass in 167 ms on wasm against 945 ms), so the Evaluate panel's Integrated
 * Gradients and SmoothGrad take seconds, not minutes. The graph equals the float64 adjoints within 5e-7
 * of the largest gradient (cpu-graph/gradient.test.ts).
 */
import type { GradientProvider } from '../core/baselines/methods';
import { toFloat64, type Tensor } from '../core/tensor';
import type { GradientRunner } from './cpu-graph/gradient-runner';
import type { ForwardValues } from './cpu-graph/head';

export class CompiledGradients implements GradientProvider {
  private atImage?: Promise<ForwardValues>;

  /**
   * `x`: the image in the model's layout; `values`: its forward values where the caller has them (Grad-CAM
   * reads its feature tensor there), or null to read it from the runner's own forward pass (which exposes
   * the feature tensor: no float64 forward pass needed).
   */
  constructor(
    private readonly runner: GradientRunner,
    private readonly x: Float32Array,
    private readonly target: number,
    private readonly values: ReadonlyMap<string, Tensor> | null,
  ) {}

  async inputGradient(): Promise<Float64Array> {
    return Float64Array.from(await this.runner.inputGradient(await this.forward(), this.target));
  }

  async feature(layer: string): Promise<{ value: Tensor; gradient: ArrayLike<number> | undefined }> {
    if (layer !== this.runner.featureTensor)
      throw new Error(`Grad-CAM: the compiled gradient does not reach '${layer}'`);
    const own = this.values ? undefined : (await this.forward()).get(layer);
    const value = this.values ? this.values.get(layer) : own && toFloat64(own);
    if (!value) throw new Error(`Grad-CAM: no forward value for '${layer}'`);
    return { value, gradient: await this.runner.featureGradient(await this.forward(), this.target) };
  }

  readonly oracle = {
    gradientAt: async (point: Float64Array) =>
      Float64Array.from((await this.runner.inputGradientAt(Float32Array.from(point), this.target)).gradient),
    logitAt: async (point: Float64Array) => {
      const forward = await this.runner.forward(Float32Array.from(point));
      return forward.get(this.runner.compiled.logits)!.data[this.target];
    },
  };

  private forward(): Promise<ForwardValues> {
    return (this.atImage ??= this.runner.forward(this.x));
  }
}
