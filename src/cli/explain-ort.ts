/**
 * `panescope explain --backend ort` (the default): the float32 path of the app's ort engine in Node. The
 * forward pass runs on onnxruntime with the values the chain reads exposed, and the double chain runs as
 * the compiled float32 ONNX graph (src/engine/cpu-graph/), compiled once per rule options, on the same
 * runtime: onnxruntime-node's native CPU provider where the optional dependency loads, onnxruntime-web's
 * wasm otherwise. The float64 reference (--backend reference) is its oracle.
 */
import type { IrGraph } from '../core/onnx/ir';
import type { ImageInput } from '../core/onnx/layout';
import { findLogits } from '../core/pane/heads';
import { compileKey } from '../engine/cpu-graph/compile';
import { ChainRunner } from '../engine/cpu-graph/chain-runner';
import { chainForwardValues } from '../engine/cpu-graph/graph-facts';
import type { ForwardValues } from '../engine/cpu-graph/head';
import { fluxAtInputPlusSinks } from '../engine/cpu-graph/result';
import type { Tensor } from '../core/tensor';
import { cpuBackend, createRunner } from '../runtime';
import type { ExplainBackend } from './explain-backends';

/** What ran, in words, for summary.json. */
const ORT_RUNTIMES = {
  native: 'onnxruntime-node (native CPU provider)',
  wasm: 'onnxruntime-web (wasm)',
} as const;

/**
 * Tensors from the head towards the input (the order the chain visits them, which the CLI's checks
 * expect): by the index of the producing node, last first; graph inputs last.
 */
function headFirst(g: IrGraph, names: Iterable<string>): string[] {
  const at = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => at.set(o, i)));
  return [...names].sort((a, b) => (at.get(b) ?? -1) - (at.get(a) ?? -1));
}

export async function ortBackend(
  bytes: Uint8Array,
  graph: IrGraph,
  input: ImageInput,
): Promise<ExplainBackend> {
  const runtime = await cpuBackend();
  const exposed = chainForwardValues(graph).filter((v) => v !== input.name);
  const runner = await createRunner(bytes, { backend: runtime, outputs: exposed });
  // Compiled once per rule options and kept: a batch explains every image with the same options.
  const chains = new Map<string, Promise<ChainRunner>>();
  let forward: ForwardValues | undefined;
  return {
    runtime: ORT_RUNTIMES[runtime],
    async forward(x) {
      const data = Float32Array.from(x.data);
      const values = new Map<string, Tensor<Float32Array>>([[input.name, { dims: x.dims, data }]]);
      const outputs = await runner.run(data, [...x.dims]);
      for (const [name, t] of outputs) {
        values.set(name, { dims: t.dims, data: await t.getData() });
        t.dispose();
      }
      forward = values;
      return values.get(findLogits(graph).logits)!.data;
    },
    async chain(options) {
      if (!forward) throw new Error('chain before forward');
      const key = compileKey(options);
      let chain = chains.get(key);
      if (!chain) {
        chain = ChainRunner.create(graph, options, runtime);
        chains.set(key, chain);
      }
      const result = await (await chain).explain(forward, options);
      let atInput = 0;
      for (const t of result.flux.get(input.name)?.T ?? []) atInput += t;
      return {
        target: result.target,
        mass: result.mass,
        // The compiled graph does not split the sinks per node; their total is what the flux balance needs.
        sinks: fluxAtInputPlusSinks(graph, result, options) - atInput,
        tensors: headFirst(graph, result.flux.keys()),
        flux: async (tensor) => result.flux.get(tensor),
      };
    },
    dispose() {
      runner.dispose();
      for (const c of chains.values())
        void c.then(
          (r) => r.dispose(),
          () => undefined,
        );
      chains.clear();
      forward = undefined;
    },
  };
}
