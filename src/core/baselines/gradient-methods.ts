/**
 * Gradient baselines on the float64 adjoints of backprop.ts: vanilla gradient (Simonyan et al. 2014),
 * gradient x input, Integrated Gradients (Sundararajan et al. 2017) and SmoothGrad (Smilkov et al. 2017).
 * Every function returns a tensor of the input's shape; methods.ts reduces it to a pixel map.
 */
import type { IrGraph } from '../onnx/ir';
import { mulberry32, normalArray } from '../random';
import type { Tensor } from '../tensor';
import { inputGradient, logitSeed, logitsOf, lossSeed } from './backprop';

/** Forward values of one input: runForward, or any evaluator that returns the same map. */
export type ForwardFn = (x: Tensor) => ReadonlyMap<string, Tensor>;

/** d logit_t / d x at the image whose forward values are `values`. */
export function logitGradient(g: IrGraph, values: ReadonlyMap<string, Tensor>, target: number): Float64Array {
  return inputGradient(g, values, logitSeed(g, values, target));
}

/** d CE(softmax(l), t) / d x: the direction adversarial attacks follow. */
export function lossGradient(g: IrGraph, values: ReadonlyMap<string, Tensor>, target: number): Float64Array {
  return inputGradient(g, values, lossSeed(g, values, target));
}

/**
 * The gradients IG and SmoothGrad ask for, at inputs of their own: the float64 adjoints (float64Oracle) or
 * any engine that computes the same (the compiled float32 graph of src/engine/cpu-graph/gradient.ts).
 */
export interface GradientOracle {
  /** d logit_t / d x at the input `point` (the data of a tensor of the input's dims). */
  gradientAt(point: Float64Array): Promise<Float64Array>;
  /** logit_t at `point`. */
  logitAt(point: Float64Array): Promise<number>;
}

/** The oracle of the float64 engine: runForward and the adjoints of backprop.ts. */
export function float64Oracle(
  g: IrGraph,
  forward: ForwardFn,
  dims: readonly number[],
  target: number,
): GradientOracle {
  const at = (data: Float64Array) => forward({ dims: [...dims], data });
  return {
    gradientAt: (point) => Promise.resolve(logitGradient(g, at(point), target)),
    logitAt: (point) => Promise.resolve(logitsOf(g, at(point)).data[target]),
  };
}

export interface IntegratedGradients {
  attribution: Float64Array;
  /** sum(attribution) - (l_t(x) - l_t(baseline)): the completeness error of the quadrature. */
  completenessGap: number;
}

/**
 * IG with the midpoint rule: (x - x') * mean_k grad(x' + a_k (x - x')), a_k = (k - 1/2) / steps. The
 * midpoint rule is exact for piecewise-constant gradients at the interval level and has half the error of
 * the left/right Riemann sums for the same number of gradients.
 */
export async function integratedGradients(
  oracle: GradientOracle,
  x: Float64Array,
  baseline: Float64Array,
  steps: number,
): Promise<IntegratedGradients> {
  if (!(steps >= 1)) throw new Error(`integrated gradients: steps must be >= 1 (got ${steps})`);
  const n = x.length;
  const mean = new Float64Array(n);
  for (let k = 1; k <= steps; k++) {
    const a = (k - 0.5) / steps;
    const grad = await oracle.gradientAt(x.map((v, i) => baseline[i] + a * (v - baseline[i])));
    for (let i = 0; i < n; i++) mean[i] += grad[i] / steps;
  }
  const attribution = mean.map((v, i) => v * (x[i] - baseline[i]));
  let total = 0;
  for (const v of attribution) total += v;
  const gap = total - ((await oracle.logitAt(x)) - (await oracle.logitAt(baseline)));
  return { attribution, completenessGap: gap };
}

/**
 * SmoothGrad: the mean gradient over `samples` copies of x with Gaussian noise of standard deviation
 * noiseFraction * (max x - min x), drawn from mulberry32(seed) so a run is reproducible.
 */
export async function smoothGrad(
  oracle: GradientOracle,
  x: Float64Array,
  samples: number,
  noiseFraction: number,
  seed: number,
): Promise<Float64Array> {
  if (!(samples >= 1)) throw new Error(`smoothgrad: samples must be >= 1 (got ${samples})`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const sigma = noiseFraction * (hi - lo);
  const rng = mulberry32(seed);
  const n = x.length;
  const mean = new Float64Array(n);
  for (let s = 0; s < samples; s++) {
    const noise = normalArray(rng, n, sigma);
    const grad = await oracle.gradientAt(x.map((v, i) => v + noise[i]));
    for (let i = 0; i < n; i++) mean[i] += grad[i] / samples;
  }
  return mean;
}
