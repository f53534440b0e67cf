/**
 * What `panescope evaluate` writes at the end (report.json, report.md, the SVG curves), and `panescope
 * merge`, which joins the reports of `evaluate --shard I/N` runs into the report one run over every image
 * would have written: the same records in the same order, so the same summary.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MethodId } from '../core/baselines/methods';
import type { ImageRecord } from '../core/eval/evaluate-image';
import { markdownReport } from '../core/eval/markdown';
import { summarise, type Summary } from '../core/eval/summary';
import { curvesSvg } from '../core/eval/svg';
import type { EvaluationReport } from './evaluate';

type CurveKind = 'deletion' | 'insertion' | 'lerf';

const CURVE_LABELS: Readonly<Record<CurveKind, string>> = {
  deletion: 'pixels removed (most salient first)',
  insertion: 'pixels inserted (most salient first)',
  lerf: 'pixels removed (least salient first)',
};

/** The SVG figure of each curve the summary holds, every method's line labelled with its mean AUC. */
export function curveSvgs(summary: Summary, title: (kind: CurveKind) => string): [CurveKind, string][] {
  const out: [CurveKind, string][] = [];
  for (const kind of ['deletion', 'insertion', 'lerf'] as const) {
    const c = summary.curves[kind];
    if (!c) continue;
    const withAuc = Object.fromEntries(
      Object.entries(c).map(([m, v]) => [
        m,
        { ...v, auc: summary.table[m as MethodId]?.[`${kind}_auc`]?.mean },
      ]),
    );
    out.push([kind, curvesSvg(title(kind), CURVE_LABELS[kind], withAuc)]);
  }
  return out;
}

/** report.json, report.md and curves-*.svg of a finished evaluation; `how`: the run's parallelism, in words. */
export function writeReportFiles(out: string, final: EvaluationReport, how: string): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'report.json'), JSON.stringify(final) + '\n');
  const { summary, settings } = final;
  for (const [kind, svg] of curveSvgs(summary, (kind) => `${kind} (mean over ${summary.images} images)`))
    writeFileSync(join(out, `curves-${kind}.svg`), svg);
  const skipped = final.images.skipped;
  const md = [
    `# Evaluation: ${final.model.path} over ${summary.images} images`,
    '',
    `Total time ${final.timing.totalSeconds.toFixed(0)} s (${how}).` +
      (skipped.length ? ` Skipped: ${skipped.map((s) => `${s.file} (${s.error})`).join('; ')}.` : ''),
    '',
    markdownReport(summary, settings.methods, settings.metricSettings),
    '### Settings',
    '',
    '```json',
    JSON.stringify(settings, null, 2),
    '```',
    '',
  ].join('\n');
  writeFileSync(join(out, 'report.md'), md);
}

export class MergeError extends Error {}

/** The settings that must agree across shards (jobs and runtime may differ from machine to machine). */
function comparable(r: EvaluationReport): string {
  const { jobs: _jobs, runtime: _runtime, ...rest } = r.settings;
  void _jobs;
  void _runtime;
  return JSON.stringify({ model: r.model.sha256, split: r.images.split, settings: rest });
}

function readReport(dir: string): EvaluationReport {
  const path = join(dir, 'report.json');
  if (!existsSync(path)) throw new MergeError(`${dir}: no report.json (not an evaluate --out folder)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EvaluationReport;
  } catch (e) {
    throw new MergeError(`${path}: ${(e as Error).message}`);
  }
}

/**
 * Joins the shards in `dirs` (any order) into one report written to `out`. Every shard of the same run
 * must be there, finished, with the same model and settings.
 */
export function mergeShards(out: string, dirs: readonly string[]): EvaluationReport {
  if (dirs.length === 0) throw new MergeError('merge: no shard folders given');
  const reports = dirs.map((dir) => ({ dir, report: readReport(dir) }));
  const first = reports[0];
  const count = first.report.images.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const { dir, report } of reports) {
    if (!report.complete) throw new MergeError(`${dir}: the run did not finish (report.complete is false)`);
    if (comparable(report) !== comparable(first.report))
      throw new MergeError(`${dir}: another model or other settings than ${first.dir}`);
    const shard = report.images.shard ?? { index: 1, count: 1 };
    if (shard.count !== count)
      throw new MergeError(
        `${dir}: shard ${shard.index}/${shard.count}, but ${first.dir} is one of ${count}`,
      );
    const twin = seen.get(shard.index);
    if (twin) throw new MergeError(`${dir} and ${twin} are both shard ${shard.index}/${count}`);
    seen.set(shard.index, dir);
  }
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seen.has(k));
  if (missing.length)
    throw new MergeError(`merge: shard(s) ${missing.map((k) => `${k}/${count}`).join(', ')} missing`);

  // A single run's order: the sorted file names (the shards interleave them).
  const files = reports.flatMap(({ report }) => report.images.files).sort();
  const byId = new Map<string, ImageRecord>();
  for (const { report } of reports) for (const r of report.records) byId.set(r.id, r);
  const fileId = (f: string) => f.slice(0, f.length - (f.match(/\.[^.]*$/)?.[0].length ?? 0));
  const records = files.map((f) => byId.get(fileId(f))).filter((r) => r !== undefined);
  const skipped = reports.flatMap(({ report }) => report.images.skipped);
  const seconds = reports.reduce((s, { report }) => s + report.timing.totalSeconds, 0);
  const { settings } = first.report;
  const merged: EvaluationReport = {
    complete: true,
    model: first.report.model,
    images: {
      dir: first.report.images.dir,
      split: first.report.images.split,
      files,
      evaluated: records.map((r) => r.id),
      skipped,
    },
    settings: { ...settings, jobs: reports.reduce((s, { report }) => s + report.settings.jobs, 0) },
    summary: summarise(records, settings.methods, settings.metricSettings),
    records,
    timing: { totalSeconds: seconds, perImageSeconds: records.length ? seconds / records.length : 0 },
  };
  writeReportFiles(out, merged, `${count} shard(s); machine time summed`);
  return merged;
}
