/**
 * The CPU engine's work, free of any thread or DOM concern so it runs in a worker and in Node tests alike:
 * onnxruntime-web (wasm) runs the forward pass with every chain tensor exposed, the float64 reference runs
 * the double chain on those activations, and views.ts turns the result into maps and pixels.
 */
import { loadGraph } from '../core/onnx';
import type { IrGraph } from '../core/onnx/ir';
import { fluxOutputs, isData } from '../core/pane/ops';
import { findLogits } from '../core/pane/heads';
import { explain } from '../core/reference/chain';
import type { PaneResult } from '../core/pane/types';
import { effectiveOptions, type PaneOptions } from '../core/pane/options';
import { upsampleBilinear } from '../core/pane/maps';
import type { Tensor } from '../core/tensor';
import { createRunner, type ModelRunner } from '../runtime';
import { describeModel, predictionFrom } from './model-info';
import { layerStats, renderView, viewMap } from './views';
import type { ExplainSummary, MapData, ModelInfo, Prediction, RenderInfo, ViewSpec } from './types';

export class CpuCompute {
  private graph: IrGraph | null = null;
  private info: ModelInfo | null = null;
  private runner: ModelRunner | null = null;
  private values: Map<string, Tensor> | null = null;
  private result: PaneResult | null = null;

  async loadModel(bytes: Uint8Array, name: string): Promise<ModelInfo> {
    let graph: IrGraph;
    try {
      graph = loadGraph(bytes);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
    const info = await describeModel(graph, bytes, name);
    // Every data value the chain reads (inputs and outputs of traversed nodes) comes back from onnxruntime.
    const exposed = info.canExplain
      ? graph.nodes.flatMap((n) => fluxOutputs(n).filter((o) => isData(graph, o)))
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
    const outputs = await runner.run(input, info.inputDims);
    const values = new Map<string, Tensor>(graph.initializers);
    values.set(info.inputName, { dims: info.inputDims, data: Float64Array.from(input) });
    for (const [name, t] of outputs) {
      values.set(name, { dims: t.dims, data: Float64Array.from(await t.getData()) });
      t.dispose();
    }
    this.values = values;
    this.result = null;
    return predictionFrom(values.get(findLogits(graph).logits)!.data);
  }

  explain(options: Partial<PaneOptions>): ExplainSummary {
    const { graph, info } = this.ready();
    if (!info.canExplain) throw new Error(`${info.name}: the double chain cannot traverse this model`);
    if (!this.values) throw new Error('explain: no input');
    const t0 = performance.now();
    const opts = effectiveOptions(options);
    const result = explain(graph, this.values, opts);
    const t1 = performance.now();
    this.result = result;
    const layers = layerStats(
      graph,
      result,
      info.layers.map((l) => l.tensor),
    );
    let sumT = 0;
    for (const t of result.flux.get(info.inputName)?.T ?? []) sumT += t;
    let sinks = 0;
    for (const s of result.sinks.values()) sinks += s.T;
    return {
      target: result.target,
      options: opts,
      fluxAtInputPlusSinks: sumT + sinks,
      mass: result.mass,
      layers,
      timingsMs: { chain: t1 - t0, stats: performance.now() - t1 },
    };
  }

  readMap(view: Pick<ViewSpec, 'layer' | 'kind'>, size?: { width: number; height: number }): MapData {
    const { graph, info } = this.ready();
    const result = this.explained();
    const m = viewMap(graph, result, view.layer, view.kind);
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
    this.runner = null;
    this.graph = null;
    this.info = null;
    this.values = null;
    this.result = null;
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
