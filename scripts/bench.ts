/**
 * npm run bench: what an explanation costs next to the forward pass, as a Markdown report.
 *
 * The GPU engine runs in headless Chromium (scripts/bench/page.ts, driven by Playwright) on each WebGPU
 * adapter a machine without a GPU has: SwiftShader, and the compatibility adapter (OpenGL ES through ANGLE
 * on lavapipe). The CPU rows run in Node: the CPU engine (the app's fallback without WebGPU) and the
 * float64 reference. Models: SqueezeNet 1.1 (the app's default) and the replicas of
 * scripts/fixtures/build-replicas.ts (MobileNetV2, ResNet-50, VGG16 with seeded random weights).
 *
 * Software adapters are slow, so every (model, adapter) has a budget of about three minutes: a model whose
 * cost, extrapolated from SqueezeNet's on the same adapter by multiply-adds, would exceed it is skipped and
 * the table says so; a run that still overruns is stopped.
 *
 *   npm run bench [-- --models squeezenet1_1,mobilenet_v2,resnet50,vgg16 --adapters swiftshader,compatibility
 *                     --no-gpu --no-cpu --budget MINUTES]
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright';
import { decodeImage } from '../src/cli/image-io';
import { loadGraph } from '../src/core/onnx';
import { IMAGENET_PREPROCESS, preprocess } from '../src/core/preprocess';
import { cpuFallback, float64Reference, ortWasmForward } from './bench/cpu-bench';
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
  const path = 'CPU engine (wasm forward + float32 chain graph)';
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string' },
      adapters: { type: 'string' },
      'no-cpu': { type: 'boolean' },
      'no-gpu': { type: 'boolean' },
      budget: { type: 'string', default: String(DEFAULT_BUDGET_MIN) },
    },
  });
  const budgetMs = Number(values.budget) * 60_000;
  if (!(budgetMs > 0)) throw new Error(`--budget takes minutes (got '${values.budget}')`);
  const load = loadavg()[0];
  const list = models(values.models?.split(','));
  const input = chelsea();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  const chromiumVersion = browser.version();
  await browser.close();
  const ortVersion = JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')).version;

  const gpu = values['no-gpu']
    ? { rows: [], adapterLines: [] }
    : await gpuRows(list, values.adapters?.split(','), input, budgetMs);
  const cpu = values['no-cpu'] ? [] : await cpuRows(list, input, budgetMs);

  const out = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0].model}, ${cpus().length} cores, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB (load average ${load.toFixed(1)} at the start, ` +
      `${loadavg()[0].toFixed(1)} at the end); Chromium ${chromiumVersion} (headless), ` +
      `Node ${process.version}, onnxruntime-web ${ortVersion}. Image: public/demo/chelsea.png, rule sf. ` +
      `Medians of the timed runs after a ` +
      `warm-up (at most ${REPEAT.maxIterations}, none started after ${REPEAT.budgetMs / 1000} s); ` +
      `budget ${minutes(budgetMs)} per model and adapter.`,
    '',
  ];
  if (gpu.rows.length > 0) {
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
  console.log(out.join('\n'));
}

await main();
