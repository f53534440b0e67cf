/**
 * The ort engine's work, free of any thread or DOM concern so it runs in a worker and in Node tests alike:
 * onnxruntime-web (wasm) runs the forward pass with the values the chain reads exposed, a second wasm
 * session runs the double chain compiled to a float32 ONNX graph (cpu-graph/, compiled once per rule
 * options), and views.ts turns the result into maps and pixels. The float64 reference stays the oracle of
 * the tests; it is not used here.
 */
import { loadGraph } from '../core/onnx';
import { BROWSER_HEAP_BUDGET_BYTES, checkMemoryBudget } from '../core/onnx/memory';
import type { IrGraph } from '../core/onnx/ir';
import { imageInput, toModelLayout } from '../core/onnx/layout';
import { findLogits } from '../core/pane/heads';
import type { PaneResult } from '../core/pane/types';
import { effectiveOptions, type PaneOptions } from '../core/pane/options';
import { upsampleBilinear } from '../core/pane/maps';
import type { Tensor } from '../core/tensor';
import { createRunner, type ModelRunner } from '../runtime';
import { ChainRunner } from './cpu-graph/chain-runner';
import { compileKey } from './cpu-graph/compile';
import { chainForwardValues } from './cpu-graph/graph-facts';
import { fluxAtInputPlusSinks } from './cpu-graph/result';
import { describeModel, predictionFrom } from './model-info';
import { layerStats, renderView, viewMap } from './views';
import type { ExplanationStats, MapData, ModelInfo, Prediction, RenderInfo, ViewSpec } from './types';

/** Weights of the compiled chains kept per model (bytes of their ONNX models). */
const CHAIN_BYTES = 64 * 1024 * 1024;

export class CpuCompute {
  private graph: IrGraph | null = null;
  private info: ModelInfo | null = null;
  private runner: ModelRunner | null = null;
  private forward: Map<string, Tensor<Float32Array>> | null = null;
  private result: PaneResult | null = null;
  private chains = new Map<string, Promise<ChainRunner>>();

  async loadModel(bytes: Uint8Array, name: string): Promise<ModelInfo> {
    let graph: IrGraph;
    try {
      graph = loadGraph(bytes);
      checkMemoryBudget(graph, 'cpu-graph', BROWSER_HEAP_BUDGET_BYTES);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
    const info = await describeModel(graph, bytes, name);
    const inputs = new Set(graph.inputs.map((v) => v.name));
    // The forward values the compiled chain reads come back from onnxruntime (the input is ours already).
    const exposed = info.canExplain
      ? chainForwardValues(graph).filter((v) => !inputs.has(v))
      : [findLogits(graph).logits];
    const runner = await createRunner(bytes, { backend: 'wasm', outputs: exposed });
    this.dispose();
    this.graph = graph;
    this.info = info;
    this.runner = runner;
    return info;
  }

  async setInput(input: Float32Array): Promise<Prediction> {
    const { graph, info, runner } = this.ready();
    // The image comes planar; onnxruntime and the chain take it in the model's layout.
    const image = imageInput(graph);
    const modelInput = toModelLayout(input, image);
    const outputs = await runner.run(modelInput, image.dims);
    const forward = new Map<string, Tensor<Float32Array>>();
    forward.set(info.inputName, { dims: image.dims, data: modelInput });
    for (const [name, t] of outputs) {
      forward.set(name, { dims: t.dims, data: await t.getData() });
      t.dispose();
    }
    this.forward = forward;
    this.result = null;
    return predictionFrom(forward.get(findLogits(graph).logits)!.data);
  }

  async explain(options: Partial<PaneOptions>): Promise<ExplanationStats> {
    const { graph, info } = this.ready();
    if (!info.canExplain) throw new Error(`${info.name}: the double chain cannot traverse this model`);
    if (!this.forward) throw new Error('explain: no input');
    const t0 = performance.now();
    const opts = effectiveOptions(options);
    const chain = await this.chainFor(graph, opts);
    const t1 = performance.now();
    const result = await chain.explain(this.forward, opts);
    const t2 = performance.now();
    this.result = result;
    const layers = layerStats(
      graph,
      result,
      info.layers.map((l) => l.tensor),
    );
    return {
      target: result.target,
      options: opts,
      fluxAtInputPlusSinks: fluxAtInputPlusSinks(graph, result, opts),
      mass: result.mass,
      layers,
      timingsMs: { compile: t1 - t0, chain: t2 - t1, stats: performance.now() - t2 },
    };
  }

  readMap(
    view: Pick<ViewSpec, 'layer' | 'kind' | 'finalMap'>,
    size?: { width: number; height: number },
  ): MapData {
    const { graph, info } = this.ready();
    const result = this.explained();
    const m = viewMap(graph, result, view.layer, view.kind, view.finalMap);
    const width = size?.width ?? info.inputDims[3];
    const height = size?.height ?? info.inputDims[2];
    const up = upsampleBilinear(m.data, m.h, m.w, height, width);
    return { width, height, data: Float32Array.from(up), signed: m.signed };
  }

  render(view: ViewSpec): { rgba: Uint8ClampedArray; width: number; height: number; info: RenderInfo } {
    const { graph, info } = this.ready();
    const width = info.inputDims[3];
    const height = info.inputDims[2];
    const { rgba, info: renderInfo } = renderView(graph, this.explained(), view, width, height);
    return { rgba, width, height, info: renderInfo };
  }

  dispose(): void {
    this.runner?.dispose();
    for (const chain of this.chains.values())
      void chain.then(
        (c) => c.dispose(),
        () => undefined,
      );
    this.chains.clear();
    this.runner = null;
    this.graph = null;
    this.info = null;
    this.forward = null;
    this.result = null;
  }

  /**
   * The compiled chain for the options' rule, compiled on first use. Recent ones are kept while their
   * weights fit CHAIN_BYTES (the newest always), so switching back to a rule costs no recompilation on
   * SqueezeNet-sized models and no memory blow-up on VGG-sized ones.
   */
  private async chainFor(graph: IrGraph, opts: PaneOptions): Promise<ChainRunner> {
    const key = compileKey(opts);
    const chain = this.chains.get(key) ?? ChainRunner.create(graph, opts);
    this.chains.delete(key);
    this.chains.set(key, chain);
    let runner: ChainRunner;
    try {
      runner = await chain;
    } catch (e) {
      // Not kept: the next explain compiles again and reports the error again.
      if (this.chains.get(key) === chain) this.chains.delete(key);
      throw e;
    }
    let bytes = 0;
    for (const [old, c] of [...this.chains].reverse()) {
      const kept = await c;
      bytes += kept.modelBytes;
      if (kept !== runner && bytes > CHAIN_BYTES) {
        this.chains.delete(old);
        kept.dispose();
      }
    }
    return runner;
  }

  private ready(): { graph: IrGraph; info: ModelInfo; runner: ModelRunner } {
    if (!this.graph || !this.info || !this.runner) throw new Error('no model loaded');
    return { graph: this.graph, info: this.info, runner: this.runner };
  }

  private explained(): PaneResult {
    if (!this.result) throw new Error('no explanation yet: call explain first');
    return this.result;
  }
}
