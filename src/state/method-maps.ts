/**
 * Baseline methods' maps in the panes and the all-methods grid, cached per model, input, class and method,
 * and drawn on the CPU with the display settings of the PANE views (clip percentile, contrast, colormap), so
 * every map on screen is coloured the same way. The gradient methods run on the WebGPU engine's device where
 * map-placement.ts says so (the compiled gradient graph on onnxruntime's webgpu backend), falling back to the
 * evaluation worker when that fails; everything else runs in the worker (the same code and settings as
 * `panescope evaluate`). Each map says which backend computed it.
 *
 * Like the controller it watches the store and catches up (catch-up.ts); the latest request wins.
 */
import type { EvaluationSnapshot, Evaluator, MapProgress } from '../engine/evaluator';
import type { GpuGradientMaps } from '../engine/gpu-gradient-maps';
import type { MapData } from '../engine/types';
import { StaleModelError } from '../engine/stale-model-error';
import { renderMapData } from '../engine/views';
import type { AppController } from './controller';
import { placeMap, type GradientPreference, type MapSource } from './map-placement';
import { methodSigned, type BaselineMethod, type DisplayMethod } from './methods';
import type { CanvasSlot, MethodView } from './slices/result-slice';
import type { AppState, AppStore } from './store';
import { CatchUp } from './catch-up';
import { describeError, UserError } from './user-error';

const SLOTS: readonly CanvasSlot[] = ['main', 'compare'];
/** Maps kept (each 224 x 224 float32 is 200 KB): the grid's nine for two classes or images. */
const CACHE_SIZE = 24;

/** A method's map and which backend computed it (PANE's: the engine). */
export type MethodMap = MapData & { source: MapSource | null };

interface Computed {
  data: Float32Array;
  source: MapSource;
}

export class MethodMaps {
  private readonly cache = new Map<string, Promise<Computed>>();
  /** Why WebGPU failed for a model on a device: its maps go to the worker from then on. */
  private gpuFailure: { model: string; device: GPUDevice; message: string } | null = null;
  private readonly canvases = new Map<CanvasSlot, HTMLCanvasElement>();
  /** What each slot's canvas shows (map key and display), to draw only on change. */
  private readonly drawn = new Map<CanvasSlot, string>();
  private readonly catchUp: CatchUp;

  constructor(
    private readonly store: AppStore,
    private readonly controller: AppController,
    private readonly evaluator: Evaluator,
    private readonly gpuMaps: GpuGradientMaps,
    private readonly preference: GradientPreference = 'auto',
  ) {
    this.catchUp = new CatchUp(store, requestFields, async () => {
      for (const slot of SLOTS) await this.step(slot);
    });
  }

  start(): () => void {
    return this.catchUp.start();
  }

  attachCanvas(slot: CanvasSlot, canvas: HTMLCanvasElement): void {
    this.canvases.set(slot, canvas);
    this.drawn.delete(slot);
    this.schedule();
  }

  detachCanvas(slot: CanvasSlot, canvas: HTMLCanvasElement): void {
    if (this.canvases.get(slot) !== canvas) return;
    this.canvases.delete(slot);
    this.drawn.delete(slot);
  }

  canvas(slot: CanvasSlot): HTMLCanvasElement | null {
    return this.canvases.get(slot) ?? null;
  }

  whenIdle(): Promise<void> {
    return this.catchUp.whenIdle();
  }

  /**
   * The map of `method` for the explanation on screen (H x W at the input resolution): a baseline (from the
   * GPU or the worker), or PANE's final map (the construction the view shows) as the engine holds it.
   * `onSource` hears which backend computes a baseline when it starts (again if WebGPU fails and the worker
   * takes over).
   */
  async map(
    method: DisplayMethod,
    onProgress?: (p: MapProgress) => void,
    onSource?: (source: MapSource) => void,
  ): Promise<MethodMap> {
    await this.controller.whenIdle();
    const current = this.controller.evaluationSnapshot();
    const model = this.store.getState().model;
    if (!current || !model) throw new UserError('There is no explanation on screen yet.');
    if (method === 'pane') return { ...(await this.controller.readPaneMap()), source: null };
    const [, , height, width] = model.inputDims;
    const key = `${current.baselineKey}|${method}`;
    let data = this.cache.get(key);
    if (!data) {
      data = this.compute(current.snapshot, method, onProgress, onSource);
      this.cache.set(key, data);
      // A failed map is not kept; the oldest maps go first.
      data.catch(() => this.cache.get(key) === data && this.cache.delete(key));
      while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    }
    const computed = await data;
    return { width, height, data: computed.data, signed: methodSigned(method), source: computed.source };
  }

  private async compute(
    snap: EvaluationSnapshot,
    method: BaselineMethod,
    onProgress: (p: MapProgress) => void = () => {},
    onSource: (source: MapSource) => void = () => {},
  ): Promise<Computed> {
    const gpu = this.controller.gpuDevice();
    const failure = this.gpuFailure;
    const failed =
      gpu && failure?.model === snap.modelKey && failure.device === gpu.device ? failure.message : null;
    const source = placeMap(method, gpu, this.preference, failed);
    if (gpu && source.backend === 'webgpu') {
      onSource(source);
      try {
        const model = { key: snap.modelKey, bytes: snap.modelBytes };
        return { data: await this.gpuMaps.map(model, gpu, snap.image, method, onProgress), source };
      } catch (e) {
        // The engine holds another model by now: this request is stale, WebGPU did not fail on this one.
        if (e instanceof StaleModelError) throw e;
        // An op the webgpu backend lacks, a lost device: the worker computes it, and every later map of
        // this model on this device.
        const message = e instanceof Error ? e.message : String(e);
        console.warn(`${method} on WebGPU failed, computing it in the worker: ${message}`);
        this.gpuFailure = { model: snap.modelKey, device: gpu.device, message };
        return this.compute(snap, method, onProgress, onSource);
      }
    }
    onSource(source);
    return { data: await this.evaluator.baselineMap(snap, method, onProgress), source };
  }

  private schedule(): void {
    this.catchUp.schedule();
  }

  private async step(slot: CanvasSlot): Promise<void> {
    const s = this.store.getState();
    const method = slotMethod(s, slot);
    if (method === null) {
      if (s.methodViews[slot]) s.setMethodView(slot, null);
      this.drawn.delete(slot);
      return;
    }
    const current = s.explanation ? this.controller.evaluationSnapshot() : null;
    const canvas = this.canvases.get(slot);
    if (!current || !canvas) return;
    const key = `${current.baselineKey}|${method}`;
    const display = { clipPercentile: s.clipPercentile, colormap: s.colormap, gamma: s.gamma };
    const drawKey = `${key}|${JSON.stringify(display)}`;
    if (this.drawn.get(slot) === drawKey && s.methodViews[slot]?.key === key) return;
    const view = { method, key, info: null, message: null };
    if (!this.cache.has(key))
      s.setMethodView(slot, { ...view, status: 'computing', progress: null, source: null });
    try {
      // Progress and the computing backend, while this slot still asks for this map.
      const update = (change: Partial<MethodView>) => {
        const shown = this.store.getState().methodViews[slot];
        if (shown?.key === key && shown.status === 'computing')
          this.store.getState().setMethodView(slot, { ...shown, ...change });
      };
      const map = await this.map(
        method,
        (progress) => update({ progress }),
        (source) => update({ source, progress: null }),
      );
      // The request moved on while the map was computed: the next pass draws what is asked now.
      if (slotMethod(this.store.getState(), slot) !== method) return;
      const { rgba, info } = renderMapData(map, display);
      if (canvas.width !== map.width) canvas.width = map.width;
      if (canvas.height !== map.height) canvas.height = map.height;
      canvas
        .getContext('2d')
        ?.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, map.width, map.height), 0, 0);
      this.drawn.set(slot, drawKey);
      this.store
        .getState()
        .setMethodView(slot, { ...view, status: 'ready', progress: null, info, source: map.source });
    } catch (e) {
      this.drawn.set(slot, drawKey);
      const message = describeError(`The ${method} map could not be computed`, e);
      this.store
        .getState()
        .setMethodView(slot, { ...view, status: 'failed', progress: null, message, source: null });
    }
  }
}

/** The baseline a slot shows, or null where it shows PANE (or the compare pane is closed). */
function slotMethod(s: AppState, slot: CanvasSlot): BaselineMethod | null {
  const method = slot === 'main' ? s.method : (s.compare?.method ?? 'pane');
  return method === 'pane' ? null : method;
}

function requestFields(s: AppState) {
  return [s.explanation, s.method, s.compare, s.clipPercentile, s.colormap, s.gamma];
}

/** The colour-bar scale of what a pane shows: the baseline's map where it shows one, else PANE's view. */
export function shownInfo(s: AppState, slot: CanvasSlot) {
  return slotMethod(s, slot) === null
    ? (s.rendered[slot]?.info ?? null)
    : (s.methodViews[slot]?.info ?? null);
}
