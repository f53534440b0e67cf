/**
 * `panescope explain --images DIR` (or several --image): one model load, then every image into a folder of
 * its own under --out, with a progress bar and an index (summary.csv, summary.json).
 *
 * Resumable: an image whose folder already holds a summary.json of the same model, backend and options is
 * not explained again (a folder appears only complete: each image's files are staged and renamed into
 * place). An image that fails is listed in the index with its error; the others go on.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { oneLine } from '../core/text';
import { loadExplainer, type ExplainArgs, type ExplainSummaryJson } from './explain';
import { checkOutDir } from './explain-output';
import { ProgressBar, stderrOutput, type ProgressOutput } from './progress';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.npy']);

export interface IndexRow {
  image: string;
  /** Folder under --out. */
  folder: string;
  status: 'done' | 'reused' | 'failed';
  class?: number;
  label?: string;
  probability?: number;
  /** Per-image timings (ms): forward, chain, maps, total. */
  timingsMs?: Record<string, number>;
  error?: string;
}

/** The images of a folder (sorted by name), or the --image paths as given. */
export function listImages(dir: string | undefined, images: readonly string[]): string[] {
  if (dir === undefined) return [...images];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new Error(`--images: cannot list '${dir}': ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const found = names.filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
  if (found.length === 0) throw new Error(`--images: no .png, .jpg or .npy files in '${dir}'`);
  return [...images, ...found.map((f) => join(dir, f))];
}

/** A folder name per image: its base name, with -2, -3... where two images share one. */
export function folderNames(images: readonly string[]): string[] {
  const used = new Set<string>();
  return images.map((path) => {
    const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9._-]/g, '_') || 'image';
    let name = stem;
    for (let k = 2; used.has(name); k++) name = `${stem}-${k}`;
    used.add(name);
    return name;
  });
}

/** What must match for a finished folder to be reused. */
function sameRun(s: ExplainSummaryJson, sha256: string, args: Omit<ExplainArgs, 'image' | 'out'>): boolean {
  return (
    s.model?.sha256 === sha256 &&
    s.backend === args.backend &&
    s.options?.rule === args.rule &&
    s.options?.head === args.head &&
    (args.rule !== 'alphabeta' || (s.options.alpha === args.alpha && s.options.beta === args.beta)) &&
    (args.target === undefined || s.class?.index === args.target)
  );
}

function csvField(v: string | number | undefined): string {
  const text = v === undefined ? '' : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function indexCsv(rows: readonly IndexRow[]): string {
  const header = ['image', 'folder', 'status', 'class', 'label', 'probability'];
  const timings = ['forward', 'chain', 'maps', 'total'];
  const lines = [[...header, ...timings.map((t) => `${t}_ms`), 'error'].join(',')];
  for (const r of rows)
    lines.push(
      [
        r.image,
        r.folder,
        r.status,
        r.class,
        r.label,
        r.probability,
        ...timings.map((t) => (r.timingsMs?.[t] === undefined ? undefined : r.timingsMs[t].toFixed(1))),
        r.error,
      ]
        .map(csvField)
        .join(','),
    );
  return lines.join('\n') + '\n';
}

function rowOf(image: string, folder: string, status: 'done' | 'reused', s: ExplainSummaryJson): IndexRow {
  return {
    image,
    folder,
    status,
    class: s.class.index,
    label: s.class.label,
    probability: s.class.prob,
    timingsMs: s.timingsMs,
  };
}

/** Writes a file by renaming a complete temporary one into place (an index is never half written). */
function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export async function runExplainBatch(
  args: Omit<ExplainArgs, 'image'>,
  images: readonly string[],
  progress: ProgressOutput = stderrOutput(),
): Promise<IndexRow[]> {
  // A place that is a file or cannot be written is refused before the model loads.
  checkOutDir(args.out);
  mkdirSync(args.out, { recursive: true });
  const bar = new ProgressBar(images.length, progress);
  const explainer = await loadExplainer(args, (line) => {
    if (line.startsWith('warning:')) bar.message(line);
  });
  const folders = folderNames(images);
  const rows: IndexRow[] = [];
  const writeIndex = () => {
    writeAtomic(join(args.out, 'summary.csv'), indexCsv(rows));
    const index = { model: args.model, sha256: explainer.sha256, backend: args.backend, images: rows };
    writeAtomic(join(args.out, 'summary.json'), JSON.stringify(index, null, 2) + '\n');
  };
  try {
    for (let i = 0; i < images.length; i++) {
      const image = images[i];
      const folder = folders[i];
      const out = join(args.out, folder);
      const previous = join(out, 'summary.json');
      let row: IndexRow | undefined;
      if (existsSync(previous)) {
        try {
          const s = JSON.parse(readFileSync(previous, 'utf8')) as ExplainSummaryJson;
          if (sameRun(s, explainer.sha256, args)) row = rowOf(image, folder, 'reused', s);
        } catch {
          // Unreadable: explained again.
        }
      }
      if (!row) {
        try {
          row = rowOf(image, folder, 'done', await explainer.explain(image, out));
        } catch (e) {
          const error = oneLine(e instanceof Error ? e.message : String(e));
          row = { image, folder, status: 'failed', error };
          bar.message(`${image}: failed: ${error}`);
        }
      }
      rows.push(row);
      writeIndex();
      bar.step(`${folder}${row.status === 'done' ? ` ${row.label}` : ` (${row.status})`}`);
    }
  } finally {
    bar.finish();
    explainer.dispose();
  }
  return rows;
}
