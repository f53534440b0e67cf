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
export function integratedGradients(
  g: IrGraph,
  forward: ForwardFn,
  x: Tensor,
  baseline: Tensor,
  target: number,
  steps: number,
): IntegratedGradients {
  if (!(steps >= 1)) throw new Error(`integrated gradients: steps must be >= 1 (got ${steps})`);
  const n = x.data.length;
  const mean = new Float64Array(n);
  for (let k = 1; k <= steps; k++) {
    const a = (k - 0.5) / steps;
    const point = x.data.map((v, i) => baseline.data[i] + a * (v - baseline.data[i]));
    const grad = logitGradient(g, forward({ dims: x.dims, data: point }), target);
    for (let i = 0; i < n; i++) mean[i] += grad[i] / steps;
  }
  const attribution = mean.map((v, i) => v * (x.data[i] - baseline.data[i]));
  const at = (t: Tensor) => logitsOf(g, forward(t)).data[target];
  let total = 0;
  for (const v of attribution) total += v;
  return { attribution, completenessGap: total - (at(x) - at(baseline)) };
}

/**
 * SmoothGrad: the mean gradient over `samples` copies of x with Gaussian noise of standard deviation
 * noiseFraction * (max x - min x), drawn from mulberry32(seed) so a run is reproducible.
 */
export function smoothGrad(
  g: IrGraph,
  forward: ForwardFn,
  x: Tensor,
  target: number,
  samples: number,
  noiseFraction: number,
  seed: number,
): Float64Array {
  if (!(samples >= 1)) throw new Error(`smoothgrad: samples must be >= 1 (got ${samples})`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const sigma = noiseFraction * (hi - lo);
  const rng = mulberry32(seed);
  const n = x.data.length;
  const mean = new Float64Array(n);
  for (let s = 0; s < samples; s++) {
    const noise = normalArray(rng, n, sigma);
    const noisy = x.data.map((v, i) => v + noise[i]);
    const grad = logitGradient(g, forward({ dims: x.dims, data: noisy }), target);
    for (let i = 0; i < n; i++) mean[i] += grad[i] / samples;
  }
  return mean;
}
