/**
 * One image through the whole evaluation: the forward pass and class, every method's map(s), every
 * metric, and the per-layer correlations of the default rule. Runtime-agnostic: perturbed images go to the
 * Predictor it is given. The record it returns is plain JSON (it crosses worker boundaries and is written
 * to disk as soon as the image is done).
 */
import { lossGradient } from '../baselines/gradient-methods';
import {
  computeMethods,
  SharedWork,
  type ExplainedImage,
  type GradientProvider,
  type MethodId,
  type MethodSettings,
} from '../baselines/methods';
import { inputGradient, logitsOf, lossSeed } from '../baselines/backprop';
import type { IrGraph } from '../onnx/ir';
import { argmax, softmax } from '../pane/heads';
import { runForward } from '../reference/forward';
import type { Tensor } from '../tensor';
import { layerCorrelations, type LayerCorrelation } from './correlation';
import { evaluateMap, meanMapMetrics, substrateCache, type MapMetrics, type Predictor } from './map-metrics';
import type { MetricId, MetricSettings } from './settings';
import { blackImage, type InputScaling } from './substrate';

export interface MethodRecord {
  metrics: MapMetrics;
  /** Time to compute the method's map(s) (float64 engine), not the metrics. */
  ms: number;
  diagnostics: Record<string, number>;
}

export interface ImageRecord {
  id: string;
  target: number;
  /** p(target) of the clean image under the forward pass that explained it (float64, or float32 when prepared). */
  probability: number;
  methods: Partial<Record<MethodId, MethodRecord>>;
  /** Per-layer PANE correlations under the rule 'sf' (metric 'correlation'). */
  correlation?: LayerCorrelation[];
  /** Wall time of the whole image. */
  ms: number;
}

export interface ImageJob {
  id: string;
  g: IrGraph;
  /** Preprocessed input [1, C, H, W]. */
  x: Tensor;
  norm: InputScaling;
  methods: readonly MethodId[];
  metrics: readonly MetricId[];
  methodSettings: MethodSettings;
  metricSettings: MetricSettings;
  predict: Predictor;
  /** Seed of the image's random draws. */
  seed: number;
  /** Class to explain; undefined = the top-1 class of the clean image. */
  target?: number;
  /** Gradients of the gradient-type methods; undefined = the float64 adjoints. */
  gradients?: (img: ExplainedImage) => GradientProvider;
  /**
   * The image, its explanations and gradients computed on another path (the CLI's float32 maps,
   * src/cli/float32-maps.ts); undefined = the float64 forward pass and reference here.
   */
  prepared?: PreparedImage;
}

/** What evaluateImage otherwise computes in float64 before the methods run. */
export interface PreparedImage {
  img: ExplainedImage;
  /** Its explanations (pane(rule)) and, where no other provider is given, its gradients. */
  shared: SharedWork;
  grads: GradientProvider;
  /** FGSM's direction d CE / d x; undefined = the float64 adjoint of the loss. */
  attackGradient?: Float64Array;
}

/** Progress of one image: a method is done (maps and metrics), or the correlation step is. */
export type ImageProgress = (step: MethodId | 'correlation') => void;

/** The float64 forward pass of `x` and what every method needs with it; target: default the top-1 class. */
export function explainedImage(
  g: IrGraph,
  x: Tensor,
  norm: InputScaling,
  seed: number,
  target?: number,
): ExplainedImage {
  const inputName = g.inputs[0].name;
  const forward = (t: Tensor) => runForward(g, { [inputName]: t });
  const values = forward(x);
  const [, C, H, W] = x.dims;
  return {
    g,
    x,
    values,
    target: target ?? argmax(logitsOf(g, values).data),
    baseline: { dims: x.dims, data: blackImage({ C, H, W }, norm) },
    forward,
    seed,
  };
}

export async function evaluateImage(job: ImageJob, progress: ImageProgress = () => {}): Promise<ImageRecord> {
  const t0 = performance.now();
  const { g, x, metricSettings: ms } = job;
  const { prepared } = job;
  const img = prepared?.img ?? explainedImage(g, x, job.norm, job.seed, job.target);
  const { values, target, forward } = img;
  const logits = logitsOf(g, values).data;
  const [, C, H, W] = x.dims;
  const geo = { C, H, W };
  const needsAttack = job.metrics.includes('adversarial');
  const under = {
    x: x.data,
    geo,
    norm: job.norm,
    target,
    attackGradient:
      needsAttack && ms.attack === 'fgsm'
        ? (prepared?.attackGradient ?? lossGradient(g, values, target))
        : undefined,
    lossGradientAt:
      needsAttack && ms.attack === 'pgd'
        ? (p: Float64Array) => {
            const v = forward({ dims: x.dims, data: p });
            return { grad: inputGradient(g, v, lossSeed(g, v, target)), logits: logitsOf(g, v).data };
          }
        : undefined,
  };
  const substrate = substrateCache(under, ms);
  const shared = prepared?.shared ?? new SharedWork(img, job.methodSettings);
  const grads = prepared?.grads ?? job.gradients?.(img) ?? shared;
  const mapMetrics = job.metrics.filter((m) => m !== 'correlation');
  const record: ImageRecord = {
    id: job.id,
    target,
    probability: softmax(logits)[target],
    methods: {},
    ms: 0,
  };
  for (const method of job.methods) {
    const out = (await computeMethods([method], img, job.methodSettings, undefined, shared, grads)).get(
      method,
    )!;
    const perMap: MapMetrics[] = [];
    for (const map of out.maps)
      perMap.push(await evaluateMap(map, under, mapMetrics, ms, job.predict, substrate));
    record.methods[method] = { metrics: meanMapMetrics(perMap), ms: out.ms, diagnostics: out.diagnostics };
    progress(method);
  }
  if (job.metrics.includes('correlation')) {
    record.correlation = layerCorrelations(g, shared.pane('sf'));
    progress('correlation');
  }
  record.ms = performance.now() - t0;
  return record;
}
