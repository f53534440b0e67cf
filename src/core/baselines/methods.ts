/**
 * Every saliency method of the evaluation behind one call: the same model, image, preprocessing and class
 * for all, each reduced to one H x W pixel map (or several for the random control). Work that methods
 * share (the forward values, one backward pass of the logit, the EB explanation) is done once per image.
 */
import type { IrGraph } from '../onnx/ir';
import { DEFAULT_FINAL_MAP, FINAL_MAP_NAMES, finalMapOf, type FinalMapName } from '../pane/final-maps';
import { channelSum } from '../pane/maps';
import type { Rule } from '../pane/options';
import type { PaneResult } from '../pane/types';
import type { Tensor } from '../tensor';
import { backward, inputGradient, logitSeed, logitsOf } from './backprop';
import { contrastiveEb, inputNetMap, paneResult } from './chain-methods';
import { centreMap, randomMap } from './controls';
import { gradCam, lastConvLayer } from './gradcam';
import {
  float64Oracle,
  integratedGradients,
  smoothGrad,
  type ForwardFn,
  type GradientOracle,
} from './gradient-methods';

/**
 * PANE's final maps as methods (core/pane/final-maps.ts): 'pane' is always the default construction,
 * 'pane-NAME' each named one, all on the chain of the rule sf.
 */
export type PaneMapMethod = 'pane' | `pane-${FinalMapName}`;

const OTHER_METHOD_IDS = [
  'sf',
  'alphabeta',
  'ebp',
  'ceb',
  'gradient',
  'gradient_x_input',
  'integrated_gradients',
  'smoothgrad',
  'gradcam',
  'lrp_epsilon',
  'random',
  'centre',
] as const;

export type MethodId = PaneMapMethod | (typeof OTHER_METHOD_IDS)[number];

export const METHOD_IDS: readonly MethodId[] = [
  'pane',
  ...FINAL_MAP_NAMES.map((n) => `pane-${n}` as const),
  ...OTHER_METHOD_IDS,
];

/** The construction behind a PANE map method, or null for every other method. */
export function paneFinalMap(method: MethodId): FinalMapName | null {
  if (method === 'pane') return DEFAULT_FINAL_MAP;
  return method.startsWith('pane-') ? (method.slice(5) as FinalMapName) : null;
}

export const METHOD_LABELS: Readonly<Record<MethodId, string>> = {
  pane: `PANE (${DEFAULT_FINAL_MAP})`,
  ...(Object.fromEntries(FINAL_MAP_NAMES.map((n) => [`pane-${n}`, `PANE ${n}`])) as Record<
    `pane-${FinalMapName}`,
    string
  >),
  sf: 'PANE-sf',
  alphabeta: 'LRP-αβ (alphabeta)',
  ebp: 'EB (ebp)',
  ceb: 'contrastive EB',
  gradient: 'Gradient',
  gradient_x_input: 'Gradient × input',
  integrated_gradients: 'Integrated Gradients',
  smoothgrad: 'SmoothGrad',
  gradcam: 'Grad-CAM',
  lrp_epsilon: 'LRP-ε',
  random: 'Random',
  centre: 'Centre bias',
};

export function isMethodId(s: string): s is MethodId {
  return (METHOD_IDS as readonly string[]).includes(s);
}

export interface MethodSettings {
  /** alphabeta rule (and the alpha-beta view of LRP). */
  alpha: number;
  beta: number;
  /** Integrated Gradients: number of gradients (midpoint rule) from the black baseline. */
  igSteps: number;
  /** SmoothGrad: samples and noise standard deviation as a fraction of (max x - min x). */
  smoothGradSamples: number;
  smoothGradNoise: number;
  /** LRP-epsilon: absolute stabiliser added to |z| in every affine layer. */
  lrpEpsilon: number;
  /** Grad-CAM feature tensor; undefined = the last convolution found by op type. */
  gradcamLayer?: string;
  /** Random control: number of seeds whose metrics are averaged. */
  randomSeeds: number;
  /** Centre bias: Gaussian standard deviation as a fraction of the shorter side. */
  centreSigma: number;
}

export const DEFAULT_METHOD_SETTINGS: Readonly<MethodSettings> = Object.freeze({
  alpha: 2,
  beta: 1,
  igSteps: 16,
  smoothGradSamples: 16,
  smoothGradNoise: 0.15,
  lrpEpsilon: 0.25,
  randomSeeds: 5,
  centreSigma: 0.25,
});

/**
 * Gradients a method evaluates at points other than the input (Integrated Gradients' path, SmoothGrad's
 * noisy samples), 0 for the rest: the slow part of those two, which the app counts as progress and names
 * in their label.
 */
export function extraGradients(method: MethodId, settings: Readonly<MethodSettings>): number {
  if (method === 'integrated_gradients') return settings.igSteps;
  if (method === 'smoothgrad') return settings.smoothGradSamples;
  return 0;
}

/** One image, ready to be explained. */
export interface ExplainedImage {
  g: IrGraph;
  /** Preprocessed input [1, C, H, W]. */
  x: Tensor;
  /** Forward values of x (runForward's map). */
  values: ReadonlyMap<string, Tensor>;
  /** The class every method explains. */
  target: number;
  /** IG's baseline: the preprocessed all-black image. */
  baseline: Tensor;
  /** Forward evaluator for the extra points IG and SmoothGrad need. */
  forward: ForwardFn;
  /** Seed of this image's random draws (SmoothGrad noise, random maps). */
  seed: number;
}

export interface MethodOutput {
  /** H x W maps; the random control has one per seed, every other method one. */
  maps: Float64Array[];
  /** Wall time of this method on this image, including shared work it was the first to need. */
  ms: number;
  /** Method-specific checks (IG's completeness gap). */
  diagnostics: Record<string, number>;
}

/** max_c |t| per pixel (Simonyan et al.'s reduction of a gradient). */
function maxAbsOverChannels(t: Float64Array, dims: readonly number[]): Float64Array {
  const plane = dims[2] * dims[3];
  const out = new Float64Array(plane);
  for (let i = 0; i < t.length; i++) out[i % plane] = Math.max(out[i % plane], Math.abs(t[i]));
  return out;
}

/** A seed for draw `k` of image seed `seed` (splitmix-style mixing, so nearby seeds are unrelated). */
export function subSeed(seed: number, k: number): number {
  let h = (seed ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Where the gradient-type methods (gradient, gradient x input, IG, SmoothGrad, Grad-CAM) get their
 * gradients: the float64 adjoints (SharedWork) or an engine that computes the same in float32 (the
 * Evaluate panel's worker, src/engine/cpu-graph/gradient-runner.ts). The formulas stay here.
 */
export interface GradientProvider {
  /** d logit_t / d x at the image. */
  inputGradient(): Promise<Float64Array>;
  /** The value A of feature tensor `layer` and d logit_t / d A (undefined where no gradient reaches it). */
  feature(layer: string): Promise<{ value: Tensor; gradient: ArrayLike<number> | undefined }>;
  /** Gradients and logits at other inputs. */
  oracle: GradientOracle;
}

/** LRP-epsilon's seed: the explained logit's value on its class, R = l_t e_t. */
function lrpSeed(g: IrGraph, values: ReadonlyMap<string, Tensor>, target: number): Map<string, Float64Array> {
  const seed = logitSeed(g, values, target);
  for (const v of seed.values()) v[target] = logitsOf(g, values).data[target];
  return seed;
}

/** Lazily computed work that several methods (and the correlation metric) share for one image. */
export class SharedWork implements GradientProvider {
  private grads?: Map<string, Float64Array>;
  private readonly panes = new Map<string, PaneResult>();
  constructor(
    private readonly img: ExplainedImage,
    private readonly settings: MethodSettings,
  ) {}

  logitGrads(): Map<string, Float64Array> {
    const { g, values, target } = this.img;
    return (this.grads ??= backward(g, values, logitSeed(g, values, target)));
  }

  inputGrad(): Float64Array {
    return this.logitGrads().get(this.img.g.inputs[0].name)!;
  }

  inputGradient(): Promise<Float64Array> {
    return Promise.resolve(this.inputGrad());
  }

  feature(layer: string): Promise<{ value: Tensor; gradient: Float64Array | undefined }> {
    const value = this.img.values.get(layer);
    if (!value) throw new Error(`Grad-CAM: '${layer}' is not a tensor of the model`);
    return Promise.resolve({ value, gradient: this.logitGrads().get(layer) });
  }

  get oracle(): GradientOracle {
    const { g, forward, x, target } = this.img;
    return float64Oracle(g, forward, x.dims, target);
  }

  /**
   * Contrastive EB's input map (from the EB explanation pane('ebp')). The float64 steps here; the CLI's
   * float32 maps run the pass down from the contrast layer on onnxruntime instead (src/cli/float32-maps.ts).
   */
  contrastiveEb(): Promise<Float64Array> {
    const { g, values, target } = this.img;
    return Promise.resolve(contrastiveEb(g, values, target, this.pane('ebp')));
  }

  /**
   * LRP-epsilon's relevance at the input, from R = l_t e_t on the logits (the relevance to be distributed).
   * The float64 steps here; the CLI's float32 maps run them compiled on onnxruntime.
   */
  lrpEpsilonRelevance(): Promise<Float64Array> {
    const { g, values, target } = this.img;
    return Promise.resolve(
      inputGradient(g, values, lrpSeed(g, values, target), {
        kind: 'lrp-epsilon',
        epsilon: this.settings.lrpEpsilon,
      }),
    );
  }

  /** The double chain of this image under one rule (alpha, beta from the settings). */
  pane(rule: Rule): PaneResult {
    const { g, values, target } = this.img;
    let r = this.panes.get(rule);
    if (!r) {
      r = paneResult(g, values, target, { rule, alpha: this.settings.alpha, beta: this.settings.beta });
      this.panes.set(rule, r);
    }
    return r;
  }
}

async function computeOne(
  method: MethodId,
  img: ExplainedImage,
  s: MethodSettings,
  shared: SharedWork,
  grads: GradientProvider,
): Promise<{ maps: Float64Array[]; diagnostics: Record<string, number> }> {
  const { g, x } = img;
  const dims = x.dims;
  const [, , H, W] = dims;
  const one = (map: Float64Array) => ({ maps: [map], diagnostics: {} });
  switch (method) {
    case 'sf':
    case 'alphabeta':
    case 'ebp':
      return one(inputNetMap(g, shared.pane(method)));
    case 'ceb':
      return one(await shared.contrastiveEb());
    case 'gradient':
      return one(maxAbsOverChannels(await grads.inputGradient(), dims));
    case 'gradient_x_input':
      return one(
        channelSum(
          (await grads.inputGradient()).map((v, i) => v * x.data[i]),
          dims,
        ),
      );
    case 'integrated_gradients': {
      const ig = await integratedGradients(grads.oracle, x.data, img.baseline.data, s.igSteps);
      return {
        maps: [channelSum(ig.attribution, dims)],
        diagnostics: { completenessGap: ig.completenessGap },
      };
    }
    case 'smoothgrad': {
      const sg = await smoothGrad(grads.oracle, x.data, s.smoothGradSamples, s.smoothGradNoise, img.seed);
      return one(maxAbsOverChannels(sg, dims));
    }
    case 'gradcam': {
      const A = await grads.feature(s.gradcamLayer ?? lastConvLayer(g));
      return one(gradCam(g, A.value, A.gradient));
    }
    case 'lrp_epsilon':
      return one(channelSum(await shared.lrpEpsilonRelevance(), dims));
    case 'random':
      return {
        maps: Array.from({ length: s.randomSeeds }, (_, k) => randomMap(H, W, subSeed(img.seed, k))),
        diagnostics: {},
      };
    case 'centre':
      return one(centreMap(H, W, s.centreSigma));
    default:
      // What is left are PANE's final maps ('pane', 'pane-NAME').
      return one(finalMapOf(g, shared.pane('sf'), paneFinalMap(method)!).map);
  }
}

/**
 * The maps of `methods` for one image, in the order given; gradient-type methods take their gradients
 * from `grads` (default: the float64 adjoints).
 */
export async function computeMethods(
  methods: readonly MethodId[],
  img: ExplainedImage,
  settings: MethodSettings,
  onMethodDone: (method: MethodId) => void = () => {},
  shared = new SharedWork(img, settings),
  grads: GradientProvider = shared,
): Promise<Map<MethodId, MethodOutput>> {
  const out = new Map<MethodId, MethodOutput>();
  for (const method of methods) {
    const t0 = performance.now();
    const { maps, diagnostics } = await computeOne(method, img, settings, shared, grads);
    out.set(method, { maps, ms: performance.now() - t0, diagnostics });
    onMethodDone(method);
  }
  return out;
}
