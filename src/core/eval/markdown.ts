/** The report's Markdown: the methods x metrics table, paired comparisons, detail tables, correlations. */
import { METHOD_LABELS, type MethodId } from '../baselines/methods';
import type { MetricSettings } from './settings';
import { scalarMetrics, type Aggregate, type Summary } from './summary';

const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);

const cell = (a: Aggregate | undefined, digits = 3) =>
  a ? `${fmt(a.mean, digits)} ± ${fmt(a.std, digits)}` : '–';

function pValue(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

/** Column of the main table: metric key, header, digits. */
interface Column {
  key: string;
  header: string;
  better: 'lower' | 'higher';
  digits: number;
}

function mainColumns(s: MetricSettings, summary: Summary): Column[] {
  const all = scalarMetrics(s);
  const pick = (key: string, digits = 3): Column[] => {
    const m = all.find((x) => x.key === key);
    const used = Object.values(summary.table).some((row) => row && key in row);
    return m && used
      ? [{ key, header: `${m.label} ${m.better === 'lower' ? '↓' : '↑'}`, better: m.better, digits }]
      : [];
  };
  const mid = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? xs[0];
  return [
    ...pick('deletion_auc'),
    ...pick('insertion_auc'),
    ...pick('lerf_auc'),
    ...pick(`afoc_${mid(s.lerfPercents.filter((k) => k <= 10))}`),
    ...pick(`deletion_drop_${mid(s.deletionPercents.filter((k) => k <= 10))}`),
    ...pick('attack_success'),
  ];
}

/** Index of the best row of a column (by mean), for bold face. */
function best(summary: Summary, methods: MethodId[], col: Column): MethodId | undefined {
  let win: MethodId | undefined;
  for (const m of methods) {
    const a = summary.table[m]?.[col.key];
    if (!a) continue;
    const w = win && summary.table[win]![col.key];
    if (!w || (col.better === 'lower' ? a.mean < w.mean : a.mean > w.mean)) win = m;
  }
  return win;
}

/** Each method's rank by mean (1 = best, ties share the mean rank) averaged over the given columns. */
function meanRanks(summary: Summary, methods: MethodId[], cols: Column[]): Map<MethodId, number> {
  const total = new Map<MethodId, number>();
  let used = 0;
  for (const col of cols) {
    const vals = methods.map((m) => summary.table[m]?.[col.key]?.mean);
    if (vals.some((v) => v === undefined)) continue;
    used++;
    const sign = col.better === 'lower' ? 1 : -1;
    methods.forEach((m, i) => {
      const v = sign * vals[i]!;
      const below = vals.filter((u) => sign * u! < v).length;
      const ties = vals.filter((u) => sign * u! === v).length;
      total.set(m, (total.get(m) ?? 0) + below + (ties + 1) / 2);
    });
  }
  return new Map([...total].map(([m, t]) => [m, t / Math.max(used, 1)]));
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function markdownReport(summary: Summary, methods: readonly MethodId[], s: MetricSettings): string {
  const ms = methods.filter((m) => summary.table[m]);
  const cols = mainColumns(s, summary);
  const hasAttack = ms.some((m) => m in summary.kStarMedian);
  const winners = new Map(cols.map((c) => [c.key, best(summary, ms, c)]));
  const ranked = ['deletion_auc', 'insertion_auc', 'lerf_auc', 'attack_success'];
  const ranks = meanRanks(
    summary,
    ms,
    cols.filter((c) => ranked.includes(c.key)),
  );
  const main = table(
    [
      'method',
      ...cols.map((c) => c.header),
      ...(hasAttack ? ['median k* (%) ↓'] : []),
      'mean rank ↓',
      'map time (s/image)',
    ],
    ms.map((m) => [
      METHOD_LABELS[m],
      ...cols.map((c) => {
        const text = cell(summary.table[m]?.[c.key], c.digits);
        return winners.get(c.key) === m ? `**${text}**` : text;
      }),
      ...(hasAttack ? [summary.kStarMedian[m] === null ? 'none' : fmt(summary.kStarMedian[m], 1)] : []),
      fmt(ranks.get(m) ?? NaN, 2),
      fmt((summary.methodMs[m]?.mean ?? NaN) / 1000, 2),
    ]),
  );
  const parts = [
    `### Methods × metrics (mean ± std over ${summary.images} images; best mean in bold; mean rank: the ` +
      `method's rank by mean, averaged over deletion, insertion, LeRF and attack success)\n\n${main}`,
  ];

  if (summary.comparisons.length) {
    const labels = new Map(scalarMetrics(s).map((x) => [x.key, x.label]));
    parts.push(
      `### Paired comparisons: ${METHOD_LABELS[summary.comparedTo ?? 'sf']} against each method ` +
        `(Wilcoxon signed-rank, two-sided)\n\n` +
        table(
          ['method', 'metric', 'images PANE better / worse', 'W+', 'p', 'test'],
          summary.comparisons.map((c) => [
            METHOD_LABELS[c.method],
            labels.get(c.metric) ?? c.metric,
            `${c.sfBetter} / ${c.sfWorse}`,
            fmt(c.wilcoxon.wPlus, 1),
            pValue(c.wilcoxon.p),
            `${c.wilcoxon.method}, n = ${c.wilcoxon.n}`,
          ]),
        ),
    );
  }

  const detail = (title: string, keys: string[], digits = 3) => {
    const used = keys.filter((k) => ms.some((m) => summary.table[m]?.[k]));
    if (!used.length) return;
    const labels = new Map(scalarMetrics(s).map((x) => [x.key, x.label]));
    parts.push(
      `### ${title}\n\n` +
        table(
          ['method', ...used.map((k) => labels.get(k) ?? k)],
          ms.map((m) => [METHOD_LABELS[m], ...used.map((k) => cell(summary.table[m]?.[k], digits))]),
        ),
    );
  };
  detail(
    'Minor pixel removal: AFOC_k (lower is better)',
    s.lerfPercents.map((k) => `afoc_${k}`),
  );
  detail(
    'Salient pixel removal: confidence drop and top-1 flip rate (higher is better)',
    s.deletionPercents.flatMap((k) => [`deletion_drop_${k}`, `deletion_flip_${k}`]),
  );
  detail(
    'Adversarial guidance: success rate vs k (higher is better)',
    s.attackPercents.map((k) => `attack_success_${k}`),
  );
  detail(
    'Adversarial guidance: size of the perturbation',
    s.attackPercents.flatMap((k) => [`attack_psnr_${k}`, `attack_ssim_${k}`, `attack_l2_${k}`]),
    2,
  );

  if (summary.correlation.length) {
    parts.push(
      `### Correlation of positive and negative excitations per layer (rule sf, mean over images)\n\n` +
        'Forward PANE: PE / NE maps over positions and E+ / E- over all units; chains: S_P / S_N over positions.\n\n' +
        table(
          [
            'layer',
            'op',
            'fwd r',
            'fwd ρ',
            'fwd r (units)',
            'fwd ρ (units)',
            'mean κ',
            'chain r',
            'chain ρ',
            '\\|ΣR\\| / ΣT',
          ],
          // Pass-through layers (Relu, Concat, MaxPool) repeat their producer's chain numbers: rows for the
          // input and the affine layers only (report.json keeps every layer).
          summary.correlation
            .filter((l) => l.forwardPearson !== null || l.opType === 'Input')
            .map((l) => [
              `\`${l.tensor}\``,
              l.opType,
              fmt(l.forwardPearson),
              fmt(l.forwardSpearman),
              fmt(l.forwardPearsonUnits),
              fmt(l.forwardSpearmanUnits),
              fmt(l.meanPurity),
              fmt(l.chainPearson, 4),
              fmt(l.chainSpearman, 4),
              l.netOverTotal === null ? '–' : l.netOverTotal.toExponential(2),
            ]),
        ),
    );
  }
  return parts.join('\n\n') + '\n';
}
