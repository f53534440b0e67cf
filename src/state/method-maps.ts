/**
 * Baseline methods' maps in the panes and the all-methods grid: computed by the evaluation worker (the same
 * code and settings as `panescope evaluate`, on the compiled float32 gradient graph where the model
 * compiles), cached per model, input, class and method, and drawn on the CPU with the display settings of
 * the PANE views (clip percentile, contrast, colormap), so every map on screen is coloured the same way.
 *
 * Like the controller it watches the store and catches up (catch-up.ts); the latest request wins.
 */
import type { Evaluator, MapProgress } from '../engine/evaluator';
import type { MapData } from '../engine/types';
import { renderMapData } from '../engine/views';
import type { AppController } from './controller';
import { methodSigned, type BaselineMethod, type DisplayMethod } from './methods';
import type { CanvasSlot } from './slices/result-slice';
import type { AppState, AppStore } from './store';
import { CatchUp } from './catch-up';
import { describeError, UserError } from './user-error';

const SLOTS: readonly CanvasSlot[] = ['main', 'compare'];
/** Maps kept (each 224 x 224 float32 is 200 KB): the grid's nine for two classes or images. */
const CACHE_SIZE = 24;

export class MethodMaps {
  private readonly cache = new Map<string, Promise<Float32Array>>();
  private readonly canvases = new Map<CanvasSlot, HTMLCanvasElement>();
  /** What each slot's canvas shows (map key and display), to draw only on change. */
  private readonly drawn = new Map<CanvasSlot, string>();
  private readonly catchUp: CatchUp;

  constructor(
    private readonly store: AppStore,
    private readonly controller: AppController,
    private readonly evaluator: Evaluator,
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
   * The map of `method` for the explanation on screen (H x W at the input resolution): a baseline from the
   * worker, or PANE's final map (the construction the view shows) as the engine holds it.
   */
  async map(method: DisplayMethod, onProgress?: (p: MapProgress) => void): Promise<MapData> {
    await this.controller.whenIdle();
    const current = this.controller.evaluationSnapshot();
    const model = this.store.getState().model;
    if (!current || !model) throw new UserError('There is no explanation on screen yet.');
    if (method === 'pane') return this.controller.readPaneMap();
    const [, , height, width] = model.inputDims;
    const key = `${current.baselineKey}|${method}`;
    let data = this.cache.get(key);
    if (!data) {
      data = this.evaluator.baselineMap(current.snapshot, method, onProgress);
      this.cache.set(key, data);
      // A failed map is not kept; the oldest maps go first.
      data.catch(() => this.cache.get(key) === data && this.cache.delete(key));
      while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    }
    return { width, height, data: await data, signed: methodSigned(method) };
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
    if (!this.cache.has(key)) s.setMethodView(slot, { ...view, status: 'computing', progress: null });
    try {
      const map = await this.map(method, (progress) => {
        if (this.store.getState().methodViews[slot]?.key === key)
          this.store.getState().setMethodView(slot, { ...view, status: 'computing', progress });
      });
      // The request moved on while the map was computed: the next pass draws what is asked now.
      if (slotMethod(this.store.getState(), slot) !== method) return;
      const { rgba, info } = renderMapData(map, display);
      if (canvas.width !== map.width) canvas.width = map.width;
      if (canvas.height !== map.height) canvas.height = map.height;
      canvas
        .getContext('2d')
        ?.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, map.width, map.height), 0, 0);
      this.drawn.set(slot, drawKey);
      this.store.getState().setMethodView(slot, { ...view, status: 'ready', progress: null, info });
    } catch (e) {
      this.drawn.set(slot, drawKey);
      const message = describeError(`The ${method} map could not be computed`, e);
      this.store.getState().setMethodView(slot, { ...view, status: 'failed', progress: null, message });
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
