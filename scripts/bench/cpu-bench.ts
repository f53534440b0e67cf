/**
 * The CPU rows of the benchmark, in Node: the ort engine's work (CpuCompute: onnxruntime-web wasm forward
 * pass, the double chain compiled to a float32 ONNX graph on wasm, what the app falls back to without
 * WebGPU) and the float64 reference (the oracle), each against onnxruntime wasm's plain forward pass.
 */
import { loadGraph } from '../../src/core/onnx';
import { imageInput, toModelLayout } from '../../src/core/onnx/layout';
import { effectiveOptions } from '../../src/core/pane/options';
import { explain } from '../../src/core/reference/chain';
import { runForward } from '../../src/core/reference/forward';
import type { Tensor } from '../../src/core/tensor';
import { CpuCompute } from '../../src/engine/cpu-compute';
import { ChainRunner } from '../../src/engine/cpu-graph/chain-runner';
import { chainForwardValues } from '../../src/engine/cpu-graph/graph-facts';
import { describeModel } from '../../src/engine/model-info';
import { layerStats } from '../../src/engine/views';
import { createRunner } from '../../src/runtime';
import type { RepeatBudget } from './protocol';
import { median, timed } from './timing';

export interface CpuBenchResult {
  loadMs: number;
  forwardMs: number;
  chainMs: number;
  totalMs: number;
  /** CpuCompute.render of a view not shown before; null for the reference (no views). */
  switchViewMs: number | null;
  iterations: number;
}

/** Runs `f` once as a warm-up, then until the budget or the iteration cap is spent; medians by key. */
async function repeat<K extends string>(
  budget: RepeatBudget,
  f: () => Promise<Record<K, number>>,
): Promise<{ medians: Record<K, number>; iterations: number }> {
  await f();
  const samples: Record<K, number>[] = [];
  const start = performance.now();
  do samples.push(await f());
  while (samples.length < budget.maxIterations && performance.now() - start < budget.budgetMs);
  const keys = Object.keys(samples[0]) as K[];
  const medians = Object.fromEntries(keys.map((k) => [k, median(samples.map((s) => s[k]))])) as Record<
    K,
    number
  >;
  return { medians, iterations: samples.length };
}

/** onnxruntime wasm alone: logits only, default session options. */
export async function ortWasmForward(
  bytes: Uint8Array,
  input: Float32Array,
  budget: RepeatBudget,
): Promise<number> {
  const runner = await createRunner(bytes, { backend: 'wasm', outputs: [] });
  try {
    const run = async () => {
      const [outputs, ms] = await timed(() => runner.run(input, [1, 3, 224, 224]));
      for (const t of outputs.values()) t.dispose();
      return { ms };
    };
    return (await repeat(budget, run)).medians.ms;
  } finally {
    runner.dispose();
  }
}

export async function cpuFallback(
  bytes: Uint8Array,
  name: string,
  input: Float32Array,
  budget: RepeatBudget,
): Promise<CpuBenchResult> {
  const cpu = new CpuCompute();
  try {
    const [info, loadMs] = await timed(() => cpu.loadModel(bytes, name));
    const { medians, iterations } = await repeat(budget, async () => {
      const [, forward] = await timed(() => cpu.setInput(input));
      const [, chain] = await timed(() => cpu.explain({ rule: 'sf' }));
      return { forward, chain };
    });
    const layers = info.layers.map((l) => l.tensor);
    const switches: number[] = [];
    for (const layer of [layers[0], layers[Math.floor(layers.length / 2)]]) {
      for (const kind of ['net', 'positive', 'negative'] as const) {
        const view = {
          layer,
          kind,
          normalization: 'layer',
          clipPercentile: 99.5,
          colormap: 'auto',
          gamma: 1,
        } as const;
        switches.push((await timed(() => cpu.render(view)))[1]);
      }
    }
    return {
      loadMs,
      forwardMs: medians.forward,
      chainMs: medians.chain,
      totalMs: medians.forward + medians.chain,
      switchViewMs: median(switches),
      iterations,
    };
  } finally {
    cpu.dispose();
  }
}

export async function float64Reference(
  bytes: Uint8Array,
  input: Float32Array,
  budget: RepeatBudget,
): Promise<CpuBenchResult> {
  const [graph, loadMs] = await timed(() => loadGraph(bytes));
  const name = graph.inputs[0].name;
  const x = { dims: [1, 3, 224, 224], data: Float64Array.from(input) };
  const options = effectiveOptions({ rule: 'sf' });
  const { medians, iterations } = await repeat(budget, async () => {
    const [values, forward] = await timed(() => runForward(graph, { [name]: x }));
    const [, chain] = await timed(() => explain(graph, values, options));
    return { forward, chain };
  });
  return {
    loadMs,
    forwardMs: medians.forward,
    chainMs: medians.chain,
    totalMs: medians.forward + medians.chain,
    switchViewMs: null,
    iterations,
  };
}

export interface CpuRatioResult {
  runtime: 'native' | 'wasm';
  /** onnxruntime alone on this runtime: logits only, default session options. */
  ortForwardMs: number;
  /** Process CPU time (all threads) of that forward pass, median. */
  ortForwardCpuMs: number;
  forwardMs: number;
  chainMs: number;
  mapsMs: number;
  totalMs: number;
  /** Process CPU time (all threads) of one explanation, median. */
  totalCpuMs: number;
  iterations: number;
}

/** CPU time of the process (user + system, every thread) in ms. */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * The CPU explanation (forward with the chain's values exposed, the compiled float32 chain, the per-layer
 * statistics the app draws its chart from) on one onnxruntime runtime: CpuCompute's steps with the runtime
 * as a parameter (CpuCompute itself runs on wasm, the app's case; `panescope explain` runs on native where
 * onnxruntime-node loads), against onnxruntime's plain forward pass on the same runtime (issue 11: at most
 * 3x).
 */
export async function cpuRatio(
  bytes: Uint8Array,
  name: string,
  input: Float32Array,
  runtime: 'native' | 'wasm',
  budget: RepeatBudget,
): Promise<CpuRatioResult> {
  const plain = await createRunner(bytes, { backend: runtime, outputs: [] });
  let ort: { ms: number; cpu: number };
  try {
    ort = (
      await repeat(budget, async () => {
        const c0 = cpuNow();
        const [outputs, ms] = await timed(() => plain.run(input, [1, 3, 224, 224]));
        for (const t of outputs.values()) t.dispose();
        return { ms, cpu: cpuNow() - c0 };
      })
    ).medians;
  } finally {
    plain.dispose();
  }
  const graph = loadGraph(bytes);
  const info = await describeModel(graph, bytes, name);
  const image = imageInput(graph);
  const exposed = chainForwardValues(graph).filter((v) => v !== image.name);
  const runner = await createRunner(bytes, { backend: runtime, outputs: exposed });
  const opts = effectiveOptions({ rule: 'sf' });
  const chain = await ChainRunner.create(graph, opts, runtime);
  const layers = info.layers.map((l) => l.tensor);
  try {
    const { medians, iterations } = await repeat(budget, async () => {
      const c0 = cpuNow();
      const t0 = performance.now();
      const modelInput = toModelLayout(input, image);
      const outputs = await runner.run(modelInput, image.dims);
      const forward = new Map<string, Tensor<Float32Array>>([
        [image.name, { dims: image.dims, data: modelInput }],
      ]);
      for (const [n, t] of outputs) {
        forward.set(n, { dims: t.dims, data: await t.getData() });
        t.dispose();
      }
      const t1 = performance.now();
      const result = await chain.explain(forward, opts);
      const t2 = performance.now();
      layerStats(graph, result, layers);
      const t3 = performance.now();
      return { forward: t1 - t0, chain: t2 - t1, maps: t3 - t2, total: t3 - t0, cpu: cpuNow() - c0 };
    });
    return {
      runtime,
      ortForwardMs: ort.ms,
      ortForwardCpuMs: ort.cpu,
      forwardMs: medians.forward,
      chainMs: medians.chain,
      mapsMs: medians.maps,
      totalMs: medians.total,
      totalCpuMs: medians.cpu,
      iterations,
    };
  } finally {
    chain.dispose();
    runner.dispose();
  }
}
