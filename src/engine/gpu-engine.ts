/**
 * The WebGPU engine: onnxruntime-web runs the forward pass on our GPUDevice and leaves every tensor the
 * chain needs in GPU buffers; the WGSL kernels of src/gpu take it from there. Per input the activations
 * are copied device-side into the plan's own buffers (so every bind group is built once per model, and
 * onnxruntime may recycle its buffers right away) and the excitation split runs; per explanation only the
 * rule, the head and the chain are recorded again. The CPU sees the logits, the per-layer statistics,
 * a view's scale and maps explicitly read with readMap; every one of those goes through the readback
 * ledger (readbackStats) and nothing else is mapped.
 */
import { loadGraph } from '../core/onnx';
import { checkDeviceLimits } from '../core/onnx/memory';
import type { IrGraph } from '../core/onnx/ir';
import { imageInput, toModelLayout } from '../core/onnx/layout';
import { finalMapSigned, type FinalMapName } from '../core/pane/final-maps';
import { findLogits } from '../core/pane/heads';
import { effectiveOptions, type PaneOptions } from '../core/pane/options';
import type { Flux } from '../core/pane/types';
import { CanvasRenderer } from '../gpu/canvas-renderer';
import { GpuContext, type AcquireOptions } from '../gpu/context';
import { headSetup } from '../gpu/head-setup';
import { ModelPlan } from '../gpu/model-plan';
import { finalMapSlot, type FinalMapSlot } from '../gpu/final-map';
import type { LayerStatValues } from '../gpu/layer-maps';
import { F32 } from '../gpu/plan/context';
import type { ReadbackStats } from '../gpu/readback';
import { displayScale, MapViews } from '../gpu/views';
import { createRunner, type ModelRunner, type RuntimeBackend } from '../runtime';
import { describeModel, predictionFrom } from './model-info';
import { isFinalView, isSigned, resolveColormap } from './views';
import type {
  EngineDevice,
  ExplanationStats,
  LayerStats,
  MapData,
  ModelInfo,
  Prediction,
  RenderInfo,
  SaliencyEngine,
  ViewSpec,
} from './types';

export interface GpuEngineOptions {
  /** Called once when the device is lost; the engine is unusable afterwards and should be re-created. */
  onDeviceLost?: (message: string) => void;
  featureLevel?: AcquireOptions['featureLevel'];
  /**
   * How render() reaches the canvas: 'canvas' draws into its WebGPU texture; 'image' draws offscreen,
   * reads the pixels back and puts them into its 2-D context. Default: 'image' on software adapters
   * (headless Chromium's SwiftShader cannot present WebGPU canvases: its GPU process crashes), else 'canvas'.
   */
  presentation?: Presentation;
  /**
   * Where onnxruntime runs the forward pass. 'webgpu' (default): on our device, activations copied
   * device-side. 'wasm': on the CPU, activations uploaded; for Node, where onnxruntime-web's webgpu build
   * does not run on Dawn's bindings (see src/cli/explain-webgpu.ts).
   */
  forward?: RuntimeBackend;
  /**
   * Measure the phases of setInput and explain (see `phases`): waits for the queue between them, which
   * costs a few idle moments of the GPU, so only benchmarks turn it on.
   */
  profile?: boolean;
}

/** Wall-clock milliseconds of the last setInput / explain by phase (only with the `profile` option). */
export interface EnginePhases {
  /** onnxruntime's forward pass with every chain tensor exposed. */
  forward?: number;
  /** Activations into the plan's buffers, the excitation split, the logits back. */
  excitation?: number;
  /** Rule and head set-up, the double chain. */
  chain?: number;
  /** Per-layer channel maps and statistics, the statistics back. */
  maps?: number;
}

export type Presentation = 'canvas' | 'image';

interface LoadedModel {
  /** The model file and its graph (lent to the page's gradient baselines, gpuDevice()). */
  bytes: Uint8Array;
  g: IrGraph;
  info: ModelInfo;
  runner: ModelRunner;
  /** Null when the chain cannot traverse the model (it still classifies). */
  plan: ModelPlan | null;
  planError: string | null;
}

/** The GPU engine, or null where there is no WebGPU adapter (the caller falls back to the ort engine). */
export async function createGpuEngine(opts: GpuEngineOptions = {}): Promise<GpuEngine | null> {
  if (typeof navigator === 'undefined' || !navigator.gpu) return null;
  let gpu: GpuContext;
  try {
    gpu = await GpuContext.acquire({ featureLevel: opts.featureLevel });
  } catch {
    return null;
  }
  const presentation = opts.presentation ?? (gpu.adapter.isFallbackAdapter ? 'image' : 'canvas');
  return new GpuEngine(gpu, { ...opts, presentation });
}

export class GpuEngine implements SaliencyEngine {
  readonly backend = 'webgpu' as const;
  readonly description: string;
  private model: LoadedModel | null = null;
  private logits: Float64Array | null = null;
  private explained = false;
  private lostReason: string | null = null;
  private readonly views: MapViews;
  private readonly renderer: CanvasRenderer;
  /** Final-map constructions built for the current model, recomputed once per explanation when shown. */
  private readonly finalMaps = new Map<FinalMapName, FinalMapSlot>();
  /** Counts explanations: a final map computed for an older one is stale. */
  private generation = 0;
  private layerValues: LayerStatValues[] = [];

  private readonly presents: boolean;
  private readonly onDeviceLost?: (message: string) => void;
  private readonly forward: RuntimeBackend;
  private readonly profile: boolean;
  /** Phases of the last setInput / explain; filled only with the `profile` option. */
  readonly phases: EnginePhases = {};

  constructor(
    private readonly gpu: GpuContext,
    opts: Omit<GpuEngineOptions, 'featureLevel' | 'presentation'> & { presentation: Presentation },
  ) {
    this.presents = opts.presentation === 'canvas';
    this.onDeviceLost = opts.onDeviceLost;
    this.forward = opts.forward ?? 'webgpu';
    this.profile = opts.profile ?? false;
    void gpu.lost.then((reason) => this.deviceLost(reason));
    const a = gpu.adapter;
    const adapter = [a.vendor, a.architecture, a.description].filter(Boolean).join(' ');
    const notes = [
      a.isFallbackAdapter ? 'software' : '',
      this.presents ? '' : 'maps copied to 2-D canvases',
      this.forward === 'wasm' ? 'forward pass on onnxruntime wasm' : '',
    ];
    this.description = `WebGPU (${[adapter, ...notes].filter(Boolean).join(', ')})`;
    this.views = new MapViews(gpu);
    this.renderer = new CanvasRenderer(gpu);
  }

  gpuDevice(): EngineDevice | null {
    // With the forward pass on wasm (Node) onnxruntime's webgpu backend is not in use on this device.
    if (this.lostReason || this.forward !== 'webgpu') return null;
    const model = this.model && { bytes: this.model.bytes, graph: this.model.g };
    return { device: this.gpu.device, software: this.gpu.adapter.isFallbackAdapter, model };
  }

  /** Every readback so far, by label: the hot path's only transfers to the CPU. */
  readbackStats(): ReadbackStats {
    return this.gpu.readbacks.snapshot();
  }

  private deviceLost(reason: string): void {
    this.lostReason = reason;
    this.onDeviceLost?.(`GPU device lost (${reason})`);
  }

  private usable(): GpuContext {
    if (this.lostReason)
      throw new Error(`the GPU device was lost (${this.lostReason}); re-create the engine`);
    return this.gpu;
  }

  private loaded(): LoadedModel {
    this.usable();
    if (!this.model) throw new Error('no model loaded');
    return this.model;
  }

  async loadModel(bytes: Uint8Array, name: string): Promise<ModelInfo> {
    const gpu = this.usable();
    let g: IrGraph;
    try {
      g = loadGraph(bytes);
      checkDeviceLimits(g, gpu.device.limits);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
    const info = await describeModel(g, bytes, name);
    let plan: ModelPlan | null = null;
    let planError: string | null = null;
    if (info.canExplain) {
      try {
        plan = ModelPlan.build(gpu, g);
      } catch (e) {
        planError = (e as Error).message;
      }
    }
    const input = info.inputName;
    // Without a plan only the logits come back (the model still classifies).
    const outputs = plan ? plan.valueNames.filter((n) => n !== input) : [findLogits(g).logits];
    let runner: ModelRunner;
    try {
      runner = await createRunner(bytes, { backend: this.forward, device: gpu.device, outputs });
    } catch (e) {
      plan?.destroy();
      throw e;
    }
    this.unload();
    this.model = { bytes, g, info: plan ? info : { ...info, canExplain: false }, runner, plan, planError };
    return this.model.info;
  }

  async setInput(input: Float32Array): Promise<Prediction> {
    const { g, info, runner, plan } = this.loaded();
    const gpu = this.gpu;
    const expected = info.inputDims.reduce((a, b) => a * b, 1);
    if (input.length !== expected)
      throw new Error(`setInput: ${input.length} values for input [${info.inputDims}]`);
    // The image comes planar; onnxruntime and the chain's input buffer take it in the model's layout.
    const image = imageInput(g);
    const modelInput = toModelLayout(input, image);
    const t0 = performance.now();
    const outputs = await runner.run(modelInput, image.dims);
    // onnxruntime submits to our queue: when that drains, its forward pass is done.
    if (this.profile) await this.phaseEnd('forward', t0);
    const t1 = performance.now();
    try {
      const encoder = gpu.device.createCommandEncoder({ label: 'forward' });
      const logitsName = plan?.logits ?? findLogits(g).logits;
      let logitsRead: { read(): Promise<Float32Array> };
      if (plan) {
        for (const name of plan.valueNames) {
          const ours = plan.buffers.value(name);
          if (name === info.inputName) {
            gpu.device.queue.writeBuffer(ours.buffer, 0, modelInput);
            continue;
          }
          const t = outputs.get(name);
          if (!t) throw new Error(`onnxruntime returned no value for '${name}'`);
          if (t.dims.reduce((a, b) => a * b, 1) * F32 !== ours.size) {
            throw new Error(
              `'${name}': onnxruntime gave [${t.dims}], the graph says [${plan.buffers.dims(name)}]`,
            );
          }
          if (t.gpuBuffer) encoder.copyBufferToBuffer(t.gpuBuffer, 0, ours.buffer, 0, ours.size);
          else gpu.device.queue.writeBuffer(ours.buffer, 0, await t.getData());
        }
        plan.recordExcitation(encoder);
        const l = plan.buffers.value(logitsName);
        logitsRead = gpu.readbacks.stage(encoder, l.buffer, 0, l.size, 'logits');
      } else {
        const t = outputs.get(logitsName);
        if (!t) throw new Error(`onnxruntime returned no value for the logits '${logitsName}'`);
        const bytes = t.dims.reduce((a, b) => a * b, 1) * F32;
        logitsRead = t.gpuBuffer
          ? gpu.readbacks.stage(encoder, t.gpuBuffer, 0, bytes, 'logits')
          : { read: () => t.getData() };
      }
      gpu.submit(encoder.finish());
      const logits = await logitsRead.read();
      if (this.profile) this.phases.excitation = performance.now() - t1;
      this.logits = Float64Array.from(logits);
      this.explained = false;
      return predictionFrom(logits);
    } finally {
      for (const t of outputs.values()) t.dispose();
    }
  }

  async explain(options: Partial<PaneOptions>): Promise<ExplanationStats> {
    const { info, plan, planError } = this.loaded();
    if (!plan)
      throw new Error(
        `${info.name}: the double chain cannot traverse this model${planError ? `: ${planError}` : ''}`,
      );
    if (!this.logits) throw new Error('explain: no input');
    const gpu = this.gpu;
    const t0 = performance.now();
    const opts = effectiveOptions(options);
    const head = headSetup(this.logits, plan.terminal, opts);
    plan.configure(opts, head);
    let encoder = gpu.device.createCommandEncoder({ label: 'explain' });
    plan.recordChain(encoder);
    let tMaps = t0;
    if (this.profile) {
      gpu.submit(encoder.finish());
      await this.phaseEnd('chain', t0);
      tMaps = performance.now();
      encoder = gpu.device.createCommandEncoder({ label: 'explain maps' });
    }
    plan.recordMaps(encoder);
    const stats = gpu.readbacks.stage(
      encoder,
      plan.maps.stats,
      0,
      plan.layers.length * 4 * F32,
      'explain-stats',
    );
    gpu.submit(encoder.finish());
    const values = plan.maps.parseStats(await stats.read());
    this.layerValues = values;
    this.generation++;
    const t1 = performance.now();
    if (this.profile) this.phases.maps = t1 - tMaps;
    this.explained = true;
    const layers: LayerStats[] = values.map((s, i) => ({
      tensor: plan.layers[i].tensor,
      corrPN: s.corrPN,
      netRatio: s.sumT > 0 ? Math.abs(s.sumR) / s.sumT : 0,
      sumT: s.sumT,
      sumR: s.sumR,
    }));
    const logitsIndex = plan.layers.findIndex((l) => l.tensor === plan.logits);
    const mass = head.mass === 'excitation' ? values[logitsIndex].sumT : head.mass;
    return {
      target: head.target,
      options: opts,
      fluxAtInputPlusSinks: plan.fluxPlusSinks(
        values.map((v) => v.sumT),
        opts,
      ),
      mass,
      layers,
      timingsMs: { chain: t1 - t0 },
    };
  }

  /** Waits for the queue to drain and records the phase that began at `since`. */
  private async phaseEnd(phase: keyof EnginePhases, since: number): Promise<void> {
    await this.gpu.device.queue.onSubmittedWorkDone();
    this.phases[phase] = performance.now() - since;
  }

  private slotOf(plan: ModelPlan, layer: string) {
    const slot = plan.maps.slots.find((s) => s.layer.tensor === layer);
    if (!slot) throw new Error(`unknown layer '${layer}'`);
    return slot;
  }

  private explainedPlan(): { plan: ModelPlan; info: ModelInfo } {
    const { plan, info } = this.loaded();
    if (!plan || !this.explained) throw new Error('no explanation yet: call explain first');
    return { plan, info };
  }

  async render(canvas: HTMLCanvasElement | OffscreenCanvas, view: ViewSpec): Promise<RenderInfo> {
    const { plan, info } = this.explainedPlan();
    const gpu = this.gpu;
    const [height, width] = [info.inputDims[2], info.inputDims[3]];
    const source = this.sourceOf(plan, view);
    const resampled = this.views.get({
      slot: source.slot,
      kind: source.kind,
      width,
      height,
      clipPercentile: view.clipPercentile,
      // A final map is one map: it has no P / N pair to share a scale with.
      shared: view.normalization === 'shared' && !source.finalMap,
      finalMap: source.finalMap,
    });
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const signed = source.signed;
    const colormap = resolveColormap({ colormap: view.colormap, signed });
    const encoder = gpu.device.createCommandEncoder({ label: 'render' });
    source.record(encoder);
    resampled.record(encoder);
    const spec = { view: resampled, mapWidth: width, mapHeight: height, signed, colormap, gamma: view.gamma };
    const image = this.presents ? null : this.renderer.drawToImage(encoder, width, height, spec);
    if (this.presents) this.renderer.drawToCanvas(encoder, canvas, spec);
    const range = gpu.readbacks.stage(encoder, resampled.range.buffer, 0, 8 * F32, 'render-scale');
    gpu.submit(encoder.finish());
    if (image) {
      const ctx = canvas.getContext('2d') as
        CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
      if (!ctx) throw new Error('cannot draw: the canvas has no 2-D context');
      ctx.putImageData(new ImageData(await image.read(), width, height), 0, 0);
    }
    return { signed, scale: displayScale(await range.read(), resampled.scaleSlots), colormap };
  }

  async readMap(
    view: Pick<ViewSpec, 'layer' | 'kind' | 'finalMap'>,
    size?: { width: number; height: number },
  ): Promise<MapData> {
    const { plan, info } = this.explainedPlan();
    const gpu = this.gpu;
    const width = size?.width ?? info.inputDims[3];
    const height = size?.height ?? info.inputDims[2];
    const source = this.sourceOf(plan, view);
    const resampled = this.views.get({
      slot: source.slot,
      kind: source.kind,
      width,
      height,
      clipPercentile: null,
      shared: false,
      finalMap: source.finalMap,
    });
    const encoder = gpu.device.createCommandEncoder({ label: 'read map' });
    source.record(encoder);
    resampled.record(encoder);
    const read = gpu.readbacks.stage(encoder, resampled.values.buffer, 0, resampled.values.size, 'map');
    gpu.submit(encoder.finish());
    return { width, height, data: await read.read(), signed: source.signed };
  }

  /**
   * What a view shows: a layer's own maps, or at the graph input a final-map construction (computed on
   * the GPU once per explanation, then only resampled and coloured like any layer).
   */
  private sourceOf(plan: ModelPlan, view: Pick<ViewSpec, 'layer' | 'kind' | 'finalMap'>) {
    const slot = this.slotOf(plan, view.layer);
    const name = view.finalMap;
    if (!name || !isFinalView(slot.layer, name))
      return { slot, kind: view.kind, signed: isSigned(view.kind), finalMap: undefined, record: () => {} };
    let built = this.finalMaps.get(name);
    if (!built) this.finalMaps.set(name, (built = finalMapSlot(this.gpu, plan.maps.slots, name)));
    const final = built;
    return {
      slot: final.slot,
      kind: final.view,
      signed: finalMapSigned(name),
      finalMap: name,
      record: (encoder: GPUCommandEncoder) => final.record(encoder, this.generation, this.layerValues),
    };
  }

  /**
   * The double chain (T, R) of one layer as the GPU has it after explain (a diagnostic readback, labelled
   * 'flux'; the hot path never calls it). The CLI writes its files from these exactly as from the float64
   * reference's flux.
   */
  async readFlux(layer: string): Promise<Flux> {
    const { plan } = this.explainedPlan();
    if (!plan.layers.some((l) => l.tensor === layer)) throw new Error(`unknown layer '${layer}'`);
    const f = plan.buffers.flux(layer);
    const encoder = this.gpu.device.createCommandEncoder({ label: 'read flux' });
    const read = this.gpu.readbacks.stage(encoder, f.buffer, f.offset ?? 0, f.size, 'flux');
    this.gpu.submit(encoder.finish());
    const data = await read.read();
    const n = plan.buffers.dims(layer).reduce((a, b) => a * b, 1);
    const flux = { T: new Float64Array(n), R: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      flux.T[i] = data[2 * i];
      flux.R[i] = data[2 * i + 1];
    }
    return flux;
  }

  private unload(): void {
    this.views.clear();
    for (const f of this.finalMaps.values()) f.destroy();
    this.finalMaps.clear();
    this.model?.plan?.destroy();
    this.model?.runner.dispose();
    this.model = null;
    this.logits = null;
    this.explained = false;
  }

  dispose(): void {
    this.unload();
    this.renderer.destroy();
    this.gpu.dispose();
  }
}
