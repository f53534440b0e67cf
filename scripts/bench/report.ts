/** The benchmark's Markdown: one table for the GPU engine per adapter, one for the CPU paths. */
import type { CpuBenchResult } from './cpu-bench';
import type { GpuBenchResult } from './protocol';

export interface ModelFacts {
  name: string;
  gmac: number;
}

export type GpuRow = { model: ModelFacts; adapter: string } & (
  { result: GpuBenchResult } | { skipped: string }
);

export type CpuRow = { model: ModelFacts; path: string; ortForwardMs: number } & (
  { result: CpuBenchResult } | { skipped: string }
);

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
const ratio = (total: number, forward: number) => `${(total / forward).toFixed(1)}x`;
/** The first three columns name the row; the others hold numbers, aligned right. */
const table = (header: string[], rows: string[][]) =>
  [header, header.map((_, i) => (i < 3 ? '---' : '---:')), ...rows]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');

/**
 * The GPU table, then the final-map switches of every measured row per construction (not shown before /
 * shown again), which the table's column gives as medians.
 */
export function gpuTable(rows: GpuRow[]): string {
  return [mainGpuTable(rows), finalMapTable(rows)].filter(Boolean).join('\n\n');
}

function finalMapTable(rows: GpuRow[]): string {
  const measured = rows.flatMap((row) => ('result' in row ? [{ ...row, result: row.result }] : []));
  if (measured.length === 0) return '';
  const names = measured[0].result.finalMapSwitches.map((s) => s.name);
  return table(
    ['model', 'adapter', 'switch to', ...names],
    measured.flatMap((row) =>
      (['newMs', 'shownMs'] as const).map((k) => [
        row.model.name,
        row.adapter,
        k === 'newMs' ? 'final map not shown before' : 'final map shown before',
        ...row.result.finalMapSwitches.map((s) => ms(s[k])),
      ]),
    ),
  );
}

function mainGpuTable(rows: GpuRow[]): string {
  const header = [
    'model',
    'GMAC',
    'adapter',
    'ORT forward',
    'engine forward (all tensors exposed)',
    'excitation split',
    'double chain',
    'maps',
    'total',
    'total / ORT forward',
    'switch view',
    'switch final map (new / shown)',
    'load',
    'first explanation',
    'runs',
  ];
  return table(
    header,
    rows.map((row) => {
      const head = [row.model.name, row.model.gmac.toFixed(2), row.adapter];
      if ('skipped' in row) return [...head, `skipped: ${row.skipped}`, ...header.slice(4).map(() => '')];
      const r = row.result;
      return [
        ...head,
        ms(r.ortForwardMs),
        ms(r.engineForwardMs),
        ms(r.excitationMs),
        ms(r.chainMs),
        ms(r.mapsMs),
        `**${ms(r.totalMs)}**`,
        `**${ratio(r.totalMs, r.ortForwardMs)}**`,
        ms(r.switchViewMs),
        `${ms(r.switchFinalNewMs)} / ${ms(r.switchFinalShownMs)}`,
        ms(r.loadMs),
        ms(r.firstExplanationMs),
        String(r.iterations),
      ];
    }),
  );
}

export function cpuTable(rows: CpuRow[]): string {
  const header = [
    'model',
    'GMAC',
    'path',
    'ORT forward (wasm)',
    'forward',
    'double chain',
    'total',
    'total / ORT forward',
    'switch view',
    'load',
    'runs',
  ];
  return table(
    header,
    rows.map((row) => {
      const head = [row.model.name, row.model.gmac.toFixed(2), row.path, ms(row.ortForwardMs)];
      if ('skipped' in row) return [...head, `skipped: ${row.skipped}`, ...header.slice(5).map(() => '')];
      const r = row.result;
      return [
        ...head,
        ms(r.forwardMs),
        ms(r.chainMs),
        `**${ms(r.totalMs)}**`,
        `**${ratio(r.totalMs, row.ortForwardMs)}**`,
        r.switchViewMs === null ? 'n/a' : ms(r.switchViewMs),
        ms(r.loadMs),
        String(r.iterations),
      ];
    }),
  );
}
