/**
 * From per-image records to the report's numbers: each scalar metric per method as mean +- std over images,
 * the mean curves, the paired Wilcoxon tests of PANE-sf against every other method, and the per-layer
 * correlations averaged over images.
 */
import type { MethodId } from '../baselines/methods';
import type { LayerCorrelation } from './correlation';
import type { ImageRecord } from './evaluate-image';
import type { MapMetrics } from './map-metrics';
import type { MetricId, MetricSettings } from './settings';
import { mean, median, std, wilcoxonSignedRank, type WilcoxonResult } from './stats';

export interface ScalarMetric {
  key: string;
  label: string;
  metric: MetricId;
  better: 'lower' | 'higher';
  value: (m: MapMetrics) => number | null | undefined;
}

/** The scalar metrics, main columns first; percent-keyed ones follow the settings. */
export function scalarMetrics(s: MetricSettings): ScalarMetric[] {
  const out: ScalarMetric[] = [
    {
      key: 'deletion_auc',
      label: 'Deletion AUC',
      metric: 'deletion',
      better: 'lower',
      value: (m) => m.deletion?.auc,
    },
    {
      key: 'insertion_auc',
      label: 'Insertion AUC',
      metric: 'insertion',
      better: 'higher',
      value: (m) => m.insertion?.auc,
    },
    { key: 'lerf_auc', label: 'LeRF AUC', metric: 'lerf', better: 'higher', value: (m) => m.lerf?.auc },
    {
      key: 'attack_success',
      label: 'Attack success (mean over k)',
      metric: 'adversarial',
      better: 'higher',
      value: (m) => (m.adversarial ? mean(m.adversarial.success) : undefined),
    },
  ];
  for (const k of s.deletionPercents) {
    out.push({
      key: `deletion_drop_${k}`,
      label: `Confidence drop @${k}%`,
      metric: 'deletion',
      better: 'higher',
      value: (m) => m.deletion?.confidenceDrop[String(k)],
    });
    out.push({
      key: `deletion_flip_${k}`,
      label: `Top-1 flip @${k}%`,
      metric: 'deletion',
      better: 'higher',
      value: (m) => m.deletion?.flip[String(k)],
    });
  }
  for (const k of s.lerfPercents) {
    out.push({
      key: `afoc_${k}`,
      label: `AFOC @${k}%`,
      metric: 'lerf',
      better: 'lower',
      value: (m) => m.lerf?.afoc[String(k)],
    });
  }
  s.attackPercents.forEach((k, i) => {
    out.push({
      key: `attack_success_${k}`,
      label: `Attack success @${k}%`,
      metric: 'adversarial',
      better: 'higher',
      value: (m) => m.adversarial?.success[i],
    });
    out.push({
      key: `attack_psnr_${k}`,
      label: `PSNR @${k}% (dB)`,
      metric: 'adversarial',
      better: 'higher',
      value: (m) => m.adversarial?.psnr[i],
    });
    out.push({
      key: `attack_ssim_${k}`,
      label: `SSIM @${k}%`,
      metric: 'adversarial',
      better: 'higher',
      value: (m) => m.adversarial?.ssim[i],
    });
    out.push({
      key: `attack_l2_${k}`,
      label: `L2 @${k}%`,
      metric: 'adversarial',
      better: 'lower',
      value: (m) => m.adversarial?.l2[i],
    });
  });
  return out;
}

export interface Aggregate {
  mean: number;
  std: number;
  n: number;
}

export interface Comparison {
  /** The method PANE (Summary.comparedTo) is compared with. */
  method: MethodId;
  metric: string;
  /** Images where sf is better / worse than the method (ties not counted). */
  sfBetter: number;
  sfWorse: number;
  wilcoxon: WilcoxonResult;
}

export interface MeanCurves {
  fractions: number[];
  scores: number[];
}

export interface Summary {
  images: number;
  /** method -> metric key -> mean +- std over images. */
  table: Partial<Record<MethodId, Record<string, Aggregate>>>;
  /** Attack: median over images of the minimal k (null = no success; counted as above the grid). */
  kStarMedian: Partial<Record<MethodId, number | null>>;
  /** Attack: fraction of images with success somewhere on the grid. */
  attackWithinGrid: Partial<Record<MethodId, number>>;
  /** Mean time per image of each method's map(s), milliseconds. */
  methodMs: Partial<Record<MethodId, Aggregate>>;
  curves: Partial<Record<'deletion' | 'insertion' | 'lerf', Partial<Record<MethodId, MeanCurves>>>>;
  /** PANE's method in the paired comparisons: 'pane' (the default final map) when run, else 'sf'. */
  comparedTo?: MethodId;
  comparisons: Comparison[];
  correlation: LayerCorrelationMean[];
}

export interface LayerCorrelationMean {
  tensor: string;
  opType: string;
  forwardPearson: number | null;
  forwardSpearman: number | null;
  forwardPearsonUnits: number | null;
  forwardSpearmanUnits: number | null;
  meanPurity: number | null;
  chainPearson: number | null;
  chainSpearman: number | null;
  netOverTotal: number | null;
}

function aggregate(xs: number[]): Aggregate {
  return { mean: mean(xs), std: std(xs), n: xs.length };
}

const present = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** The metrics whose paired comparisons the report lists. */
const COMPARED_METRICS = ['deletion_auc', 'insertion_auc', 'lerf_auc', 'attack_success'];

function meanOrNull(xs: (number | null)[]): number | null {
  const v = xs.filter(present);
  return v.length ? mean(v) : null;
}

function averageCorrelations(records: ImageRecord[]): LayerCorrelationMean[] {
  const byLayer = new Map<string, LayerCorrelation[]>();
  for (const r of records) {
    for (const l of r.correlation ?? []) byLayer.set(l.tensor, [...(byLayer.get(l.tensor) ?? []), l]);
  }
  return [...byLayer.values()].map((ls) => ({
    tensor: ls[0].tensor,
    opType: ls[0].opType,
    forwardPearson: meanOrNull(ls.map((l) => l.forward?.pearson ?? null)),
    forwardSpearman: meanOrNull(ls.map((l) => l.forward?.spearman ?? null)),
    forwardPearsonUnits: meanOrNull(ls.map((l) => l.forward?.pearsonUnits ?? null)),
    forwardSpearmanUnits: meanOrNull(ls.map((l) => l.forward?.spearmanUnits ?? null)),
    meanPurity: meanOrNull(ls.map((l) => l.forward?.meanPurity ?? null)),
    chainPearson: meanOrNull(ls.map((l) => l.chain.pearson)),
    chainSpearman: meanOrNull(ls.map((l) => l.chain.spearman)),
    netOverTotal: meanOrNull(ls.map((l) => l.netOverTotal)),
  }));
}

function meanCurve(
  records: ImageRecord[],
  method: MethodId,
  kind: 'deletion' | 'insertion' | 'lerf',
): MeanCurves | undefined {
  const curves = records.map((r) => r.methods[method]?.metrics[kind]).filter((c) => c !== undefined);
  if (!curves.length) return undefined;
  return {
    fractions: curves[0].fractions,
    scores: curves[0].scores.map((_, i) => mean(curves.map((c) => c.scores[i]))),
  };
}

export function summarise(records: ImageRecord[], methods: readonly MethodId[], s: MetricSettings): Summary {
  const scalars = scalarMetrics(s);
  const summary: Summary = {
    images: records.length,
    table: {},
    kStarMedian: {},
    attackWithinGrid: {},
    methodMs: {},
    curves: {},
    comparisons: [],
    correlation: averageCorrelations(records),
  };
  for (const method of methods) {
    const rows = records.map((r) => r.methods[method]).filter((m) => m !== undefined);
    if (!rows.length) continue;
    const cells: Record<string, Aggregate> = {};
    for (const sm of scalars) {
      const xs = rows.map((r) => sm.value(r.metrics)).filter(present);
      if (xs.length) cells[sm.key] = aggregate(xs);
    }
    summary.table[method] = cells;
    summary.methodMs[method] = aggregate(rows.map((r) => r.ms));
    const attacks = rows.map((r) => r.metrics.adversarial).filter((a) => a !== undefined);
    if (attacks.length) {
      const ks = attacks.map((a) => a.kStar ?? Infinity);
      const med = median(ks);
      summary.kStarMedian[method] = Number.isFinite(med) ? med : null;
      summary.attackWithinGrid[method] = mean(attacks.map((a) => (a.kStar === null ? 0 : 1)));
    }
    for (const kind of ['deletion', 'insertion', 'lerf'] as const) {
      const c = meanCurve(records, method, kind);
      if (c) (summary.curves[kind] ??= {})[method] = c;
    }
  }
  const pane: MethodId | null = methods.includes('pane') ? 'pane' : methods.includes('sf') ? 'sf' : null;
  if (pane) {
    summary.comparedTo = pane;
    for (const method of methods) {
      if (method === pane) continue;
      for (const key of COMPARED_METRICS) {
        const sm = scalars.find((x) => x.key === key)!;
        const pairs = records.flatMap((r) => {
          const a = r.methods[pane] && sm.value(r.methods[pane]!.metrics);
          const b = r.methods[method] && sm.value(r.methods[method]!.metrics);
          return present(a) && present(b) ? [[a, b] as const] : [];
        });
        if (!pairs.length) continue;
        const sign = sm.better === 'lower' ? -1 : 1;
        summary.comparisons.push({
          method,
          metric: key,
          sfBetter: pairs.filter(([a, b]) => sign * (a - b) > 0).length,
          sfWorse: pairs.filter(([a, b]) => sign * (a - b) < 0).length,
          wilcoxon: wilcoxonSignedRank(
            pairs.map((p) => p[0]),
            pairs.map((p) => p[1]),
          ),
        });
      }
    }
  }
  return summary;
}
