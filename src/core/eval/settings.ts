/**
 * Every setting of the faithfulness metrics (PANE-SPEC 6), with defaults; all of them are written into the
 * report so a number can always be traced to how it was measured.
 */
import type { Substrate } from './substrate';

export const METRIC_IDS = ['deletion', 'insertion', 'lerf', 'adversarial', 'correlation'] as const;
export type MetricId = (typeof METRIC_IDS)[number];

export function isMetricId(s: string): s is MetricId {
  return (METRIC_IDS as readonly string[]).includes(s);
}

export type Attack = 'fgsm' | 'pgd';

export interface MetricSettings {
  /** Pixels removed (or inserted) per curve step; RISE uses 224 on 224 x 224. */
  stepPixels: number;
  deletionSubstrate: Substrate;
  insertionSubstrate: Substrate;
  lerfSubstrate: Substrate;
  blurKernel: number;
  blurSigma: number;
  /** Deletion: confidence drop and top-1 flip at these percentages of pixels removed. */
  deletionPercents: number[];
  /** LeRF: AFOC_k at these percentages of least-salient pixels removed. */
  lerfPercents: number[];
  attack: Attack;
  /** L-inf budget in pixel space [0, 1]. */
  epsilon: number;
  /** PGD step and iterations (FGSM takes one step of size epsilon). */
  pgdStep: number;
  pgdIterations: number;
  /** Attack masks: the top k % pixels by saliency. */
  attackPercents: number[];
  /** Perturbed images per onnxruntime call (onnxruntime-node: per predictor call, run 4 at a time). */
  batchSize: number;
}

export const DEFAULT_METRIC_SETTINGS: Readonly<MetricSettings> = Object.freeze({
  stepPixels: 224,
  deletionSubstrate: 'zero',
  insertionSubstrate: 'blur',
  lerfSubstrate: 'zero',
  blurKernel: 11,
  blurSigma: 5,
  deletionPercents: [1, 5, 10, 20, 50],
  lerfPercents: [1, 3, 5, 10, 20, 30, 50],
  attack: 'fgsm',
  epsilon: 8 / 255,
  pgdStep: 1 / 255,
  pgdIterations: 20,
  attackPercents: [0.5, 1, 2, 3, 5, 10],
  batchSize: 16,
}) as Readonly<MetricSettings>;
