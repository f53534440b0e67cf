/**
 * npm run bench: what an explanation costs next to the forward pass, as a Markdown report.
 *
 * The GPU engine runs in headless Chromium (scripts/bench/page.ts, driven by Playwright) on each WebGPU
 * adapter a machine without a GPU has: SwiftShader, and the compatibility adapter (OpenGL ES through ANGLE
 * on lavapipe). The CPU rows run in Node: the ort engine (the app's fallback without WebGPU) and the
 * float64 reference. Models: SqueezeNet 1.1 (the app's default) and the replicas of
 * scripts/fixtures/build-replicas.ts (MobileNetV2, ResNet-50, VGG16 with seeded random weights).
 *
 * Software adapters are slow, so every (model, adapter) has a budget of about three minutes: a model whose
 * cost, extrapolated from SqueezeNet's on the same adapter by multiply-adds, would exceed it is skipped and
 * the table says so; a run that still overruns is stopped.
 *
 * The parts of issue 11 (SqueezeNet only): `cpu-ratio`, the CPU explanation against onnxruntime's forward
 * pass on onnxruntime-node and on wasm; `batch`, `panescope explain --images` per image side by side with a
 * PyTorch float32 double chain, both checked against the float64 reference; `evaluate`, seconds per image at
 * the README's evaluation settings; `page-cpu`, the in-page CPU engine with and without cross-origin
 * isolation. `--only` picks parts (default: all of them, `gpu` and `cpu` being the rows above).
 *
 *   npm run bench [-- --only gpu,cpu,cpu-ratio,batch,evaluate,page-cpu
 *                     --models squeezenet1_1,mobilenet_v2,resnet50,vgg16 --adapters swiftshader,compatibility
 *                     --no-gpu --no-cpu --budget MINUTES
 *                     --photos-dir data/eval-set --batch-photos N --reference-photos 3 --torch-threads N[,N...]
 *                     --evaluate-photos 2 --evaluate-float64]
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright';
import { decodeImage } from '../src/cli/image-io';
import { loadGraph } from '../src/core/onnx';
import { IMAGENET_PREPROCESS, preprocess } from '../src/core/preprocess';
import { batchBench } from './bench/batch-bench';
import { cpuFallback, cpuRatio, float64Reference, ortWasmForward } from './bench/cpu-bench';
import { evaluateBench, README_EVALUATE_SETTINGS } from './bench/evaluate-bench';
import { pageCpuRows } from './bench/page-cpu';
import { batchTables, cpuRatioTable, evaluateTable, pageCpuTable } from './bench/report-cli';
import { ADAPTERS, GpuDriver } from './bench/gpu-driver';
import { forwardMacs } from './bench/macs';
import { REPLICA_URL, type GpuBenchResult, type RepeatBudget } from './bench/protocol';
import { cpuTable, gpuTable, type CpuRow, type GpuRow, type ModelFacts } from './bench/report';
import { ensureReplicas, type ReplicaName } from './fixtures/build-replicas';

/** Per model and adapter (or CPU path): skip what would take longer (--budget MINUTES). */
const DEFAULT_BUDGET_MIN = 3;
/** A run that overruns its estimate is stopped at this multiple of the budget. */
const HARD_LIMIT_FACTOR = 5 / 3;
/** Timed repetitions after the warm-up: at most this many, and none started after budgetMs. */
const REPEAT: RepeatBudget = { maxIterations: 5, budgetMs: 30_000 };
const SQUEEZENET = {
  name: 'squeezenet1_1',
  path: 'public/models/squeezenet1_1.onnx',
  url: '/models/squeezenet1_1.onnx',
};

interface BenchModel extends ModelFacts {
  path: string;
  url: string;
  macs: number;
}

function models(wanted: string[] | undefined): BenchModel[] {
  const replicas = ensureReplicas();
  const all = [
    SQUEEZENET,
    ...(['mobilenet_v2', 'resnet50', 'vgg16'] as ReplicaName[]).map((name) => ({
      name,
      path: replicas.get(name)!,
      url: `${REPLICA_URL}${name}.onnx`,
    })),
  ].filter((m) => !wanted || wanted.includes(m.name));
  return all.map((m) => {
    const macs = forwardMacs(loadGraph(new Uint8Array(readFileSync(m.path))));
    return { ...m, macs, gmac: macs / 1e9 };
  });
}

function chelsea(): Float32Array {
  const path = 'public/demo/chelsea.png';
  return Float32Array.from(
    preprocess(decodeImage(new Uint8Array(readFileSync(path)), path), IMAGENET_PREPROCESS),
  );
}

/** What the first model (SqueezeNet) cost on one adapter, to extrapolate the others from. */
interface CostModel {
  macs: number;
  /** What does not grow with the model: pipeline compilation. */
  fixedMs: number;
  /** What grows with multiply-adds. */
  scaledMs: number;
}

function estimateMs(cost: CostModel | undefined, model: BenchModel): number {
  return cost ? cost.fixedMs + (cost.scaledMs * model.macs) / cost.macs : 0;
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(ms < 600_000 ? 1 : 0)} min`;

async function gpuRows(
  list: BenchModel[],
  adapterNames: string[] | undefined,
  input: Float32Array,
  budgetMs: number,
) {
  const rows: GpuRow[] = [];
  const adapterLines: string[] = [];
  const driver = await GpuDriver.start();
  try {
    for (const adapter of ADAPTERS.filter(
      (a) => !adapterNames || adapterNames.some((n) => a.name.toLowerCase().startsWith(n)),
    )) {
      let cost: CostModel | undefined;
      for (const model of list) {
        const estimate = estimateMs(cost, model);
        if (estimate > budgetMs) {
          rows.push({
            model,
            adapter: adapter.name,
            skipped: `about ${minutes(estimate)} estimated, over the ${minutes(budgetMs)} budget`,
          });
          continue;
        }
        console.error(`[bench] ${model.name} on ${adapter.name} ...`);
        const result = await driver.run(
          adapter,
          {
            model: model.name,
            url: model.url,
            featureLevel: adapter.featureLevel,
            input: [...input],
            ...REPEAT,
          },
          budgetMs * HARD_LIMIT_FACTOR,
        );
        if ('error' in result) {
          rows.push({ model, adapter: adapter.name, skipped: result.error });
          continue;
        }
        rows.push({ model, adapter: adapter.name, result });
        if (!cost) {
          adapterLines.push(`- ${adapter.name}: ${describe(result)}`);
          // A large model runs onnxruntime twice (warm-up, one timed run) and explains twice (the first
          // explanation compiles the pipelines, whatever the model's size).
          cost = {
            macs: model.macs,
            fixedMs: result.firstExplanationMs - result.totalMs,
            scaledMs: 2 * result.ortForwardMs + 2 * result.totalMs,
          };
        }
      }
    }
  } finally {
    await driver.stop();
  }
  return { rows, adapterLines };
}

function describe(r: GpuBenchResult): string {
  const a = r.adapter;
  const info =
    [a.vendor, a.architecture, a.description].filter(Boolean).join(' / ') || '(adapter.info is empty)';
  return (
    `\`${info}\`, featureLevel '${a.featureLevel}'${a.isFallbackAdapter ? ', fallback adapter' : ''}, ` +
    `maxStorageBufferBindingSize ${(a.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB, ` +
    `timestamp-query ${a.hasTimestampQuery ? 'yes' : 'no'}; engine: ${r.engineDescription}`
  );
}

async function cpuRows(list: BenchModel[], input: Float32Array, budgetMs: number): Promise<CpuRow[]> {
  const rows: CpuRow[] = [];
  const path = 'ort engine (wasm forward + float32 chain graph)';
  let cost: CostModel | undefined;
  for (const model of list) {
    const bytes = new Uint8Array(readFileSync(model.path));
    console.error(`[bench] ${model.name} on the CPU ...`);
    const ortForwardMs = await ortWasmForward(bytes, input, REPEAT);
    const estimate = estimateMs(cost, model);
    if (estimate > budgetMs) {
      const skipped = `about ${minutes(estimate)} estimated, over the ${minutes(budgetMs)} budget`;
      rows.push({ model, path, ortForwardMs, skipped });
      continue;
    }
    let result;
    try {
      result = await cpuFallback(bytes, model.name, input, REPEAT);
    } catch (e) {
      rows.push({ model, path, ortForwardMs, skipped: (e as Error).message.split('\n')[0] });
      continue;
    }
    rows.push({ model, path, ortForwardMs, result });
    if (!cost) cost = { macs: model.macs, fixedMs: 0, scaledMs: 3 * result.totalMs + result.loadMs };
    // The float64 reference is the oracle, not a product path: SqueezeNet shows its order of magnitude.
    if (model.name === SQUEEZENET.name)
      rows.push({
        model,
        path: 'float64 reference (JS)',
        ortForwardMs,
        result: await float64Reference(bytes, input, REPEAT),
      });
  }
  return rows;
}

const PARTS = ['gpu', 'cpu', 'cpu-ratio', 'batch', 'evaluate', 'page-cpu'] as const;
type Part = (typeof PARTS)[number];
/** Where the batch and evaluate parts write their outputs (kept for a look afterwards). */
const WORK_DIR = '.cache/bench';

function count(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${flag} takes a positive whole number (got '${value}')`);
  return n;
}

function nativeVersion(): string {
  const path = 'node_modules/onnxruntime-node/package.json';
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).version : 'not installed';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      models: { type: 'string' },
      adapters: { type: 'string' },
      'no-cpu': { type: 'boolean' },
      'no-gpu': { type: 'boolean' },
      budget: { type: 'string', default: String(DEFAULT_BUDGET_MIN) },
      'photos-dir': { type: 'string', default: 'data/eval-set' },
      'batch-photos': { type: 'string' },
      'reference-photos': { type: 'string', default: '3' },
      'torch-threads': { type: 'string' },
      'evaluate-photos': { type: 'string', default: '2' },
      'evaluate-float64': { type: 'boolean' },
    },
  });
  const budgetMs = Number(values.budget) * 60_000;
  if (!(budgetMs > 0)) throw new Error(`--budget takes minutes (got '${values.budget}')`);
  const only = values.only?.split(',') ?? [...PARTS];
  const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new Error(`--only: unknown part(s) ${unknown.join(', ')} (${PARTS.join(', ')})`);
  const wants = (p: Part) =>
    only.includes(p) && !(p === 'gpu' && values['no-gpu']) && !(p === 'cpu' && values['no-cpu']);
  const batchPhotos = count('batch-photos', values['batch-photos']);
  const referencePhotos = count('reference-photos', values['reference-photos'])!;
  const torchThreads = (values['torch-threads'] ?? String(cpus().length))
    .split(',')
    .map((t) => count('torch-threads', t)!);
  const evaluatePhotos = count('evaluate-photos', values['evaluate-photos'])!;
  const photosDir = values['photos-dir']!;

  const load = loadavg()[0];
  const started = new Date();
  const input = chelsea();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  const chromiumVersion = browser.version();
  await browser.close();
  const ortVersion = JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')).version;

  const out: string[] = [];
  const needsModels = wants('gpu') || wants('cpu');
  const list = needsModels ? models(values.models?.split(',')) : [];
  const gpu = wants('gpu') ? await gpuRows(list, values.adapters?.split(','), input, budgetMs) : null;
  const cpu = wants('cpu') ? await cpuRows(list, input, budgetMs) : [];
  if (gpu && gpu.rows.length > 0) {
    out.push(
      '### WebGPU engine (headless Chromium)',
      '',
      'Adapters:',
      '',
      ...gpu.adapterLines,
      '',
      gpuTable(gpu.rows),
      '',
    );
  }
  if (cpu.length > 0) out.push('### CPU (Node)', '', cpuTable(cpu), '');

  const squeezenet = new Uint8Array(readFileSync(SQUEEZENET.path));
  if (wants('cpu-ratio')) {
    const rows = [];
    for (const runtime of ['native', 'wasm'] as const) {
      if (runtime === 'native' && nativeVersion() === 'not installed') continue;
      console.error(`[bench] CPU explanation on ${runtime} ...`);
      rows.push(await cpuRatio(squeezenet, SQUEEZENET.name, input, runtime, REPEAT));
    }
    out.push(
      '### CPU explanation against the forward pass (Node, SqueezeNet 1.1, chelsea.png)',
      '',
      cpuRatioTable(rows),
      '',
    );
  }
  if (wants('batch')) {
    const b = await batchBench({
      model: SQUEEZENET.path,
      photosDir,
      photos: batchPhotos,
      referencePhotos,
      torchThreads,
      workDir: `${WORK_DIR}/batch`,
    });
    out.push(
      `### Batch explain against PyTorch (\`panescope explain --images ${photosDir}\`)`,
      '',
      batchTables(b),
      '',
    );
  }
  if (wants('evaluate')) {
    const rows = [];
    for (const precision of values['evaluate-float64']
      ? (['float32', 'float64'] as const)
      : (['float32'] as const))
      rows.push(
        await evaluateBench({
          model: SQUEEZENET.path,
          photosDir,
          photos: evaluatePhotos,
          precision,
          workDir: WORK_DIR,
        }),
      );
    out.push(
      `### evaluate at the README's settings (\`${README_EVALUATE_SETTINGS.join(' ')}\`, first ` +
        `${evaluatePhotos} photos of ${photosDir})`,
      '',
      evaluateTable(rows),
      '',
    );
  }
  if (wants('page-cpu')) {
    const rows = await pageCpuRows(SQUEEZENET, input, REPEAT);
    out.push(
      '### In-page CPU engine (headless Chromium, SqueezeNet 1.1, chelsea.png)',
      '',
      pageCpuTable(rows),
      '',
    );
  }

  out.unshift(
    `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC (for ` +
      `${minutes(Date.now() - started.getTime())}) on ${cpus()[0].model}, ` +
      `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (load average ${load.toFixed(1)} at the ` +
      `start, ${loadavg()[0].toFixed(1)} at the end); Chromium ${chromiumVersion} (headless), ` +
      `Node ${process.version}, onnxruntime-web ${ortVersion}, onnxruntime-node ${nativeVersion()}. ` +
      `Image for the single-image rows: public/demo/chelsea.png, rule sf. Medians of the timed runs after a ` +
      `warm-up (at most ${REPEAT.maxIterations}, none started after ${REPEAT.budgetMs / 1000} s); ` +
      `budget ${minutes(budgetMs)} per model and adapter. Parts: ${only.join(', ')}.`,
    '',
  );
  console.log(out.join('\n'));
}

await main();
