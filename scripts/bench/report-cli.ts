/**
 * The Markdown of the issue-11 parts of the benchmark: the CPU explanation against onnxruntime's forward
 * pass per runtime, batch explain side by side with PyTorch, evaluate per image, and the in-page CPU engine
 * with and without cross-origin isolation.
 */
import type { BatchBenchResult } from './batch-bench';
import type { CpuRatioResult } from './cpu-bench';
import type { EvaluateBenchResult } from './evaluate-bench';
import type { PageCpuRow } from './page-cpu';

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
const seconds = (v: number) => `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`;
const x = (a: number, b: number) => `${(a / b).toFixed(a / b < 10 ? 2 : 1)}x`;

/** `names` leading columns name the row; the others hold numbers, aligned right. */
function table(header: string[], rows: string[][], names = 1): string {
  return [header, header.map((_, i) => (i < names ? '---' : '---:')), ...rows]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}

const RUNTIMES = { native: 'onnxruntime-node (native CPU provider)', wasm: 'onnxruntime-web (wasm, Node)' };

export function cpuRatioTable(rows: CpuRatioResult[]): string {
  return table(
    [
      'runtime',
      'ORT forward',
      'forward (chain values exposed)',
      'double chain',
      'maps (layer statistics)',
      'total',
      'total / ORT forward',
      'CPU time: ORT forward, total',
      'CPU time ratio',
      'runs',
    ],
    rows.map((r) => [
      RUNTIMES[r.runtime],
      ms(r.ortForwardMs),
      ms(r.forwardMs),
      ms(r.chainMs),
      ms(r.mapsMs),
      `**${ms(r.totalMs)}**`,
      `**${x(r.totalMs, r.ortForwardMs)}**`,
      `${ms(r.ortForwardCpuMs)}, ${ms(r.totalCpuMs)}`,
      `**${x(r.totalCpuMs, r.ortForwardCpuMs)}**`,
      String(r.iterations),
    ]),
  );
}

export function batchTables(b: BatchBenchResult): string {
  const o = b.ours.perImage;
  const rows = [
    [
      `panescope explain --images (${b.ours.runtime})`,
      ms(o.forward),
      ms(o.chain),
      ms(o.maps),
      `**${ms(o.explanation)}**`,
      b.ours.cpuPerImageMs === null ? 'n/a' : ms(b.ours.cpuPerImageMs),
      `${ms(o.total)} with reading the photo; whole command ${seconds(b.ours.wallMs)}`,
    ],
  ];
  const torchRuns = 'skipped' in b.torch ? [] : b.torch;
  for (const t of torchRuns) {
    rows.push([
      `PyTorch ${t.version} float32, ${t.threads} thread${t.threads > 1 ? 's' : ''} (scripts/bench/pytorch_chain.py)`,
      ms(t.perImage.forward),
      ms(t.perImage.chain),
      ms(t.perImage.maps),
      `**${ms(t.perImage.explanation)}**`,
      ms(t.cpuPerImage.explanation),
      `CPU forward ${ms(t.cpuPerImage.forward)}, chain ${ms(t.cpuPerImage.chain)}`,
    ]);
  }
  const lines = [
    table(
      [
        `SqueezeNet 1.1, ${b.photos} photos, per image (median)`,
        'forward',
        'double chain',
        'maps',
        'forward + chain + maps',
        'CPU time per image',
        'notes',
      ],
      rows,
    ),
    '',
  ];
  if ('skipped' in b.torch) lines.push(`PyTorch: skipped (${b.torch.skipped}).`);
  for (const t of torchRuns) {
    lines.push(
      `- **Ours / PyTorch (${t.threads} thread${t.threads > 1 ? 's' : ''}) per image: ` +
        `${x(o.explanation, t.perImage.explanation)} wall clock` +
        (b.ours.cpuPerImageMs === null
          ? ''
          : `, ${x(b.ours.cpuPerImageMs, t.cpuPerImage.explanation)} CPU time`) +
        `** (issue 11 asks for at most 1.5x); forward + chain alone (sums of the medians) ` +
        `${x(o.forward + o.chain, t.perImage.forward + t.perImage.chain)} wall clock. Explained classes ` +
        `differing between onnxruntime and PyTorch: ${t.classMismatches} of ${b.photos}.`,
    );
  }
  const rs = (v: number[]) => {
    if (v.length === 0) return 'n/a';
    const worst = Math.min(...v);
    return `min r = ${worst.toFixed(6)} (1 - r = ${(1 - worst).toExponential(1)})`;
  };
  lines.push(
    '',
    `Pixel map S = sum_c R against the float64 reference (\`--backend reference\`), Pearson r over the first ` +
      `${b.r.ours.length} photos: ours ${rs(b.r.ours)}, PyTorch ${rs(b.r.torch)} (issue 11 asks for >= 0.9999).`,
  );
  return lines.join('\n');
}

export function evaluateTable(rows: EvaluateBenchResult[]): string {
  return table(
    ['maps and gradients', 'photos', 'wall per image', 'CPU per image', 'CLI total (report.json)'],
    rows.map((r) => [
      r.precision,
      String(r.photos),
      `**${seconds(r.wallMs / r.photos)}**`,
      seconds(r.cpuMs / r.photos),
      `${seconds(r.reportedSeconds * 1000)}`,
    ]),
  );
}

export function pageCpuTable(rows: PageCpuRow[]): string {
  return table(
    [
      'page',
      'crossOriginIsolated',
      'wasm threads',
      'setInput (forward)',
      'explain (chain + statistics)',
      'total',
      'load',
      'first explanation',
      'runs',
    ],
    rows.map(({ setting, result: r }) =>
      'error' in r
        ? [setting, `failed: ${r.error}`, '', '', '', '', '', '', '']
        : [
            setting,
            String(r.crossOriginIsolated),
            `${r.wasmThreads} (of ${r.hardwareConcurrency} cores)`,
            ms(r.forwardMs),
            ms(r.explainMs),
            `**${ms(r.totalMs)}**`,
            ms(r.loadMs),
            ms(r.firstExplanationMs),
            String(r.iterations),
          ],
    ),
  );
}
