/**
 * The gradient-type baselines (gradient, gradient x input, Integrated Gradients, SmoothGrad, Grad-CAM) on
 * the compiled float32 gradient graph (cpu-graph/gradient-runner.ts), with the settings, seed and progress
 * counting that the evaluation worker (eval-session.ts) and the page's webgpu path (gpu-gradient-maps.ts)
 * share, so that both compute the same map of the same image.
 *
 * compiledBaselineMap needs no float64 forward pass: the runner's own forward pass gives every value the
 * gradient graph and Grad-CAM read. That is what lets the page compute these maps on the GPU without the
 * float64 engine (seconds of main-thread work on SqueezeNet).
 */
import {
  computeMethods,
  DEFAULT_METHOD_SETTINGS,
  extraGradients,
  SharedWork,
  type ExplainedImage,
  type GradientProvider,
  type MethodId,
} from '../core/baselines/methods';
import { lastConvLayer } from '../core/baselines/gradcam';
import { blackImage } from '../core/eval/substrate';
import type { IrGraph } from '../core/onnx/ir';
import { imageInput } from '../core/onnx/layout';
import type { GradientRunner } from './cpu-graph/gradient-runner';
import { CompiledGradients } from './eval-gradients';
import type { EvaluationImage, MapProgress } from './eval-session';

/** Seed of the baselines' random draws (SmoothGrad noise, the random map): fixed, so reruns agree. */
export const BASELINE_SEED = 1;

/** Baselines whose maps are gradients (the compiled graph can compute them). */
export const GRADIENT_METHODS: ReadonlySet<MethodId> = new Set([
  'gradient',
  'gradient_x_input',
  'integrated_gradients',
  'smoothgrad',
  'gradcam',
]);

/** `grads` with every oracle gradient reported as progress (of `total`; nothing is reported when 0). */
export function countingGradients(
  grads: GradientProvider,
  total: number,
  onProgress: (p: MapProgress) => void,
): GradientProvider {
  if (total === 0) return grads;
  let done = 0;
  const oracle = grads.oracle;
  return {
    inputGradient: () => grads.inputGradient(),
    feature: (layer) => grads.feature(layer),
    oracle: {
      gradientAt: async (point) => {
        const g = await oracle.gradientAt(point);
        onProgress({ done: ++done, total });
        return g;
      },
      logitAt: (point) => oracle.logitAt(point),
    },
  };
}

function lastConvLayerOrNull(g: IrGraph): string | null {
  try {
    return lastConvLayer(g);
  } catch {
    return null;
  }
}

/** Whether `runner` computes `method`'s map (Grad-CAM only where the compiled gradient reaches its layer). */
export function compiledComputes(g: IrGraph, runner: GradientRunner, method: MethodId): boolean {
  if (!GRADIENT_METHODS.has(method)) return false;
  return method !== 'gradcam' || runner.featureTensor === lastConvLayerOrNull(g);
}

/** One image's compiled gradients, reused by every method asked of it (one forward pass at the image). */
export interface CompiledImage {
  image: EvaluationImage;
  img: ExplainedImage;
  grads: CompiledGradients;
}

/** The image as the gradient methods read it, without forward values (they come from the runner). */
export function compiledImage(g: IrGraph, runner: GradientRunner, image: EvaluationImage): CompiledImage {
  const { C, H, W } = image.geo;
  const dims = [1, C, H, W];
  const img: ExplainedImage = {
    g,
    x: { dims, data: Float64Array.from(image.x) },
    // Unread: the compiled provider answers every gradient method (compiledComputes), with its own values.
    values: new Map(),
    target: image.target,
    baseline: { dims, data: blackImage(image.geo, image.norm) },
    forward: () => {
      throw new Error('the compiled baselines have no float64 forward pass');
    },
    seed: BASELINE_SEED,
  };
  return { image, img, grads: new CompiledGradients(runner, image.x, image.target, null) };
}

/** A gradient-type baseline's map (H x W at the input resolution) from the compiled graph alone. */
export async function compiledBaselineMap(
  g: IrGraph,
  runner: GradientRunner,
  at: CompiledImage,
  method: MethodId,
  onProgress: (p: MapProgress) => void = () => {},
): Promise<Float32Array> {
  const layout = imageInput(g).layout;
  // The baselines' channel reductions read planar [1, C, H, W] tensors.
  if (layout !== 'NCHW') throw new Error(`the baselines take NCHW models only (this one takes ${layout})`);
  if (!compiledComputes(g, runner, method))
    throw new Error(`the compiled gradient graph does not compute ${method} for this model`);
  const grads = countingGradients(at.grads, extraGradients(method, DEFAULT_METHOD_SETTINGS), onProgress);
  const shared = new SharedWork(at.img, DEFAULT_METHOD_SETTINGS);
  const out = await computeMethods([method], at.img, DEFAULT_METHOD_SETTINGS, undefined, shared, grads);
  return Float32Array.from(out.get(method)!.maps[0]);
}
