/**
 * `panescope` command line. Every failure the user can cause (bad arguments, unreadable files, unsupported
 * models) ends with exit code 1 (2 for usage errors) and one clear line on stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mergeShards } from './evaluate-report';
import { EVALUATE_USAGE, EvaluateUsageError, parseEvaluateArgs, runEvaluate } from './evaluate';
import { runExplain, type ExplainArgs } from './explain';
import { parseInputFlags, type InputFlags } from './explain-input';
import { listImages, runExplainBatch } from './explain-batch';
import { EXPLAIN_BACKENDS, type ExplainBackendName } from './explain-backends';
import { attachNegativeValues } from './args';
import { MAX_CAP_MB } from './read-input';
import { alphaBetaProblem } from '../core/pane/alpha-beta';
import { oneLine, quoted } from '../core/text';
import { DEFAULT_MEMORY_BUDGET_GIB } from '../core/onnx/memory';
import { DEFAULT_FINAL_MAP, FINAL_MAP_NAMES } from '../core/pane/final-maps';

const USAGE = `usage: panescope --version
       panescope explain --model M.onnx (--image X.(png|jpg|npy) [--image ...] | --images DIR) --out DIR
         [--class K] [--rule sf|alphabeta|ebp] [--alpha A --beta B]
         [--head logit|contrast_mean|contrast_softmax] [--layers all|NAME,...]
         [--preprocess model|imagenet|none] [--input-size S|H,W] [--mean M[,M,M]] [--std S[,S,S]]
         [--scale 1/255] [--channel-order rgb|bgr] [--labels FILE] [--backend ort|webgpu|reference]
         [--memory-budget GIB] [--max-file-mb N] [--map ${FINAL_MAP_NAMES.join('|')}]
${EVALUATE_USAGE.replace('usage: ', '       ')}
       panescope merge --out DIR SHARD_DIR...   (joins evaluate --shard runs into one report)`;

export class UsageError extends Error {}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got ${quoted(value, 40)})`);
  }
  return value as T;
}

function num(flag: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${flag} must be a finite number (got ${quoted(value, 40)})`);
  }
  return n;
}

function alphaBeta(flag: 'alpha' | 'beta', value: string | undefined, fallback: number): number {
  const n = num(flag, value, fallback)!;
  const problem = alphaBetaProblem(flag, n);
  if (problem) throw new UsageError(`--${problem}`);
  return n;
}

function maxFileMb(value: string | undefined): number | undefined {
  const n = num('max-file-mb', value, undefined);
  if (n !== undefined && !(n > 0 && n <= MAX_CAP_MB)) {
    throw new UsageError(`--max-file-mb must be in (0, ${MAX_CAP_MB}] (got ${quoted(value!, 40)})`);
  }
  return n;
}

function parseExplainArgs(argv: string[]): ExplainArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      image: { type: 'string', multiple: true },
      images: { type: 'string' },
      out: { type: 'string' },
      class: { type: 'string' },
      rule: { type: 'string' },
      alpha: { type: 'string' },
      beta: { type: 'string' },
      head: { type: 'string' },
      layers: { type: 'string' },
      preprocess: { type: 'string' },
      'input-size': { type: 'string' },
      mean: { type: 'string' },
      std: { type: 'string' },
      scale: { type: 'string' },
      'channel-order': { type: 'string' },
      labels: { type: 'string' },
      backend: { type: 'string' },
      'memory-budget': { type: 'string' },
      'max-file-mb': { type: 'string' },
      map: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${quoted(positionals[0], 40)}`);
  for (const required of ['model', 'out'] as const) {
    if (!values[required]) throw new UsageError(`--${required} is required`);
  }
  const images = values.image ?? [];
  if (images.length === 0 && values.images === undefined)
    throw new UsageError('--image is required (or --images DIR)');
  const target = num('class', values.class, undefined);
  if (target !== undefined && (!Number.isInteger(target) || target < 0)) {
    throw new UsageError(`--class must be a class index >= 0 (got ${quoted(values.class!, 40)})`);
  }
  const memoryBudgetGiB = num('memory-budget', values['memory-budget'], DEFAULT_MEMORY_BUDGET_GIB)!;
  if (!(memoryBudgetGiB > 0)) {
    throw new UsageError(
      `--memory-budget must be a size in GiB > 0 (got ${quoted(values['memory-budget']!, 40)})`,
    );
  }
  const layers =
    values.layers === undefined ? [] : values.layers === 'all' ? 'all' : values.layers.split(',');
  return {
    model: values.model!,
    image: images[0] ?? '',
    // Several --image, or --images DIR: one folder per image under --out.
    batch: images.length > 1 || values.images !== undefined ? { dir: values.images, images } : undefined,
    out: values.out!,
    target,
    rule: oneOf('rule', values.rule, ['sf', 'alphabeta', 'ebp'] as const, 'sf'),
    alpha: alphaBeta('alpha', values.alpha, 2),
    beta: alphaBeta('beta', values.beta, 1),
    head: oneOf('head', values.head, ['logit', 'contrast_mean', 'contrast_softmax'] as const, 'logit'),
    layers,
    labels: values.labels,
    backend: backendFlag(values.backend),
    memoryBudgetGiB,
    maxFileMb: maxFileMb(values['max-file-mb']),
    finalMap: oneOf('map', values.map, FINAL_MAP_NAMES, DEFAULT_FINAL_MAP),
    ...inputFlags(values),
  };
}

/** --backend; 'cpu', the old name of the float64 reference, still works with a note on stderr. */
function backendFlag(value: string | undefined): ExplainBackendName {
  if (value === 'cpu') {
    console.error(
      "panescope: note: --backend cpu is deprecated; it is the float64 reference, now '--backend reference'",
    );
    return 'reference';
  }
  return oneOf('backend', value, EXPLAIN_BACKENDS, 'ort');
}

function inputFlags(values: Record<string, string | string[] | boolean | undefined>): InputFlags {
  const text = (k: string) => values[k] as string | undefined;
  try {
    return parseInputFlags({
      preprocess: oneOf('preprocess', text('preprocess'), ['model', 'imagenet', 'none'] as const, 'model'),
      inputSize: text('input-size'),
      mean: text('mean'),
      std: text('std'),
      scale: text('scale'),
      channelOrder: text('channel-order'),
    });
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
}

/** The version in package.json (the CLI runs from the repository or an image built from it). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = attachNegativeValues(argv);
  const help = (a: string) => a === '--help' || a === '-h';
  if (command === '--version' || command === '-V') {
    console.log(`panescope ${version()}`);
    return 0;
  }
  // Asked for, the usage is the output (stdout, exit 0); without a command it explains an error (stderr).
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  if (help(command) || command === 'help' || rest.some(help)) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (command === 'evaluate') {
      const args = parseEvaluateArgs(rest);
      const report = await runEvaluate(args);
      console.log(
        oneLine(
          `evaluated ${report.summary.images} image(s) in ${report.timing.totalSeconds.toFixed(1)} s -> ${args.out}`,
        ),
      );
      return 0;
    }
    if (command === 'merge') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { out: { type: 'string' } },
      });
      if (!values.out) throw new UsageError('merge: --out is required');
      if (positionals.length === 0) throw new UsageError('merge: give the shard folders to join');
      const report = mergeShards(values.out, positionals);
      console.log(
        oneLine(`merged ${positionals.length} shard(s), ${report.summary.images} image(s) -> ${values.out}`),
      );
      return 0;
    }
    if (command !== 'explain') throw new UsageError(`unknown command ${quoted(command, 40)}`);
    const args = parseExplainArgs(rest);
    if (args.batch) {
      const list = listImages(args.batch.dir, args.batch.images);
      const rows = await runExplainBatch(args, list);
      const failed = rows.filter((r) => r.status === 'failed').length;
      const reused = rows.filter((r) => r.status === 'reused').length;
      console.log(
        oneLine(
          `explained ${rows.length - failed} of ${rows.length} image(s)` +
            (reused ? ` (${reused} reused)` : '') +
            ` -> ${args.out} (index: summary.csv, summary.json)`,
        ),
      );
      return failed > 0 ? 1 : 0;
    }
    const summary = await runExplain(args, (line) => console.error(oneLine(line)));
    console.log(
      oneLine(
        `explained class ${summary.class.index} (${summary.class.label}) in ${summary.timingsMs.total.toFixed(0)} ms -> ${args.out}`,
      ),
    );
    return 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (
      e instanceof UsageError ||
      e instanceof EvaluateUsageError ||
      (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`panescope: ${oneLine(message)}\n${USAGE}`);
      return 2;
    }
    console.error(`panescope: ${oneLine(message)}`);
    return 1;
  }
}
