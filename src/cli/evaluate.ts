/**
 * `panescope evaluate`: every method x every metric over a folder of images (PANE-SPEC 6, 7). Writes
 * images/<id>.json as each image finishes (a rerun with the same settings reuses them, so an interrupted
 * run loses nothing), report.json after every image, and at the end report.md and the SVG curves.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_METHOD_SETTINGS,
  isMethodId,
  METHOD_IDS,
  subSeed,
  type MethodId,
  type MethodSettings,
} from '../core/baselines/methods';
import type { ImageRecord } from '../core/eval/evaluate-image';
import { DEFAULT_FINAL_MAP, type FinalMapName } from '../core/pane/final-maps';
import {
  DEFAULT_METRIC_SETTINGS,
  isMetricId,
  METRIC_IDS,
  type MetricId,
  type MetricSettings,
} from '../core/eval/settings';
import { fnv1a32, selectSplit, SPLIT_NAMES, type SplitName } from '../core/eval/split';
import { SUBSTRATES, type Substrate } from '../core/eval/substrate';
import { summarise, type Summary } from '../core/eval/summary';
import { loadGraph } from '../core/onnx';
import { inputLayout } from '../core/onnx/layout';
import { IMAGENET_PREPROCESS, preprocess } from '../core/preprocess';
import { decodeImage } from './image-io';
import { readInputFile } from './read-input';
import {
  GRADIENT_BACKENDS,
  loadModel,
  MAP_PRECISIONS,
  type MapPrecision,
  runImageTask,
  type EvaluationConfig,
  type GradientBackend,
  type ImageTask,
} from './evaluate-job';
import { WorkerPool } from './worker-pool';
import { ProgressBar, stderrOutput } from './progress';
import { writeReportFiles } from './evaluate-report';
import { parseShard, selectShard, type Shard } from './shard';
import { cpuBackend } from '../runtime';

export class EvaluateUsageError extends Error {}

export interface EvaluateArgs {
  model: string;
  images: string;
  out: string;
  config: EvaluationConfig;
  seed: number;
  jobs: number;
  /** Evaluate only the first N images (sorted by file name). */
  limit?: number;
  /** Evaluate only one half of the development / test split (core/eval/split), before --limit. */
  split?: SplitName;
  /** This machine's share of the images (after --split and --limit); `panescope merge` joins the shards. */
  shard?: Shard;
}

export const EVALUATE_USAGE = `usage: panescope evaluate --model M.onnx --images DIR --out DIR
         [--methods all|${METHOD_IDS.join(',')}]
         [--metrics all|${METRIC_IDS.join(',')}]
         [--step PIXELS] [--deletion-substrate|--insertion-substrate|--lerf-substrate zero|blur|black]
         [--attack fgsm|pgd] [--epsilon E] [--pgd-step S] [--pgd-iterations N] [--attack-percents K,...]
         [--ig-steps N] [--smoothgrad-samples N] [--smoothgrad-noise F] [--lrp-epsilon E]
         [--random-seeds N] [--seed S] [--batch N] [--jobs N] [--limit N] [--split dev|test]
         [--shard I/N|auto/N|auto]
         [--maps float32|float64] [--gradients float32|float64]`;

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

function number(flag: string, v: string | undefined, fallback: number, integer = false, min = 0): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new EvaluateUsageError(
      `--${flag} must be ${integer ? 'an integer' : 'a number'} >= ${min} (got '${v}')`,
    );
  }
  return n;
}

function numbers(flag: string, v: string | undefined, fallback: number[]): number[] {
  return v === undefined ? fallback : v.split(',').map((x) => number(flag, x, 0, false, 0));
}

function list<T extends string>(
  flag: string,
  v: string | undefined,
  all: readonly T[],
  is: (s: string) => s is T,
): T[] {
  if (v === undefined || v === 'all') return [...all];
  const items = v.split(',').map((s) => s.trim());
  const bad = items.find((s) => !is(s));
  if (bad !== undefined)
    throw new EvaluateUsageError(`--${flag}: unknown '${bad}' (one of ${all.join(', ')})`);
  return items as T[];
}

function substrate(flag: string, v: string | undefined, fallback: Substrate): Substrate {
  if (v === undefined) return fallback;
  if (!(SUBSTRATES as readonly string[]).includes(v)) {
    throw new EvaluateUsageError(`--${flag} must be one of ${SUBSTRATES.join(', ')} (got '${v}')`);
  }
  return v as Substrate;
}

export function parseEvaluateArgs(argv: string[]): EvaluateArgs {
  const flags = [
    'model',
    'images',
    'out',
    'methods',
    'metrics',
    'step',
    'deletion-substrate',
    'insertion-substrate',
    'lerf-substrate',
    'attack',
    'epsilon',
    'pgd-step',
    'pgd-iterations',
    'attack-percents',
    'ig-steps',
    'smoothgrad-samples',
    'smoothgrad-noise',
    'lrp-epsilon',
    'random-seeds',
    'seed',
    'batch',
    'jobs',
    'limit',
    'split',
    'shard',
    'gradients',
    'maps',
  ] as const;
  const { values: v, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])),
  });
  if (positionals.length > 0) throw new EvaluateUsageError(`unexpected argument '${positionals[0]}'`);
  for (const required of ['model', 'images', 'out'] as const) {
    if (!v[required]) throw new EvaluateUsageError(`--${required} is required`);
  }
  const d = DEFAULT_METRIC_SETTINGS;
  const attack = v.attack ?? d.attack;
  if (attack !== 'fgsm' && attack !== 'pgd')
    throw new EvaluateUsageError(`--attack must be fgsm or pgd (got '${attack}')`);
  const metricSettings: MetricSettings = {
    ...d,
    stepPixels: number('step', v.step, d.stepPixels, true, 1),
    deletionSubstrate: substrate('deletion-substrate', v['deletion-substrate'], d.deletionSubstrate),
    insertionSubstrate: substrate('insertion-substrate', v['insertion-substrate'], d.insertionSubstrate),
    lerfSubstrate: substrate('lerf-substrate', v['lerf-substrate'], d.lerfSubstrate),
    attack,
    epsilon: number('epsilon', v.epsilon, d.epsilon),
    pgdStep: number('pgd-step', v['pgd-step'], d.pgdStep),
    pgdIterations: number('pgd-iterations', v['pgd-iterations'], d.pgdIterations, true),
    attackPercents: numbers('attack-percents', v['attack-percents'], d.attackPercents),
    batchSize: number('batch', v.batch, d.batchSize, true, 1),
  };
  const maps = v.maps ?? 'float32';
  if (!(MAP_PRECISIONS as readonly string[]).includes(maps))
    throw new EvaluateUsageError(`--maps must be one of ${MAP_PRECISIONS.join(', ')} (got '${maps}')`);
  // The gradient-type baselines follow the maps unless --gradients says otherwise.
  // 'wasm' is the old name of the float32 gradient graph (it now runs on onnxruntime-node where it loads).
  const gradients = v.gradients === 'wasm' ? 'float32' : (v.gradients ?? maps);
  if (!(GRADIENT_BACKENDS as readonly string[]).includes(gradients))
    throw new EvaluateUsageError(
      `--gradients must be one of ${GRADIENT_BACKENDS.join(', ')} (got '${gradients}')`,
    );
  if (v.split !== undefined && !(SPLIT_NAMES as readonly string[]).includes(v.split))
    throw new EvaluateUsageError(`--split must be one of ${SPLIT_NAMES.join(', ')} (got '${v.split}')`);
  const m = DEFAULT_METHOD_SETTINGS;
  const methodSettings: MethodSettings = {
    ...m,
    igSteps: number('ig-steps', v['ig-steps'], m.igSteps, true, 1),
    smoothGradSamples: number('smoothgrad-samples', v['smoothgrad-samples'], m.smoothGradSamples, true, 1),
    smoothGradNoise: number('smoothgrad-noise', v['smoothgrad-noise'], m.smoothGradNoise),
    lrpEpsilon: number('lrp-epsilon', v['lrp-epsilon'], m.lrpEpsilon),
    randomSeeds: number('random-seeds', v['random-seeds'], m.randomSeeds, true, 1),
  };
  return {
    model: v.model!,
    images: v.images!,
    out: v.out!,
    config: {
      maps: maps as MapPrecision,
      gradients: gradients as GradientBackend,
      methods: list('methods', v.methods, METHOD_IDS, isMethodId),
      metrics: list('metrics', v.metrics, METRIC_IDS, isMetricId),
      methodSettings,
      metricSettings,
      norm: { mean: [...IMAGENET_PREPROCESS.mean], std: [...IMAGENET_PREPROCESS.std] },
    },
    seed: number('seed', v.seed, 0, true),
    jobs: number('jobs', v.jobs, Math.max(1, Math.min(2, cpus().length)), true, 1),
    limit: v.limit === undefined ? undefined : number('limit', v.limit, 0, true, 1),
    split: v.split as SplitName | undefined,
    shard: shardFlag(v.shard),
  };
}

function shardFlag(v: string | undefined): Shard | undefined {
  if (v === undefined) return undefined;
  try {
    return parseShard(v);
  } catch (e) {
    throw new EvaluateUsageError((e as Error).message);
  }
}

export interface Skipped {
  file: string;
  error: string;
}

export interface EvaluationReport {
  complete: boolean;
  model: { path: string; sha256: string };
  images: {
    dir: string;
    /** The half of the development / test split evaluated (absent: every image in the folder). */
    split?: SplitName;
    /** This run's shard (absent: one run over every image). */
    shard?: Shard;
    /** The image files this run took, in the stable order (panescope merge orders the records by it). */
    files: string[];
    evaluated: string[];
    skipped: Skipped[];
  };
  settings: {
    methods: MethodId[];
    /** The final-map construction method 'pane' stands for (core/pane/final-maps.ts DEFAULT_FINAL_MAP). */
    paneMap: FinalMapName;
    metrics: MetricId[];
    methodSettings: MethodSettings;
    metricSettings: MetricSettings;
    preprocess: string;
    /** Which path computed the maps (float32: onnxruntime's float32 graphs; float64: the reference). */
    maps: MapPrecision;
    /** Where the gradient-type baselines took their gradients. */
    gradients: GradientBackend;
    /** Which onnxruntime ran the float32 graphs and the perturbed images (native: onnxruntime-node). */
    runtime: 'native' | 'wasm';
    seed: number;
    jobs: number;
  };
  summary: Summary;
  records: ImageRecord[];
  timing: { totalSeconds: number; perImageSeconds: number };
}

interface Pool {
  run(task: ImageTask, onStep: (step: string) => void): Promise<ImageRecord>;
  close(): Promise<void>;
}

async function localPool(modelBytes: Uint8Array, config: EvaluationConfig, threads: number): Promise<Pool> {
  const model = await loadModel(modelBytes, config, threads);
  return {
    run: (task, onStep) => runImageTask(model, task, config, onStep),
    close: async () => model.dispose(),
  };
}

async function workerPool(
  modelBytes: Uint8Array,
  config: EvaluationConfig,
  size: number,
  threads: number,
): Promise<Pool> {
  const pool = await WorkerPool.start<ImageTask, ImageRecord>({
    entry: new URL('./evaluate-worker-entry.mjs', import.meta.url),
    workerData: { modelBytes, config, threads },
    size,
  });
  return {
    run: (task, onStep) => pool.run(task.id, task, onStep, [task.x.buffer as ArrayBuffer]),
    close: () => pool.close(),
  };
}

/** Regular files only, under the size caps of `explain` (a FIFO or /dev/zero is refused at once). */
function readOrThrow(path: string, what: 'model' | 'image'): Uint8Array {
  return readInputFile(path, what);
}

/** The settings a finished image record depends on: a stored record is reused only when they match. */
function settingsKey(sha256: string, args: EvaluateArgs): string {
  const { config, seed } = args;
  return createHash('sha256')
    .update(
      JSON.stringify({
        sha256,
        seed,
        methodSettings: config.methodSettings,
        metricSettings: config.metricSettings,
        metrics: config.metrics,
        // The path that computed the maps and gradients changes the numbers (in the last digits).
        maps: config.maps,
        gradients: config.gradients,
      }),
    )
    .digest('hex');
}

interface StoredRecord {
  key: string;
  record: ImageRecord;
  /** The construction method 'pane' stood for (the default final map then); absent in older records. */
  paneMap?: FinalMapName;
}

/**
 * The methods of a stored record that a run may reuse: those it holds under the same settings, where 'pane'
 * counts only if it was the same construction. Each method's maps and metrics depend only on the image,
 * its seed and the settings (never on the other methods of the run), so the rest can be computed alone.
 */
export function reusableMethods(stored: StoredRecord | undefined, key: string, methods: readonly MethodId[]) {
  if (stored?.key !== key) return [];
  return methods.filter(
    (m) => m in stored.record.methods && (m !== 'pane' || stored.paneMap === DEFAULT_FINAL_MAP),
  );
}

/**
 * 'pane' and 'pane-NAME' of the default construction are the same map: a stored record that holds one
 * (with 'pane' of a known construction) gets the other too.
 */
export function withPaneAliases(stored: StoredRecord): StoredRecord {
  const methods = { ...stored.record.methods };
  if (stored.paneMap && methods.pane && !methods[`pane-${stored.paneMap}`])
    methods[`pane-${stored.paneMap}`] = methods.pane;
  const named = methods[`pane-${DEFAULT_FINAL_MAP}`];
  const paneCurrent = stored.paneMap === DEFAULT_FINAL_MAP && methods.pane;
  if (named && !paneCurrent) {
    methods.pane = named;
    return { ...stored, record: { ...stored.record, methods }, paneMap: DEFAULT_FINAL_MAP };
  }
  return { ...stored, record: { ...stored.record, methods } };
}

/** A record of `methods` only, in their order: the fresh ones, and the old ones where no fresh one is. */
export function mergeRecord(
  old: ImageRecord | undefined,
  fresh: ImageRecord,
  methods: readonly MethodId[],
): ImageRecord {
  const all = { ...old?.methods, ...fresh.methods };
  const merged: ImageRecord['methods'] = {};
  for (const m of methods) if (all[m]) merged[m] = all[m];
  return {
    ...fresh,
    methods: merged,
    correlation: fresh.correlation ?? old?.correlation,
    // The time spent on this image's record, over every run that made a part of it.
    ms: (old?.ms ?? 0) + fresh.ms,
  };
}

export async function runEvaluate(
  args: EvaluateArgs,
  log: (s: string) => void = (s) => process.stderr.write(s),
): Promise<EvaluationReport> {
  const t0 = performance.now();
  const modelBytes = readOrThrow(args.model, 'model');
  const sha256 = createHash('sha256').update(modelBytes).digest('hex');
  const g = loadGraph(modelBytes);
  const dims = g.shapes.get(g.inputs[0].name)!;
  if (dims.length !== 4) throw new Error(`${args.model}: the input is not an image tensor [N, C, H, W]`);
  // The baselines' channel reductions and the perturbations work on planar [C, H, W] images.
  if (inputLayout(g) !== 'NCHW')
    throw new Error(
      `${args.model}: evaluate takes NCHW models; this one takes NHWC images (TensorFlow layout)`,
    );
  let files: string[];
  try {
    files = readdirSync(args.images)
      .filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()))
      .sort();
  } catch (e) {
    throw new Error(
      `cannot list images in '${args.images}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (args.split !== undefined) files = selectSplit(files, args.split);
  if (args.limit !== undefined) files = files.slice(0, args.limit);
  if (args.shard !== undefined) files = selectShard(files, args.shard);
  if (!files.length)
    throw new Error(
      `no .png or .jpg images in '${args.images}'${args.split ? ` (split '${args.split}')` : ''}`,
    );

  const spec = { ...IMAGENET_PREPROCESS, width: dims[3], height: dims[2], channels: dims[1] as 1 | 3 };
  const skipped: Skipped[] = [];
  const tasks: ImageTask[] = [];
  for (const file of files) {
    try {
      const img = decodeImage(readOrThrow(join(args.images, file), 'image'), file);
      const id = basename(file, extname(file));
      tasks.push({
        id,
        x: Float64Array.from(preprocess(img, spec)),
        seed: subSeed(args.seed, fnv1a32(id)), // a stable per-image seed from its file name
      });
    } catch (e) {
      skipped.push({ file, error: (e as Error).message });
      log(`skipping ${file}: ${(e as Error).message}\n`);
    }
  }

  const runtime = await cpuBackend();
  const imagesDir = join(args.out, 'images');
  mkdirSync(imagesDir, { recursive: true });
  const key = settingsKey(sha256, args);
  const records = new Map<string, ImageRecord>();
  // Finished records that lack some of this run's methods: only those are computed, then merged in.
  const partial = new Map<string, ImageRecord>();
  const todo: ImageTask[] = [];
  for (const task of tasks) {
    const path = join(imagesDir, `${task.id}.json`);
    const stored = existsSync(path)
      ? withPaneAliases(JSON.parse(readFileSync(path, 'utf8')) as StoredRecord)
      : undefined;
    const reuse = reusableMethods(stored, key, args.config.methods);
    const missing = args.config.methods.filter((m) => !reuse.includes(m));
    if (!missing.length) records.set(task.id, mergeRecord(undefined, stored!.record, args.config.methods));
    else if (!reuse.length) todo.push(task);
    else {
      partial.set(task.id, mergeRecord(undefined, stored!.record, reuse));
      todo.push({ ...task, methods: missing });
    }
  }
  if (records.size) log(`reusing ${records.size} finished image(s) from ${imagesDir}\n`);
  if (partial.size)
    log(`reusing ${partial.size} image(s) from ${imagesDir} for the methods they already hold\n`);

  const { methods, metrics } = args.config;
  const report = (complete: boolean): EvaluationReport => {
    const done = tasks.map((t) => records.get(t.id)).filter((r) => r !== undefined);
    const seconds = (performance.now() - t0) / 1000;
    return {
      complete,
      model: { path: basename(args.model), sha256 },
      images: {
        dir: args.images,
        split: args.split,
        shard: args.shard,
        files,
        evaluated: done.map((r) => r.id),
        skipped,
      },
      settings: {
        methods,
        paneMap: DEFAULT_FINAL_MAP,
        metrics,
        methodSettings: args.config.methodSettings,
        metricSettings: args.config.metricSettings,
        preprocess: 'imagenet (resize 256, centre crop 224, mean/std)',
        maps: args.config.maps,
        gradients: args.config.gradients,
        runtime,
        seed: args.seed,
        jobs: args.jobs,
      },
      summary: summarise(done, methods, args.config.metricSettings),
      records: done,
      timing: { totalSeconds: seconds, perImageSeconds: done.length ? seconds / done.length : 0 },
    };
  };
  const writeReport = (r: EvaluationReport) =>
    writeFileSync(join(args.out, 'report.json'), JSON.stringify(r) + '\n');

  const correlationStep = metrics.includes('correlation') ? 1 : 0;
  const steps = todo.reduce((n, t) => n + (t.methods ?? methods).length + correlationStep, 0);
  const bar = new ProgressBar(Math.max(1, steps), stderrOutput(log));
  const failures: Skipped[] = [];
  if (todo.length) {
    const jobs = Math.min(args.jobs, todo.length);
    // onnxruntime-node's threads: the cores shared among the workers.
    const threads = Math.max(1, Math.floor(cpus().length / jobs));
    const pool =
      jobs > 1
        ? await workerPool(modelBytes, args.config, jobs, threads)
        : await localPool(modelBytes, args.config, threads);
    try {
      await Promise.all(
        todo.map((task) =>
          pool
            .run(task, (step) => bar.step(`${task.id}: ${step}`))
            .then((fresh) => {
              const record = mergeRecord(partial.get(task.id), fresh, methods);
              records.set(task.id, record);
              writeFileSync(
                join(imagesDir, `${task.id}.json`),
                JSON.stringify({ key, record, paneMap: DEFAULT_FINAL_MAP } satisfies StoredRecord) + '\n',
              );
              bar.message(`${task.id}: done in ${(record.ms / 1000).toFixed(1)} s`);
              writeReport(report(false));
            })
            .catch((e: unknown) => {
              const error = e instanceof Error ? e.message : String(e);
              failures.push({ file: task.id, error });
              bar.message(`${task.id}: failed: ${error}`);
            }),
        ),
      );
    } finally {
      bar.finish();
      await pool.close();
    }
  }
  skipped.push(...failures);

  const final = report(true);
  writeReportFiles(args.out, final, `${args.jobs} job(s)`);
  return final;
}
