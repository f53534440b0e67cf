/**
 * The CPU rows of the benchmark, in Node: the CPU engine's work (CpuCompute: onnxruntime-web wasm forward
 * pass, the double chain compiled to a float32 ONNX graph on wasm, what the app falls back to without
 * WebGPU) and the float64 reference (the oracle), each against onnxruntime wasm's plain forward pass.
 */
import { loadGraph } from '../../src/core/onnx';
import { effectiveOptions } from '../../src/core/pane/options';
import { explain } from '../../src/core/reference/chain';
import { runForward } from '../../src/core/reference/forward';
import { CpuCompute } from '../../src/engine/cpu-compute';
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
