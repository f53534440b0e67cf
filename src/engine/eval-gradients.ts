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
  /** d logit_t at the image, at every compiled tensor: one run serves the gradient methods and Grad-CAM. */
  private atLogit?: Promise<Map<string, Float32Array>>;

  /**
   * `x`: the image in the model's layout; `values`: its forward values where the caller has them (Grad-CAM
   * reads its feature tensor there), or null to read it from the runner's own forward pass (which exposes
   * the feature tensor: no float64 forward pass needed); `forward`: its float32 forward values where the
   * caller ran them with every value the gradient reads exposed (then the runner's own is not run).
   */
  constructor(
    private readonly runner: GradientRunner,
    private readonly x: Float32Array,
    private readonly target: number,
    private readonly values: ReadonlyMap<string, Tensor> | null,
    forward?: ForwardValues,
  ) {
    if (forward) this.atImage = Promise.resolve(forward);
  }

  async inputGradient(): Promise<Float64Array> {
    return Float64Array.from((await this.logitGradients()).get(this.runner.inputTensor)!);
  }

  async feature(layer: string): Promise<{ value: Tensor; gradient: ArrayLike<number> | undefined }> {
    if (layer !== this.runner.featureTensor)
      throw new Error(`Grad-CAM: the compiled gradient does not reach '${layer}'`);
    const own = this.values ? undefined : (await this.forward()).get(layer);
    const value = this.values ? this.values.get(layer) : own && toFloat64(own);
    if (!value) throw new Error(`Grad-CAM: no forward value for '${layer}'`);
    return { value, gradient: (await this.logitGradients()).get(layer) };
  }

  readonly oracle = {
    gradientAt: async (point: Float64Array) =>
      Float64Array.from((await this.runner.inputGradientAt(Float32Array.from(point), this.target)).gradient),
    logitAt: async (point: Float64Array) => {
      const forward = await this.runner.forward(Float32Array.from(point));
      return forward.get(this.runner.compiled.logits)!.data[this.target];
    },
  };

  private logitGradients(): Promise<Map<string, Float32Array>> {
    return (this.atLogit ??= this.forward().then((f) => this.runner.logitGradients(f, this.target)));
  }

  private forward(): Promise<ForwardValues> {
    return (this.atImage ??= this.runner.forward(this.x));
  }
}
