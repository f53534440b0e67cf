/**
 * The ort engine, used where WebGPU is missing (backend 'ort'): CpuCompute in a worker (onnxruntime-web wasm forward, double
 * chain compiled to a float32 ONNX graph on the same backend), with the maps drawn into a 2-D canvas.
 */
import type { PaneOptions } from '../core/pane/options';
import type { OrtRequest, OrtResponse } from './ort-protocol';
import type {
  ExplanationStats,
  MapData,
  ModelInfo,
  Prediction,
  RenderInfo,
  SaliencyEngine,
  ViewSpec,
} from './types';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Body = OrtRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class OrtEngine implements SaliencyEngine {
  readonly backend = 'ort' as const;
  readonly description = 'onnxruntime-web wasm on the CPU: forward pass and float32 chain graph, in a worker';
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./ort-worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<OrtResponse>) => {
      const res = event.data;
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.value);
      else p.reject(new Error(res.error));
    };
    this.worker.onerror = (event) => {
      const error = new Error(`ort engine worker failed: ${event.message}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  private call<T>(body: Body, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, ...body }, transfer);
    });
  }

  loadModel(bytes: Uint8Array, name: string): Promise<ModelInfo> {
    // A copy travels to the worker, so the caller keeps its bytes (e.g. for a later reload).
    return this.call({ method: 'loadModel', bytes: bytes.slice(), name });
  }

  setInput(input: Float32Array): Promise<Prediction> {
    return this.call({ method: 'setInput', input: input.slice() });
  }

  explain(options: Partial<PaneOptions>): Promise<ExplanationStats> {
    return this.call({ method: 'explain', options });
  }

  readMap(
    view: Pick<ViewSpec, 'layer' | 'kind' | 'finalMap'>,
    size?: { width: number; height: number },
  ): Promise<MapData> {
    return this.call({
      method: 'readMap',
      view: { layer: view.layer, kind: view.kind, finalMap: view.finalMap },
      size,
    });
  }

  async render(canvas: HTMLCanvasElement | OffscreenCanvas, view: ViewSpec): Promise<RenderInfo> {
    const r = await this.call<{
      rgba: Uint8ClampedArray<ArrayBuffer>;
      width: number;
      height: number;
      info: RenderInfo;
    }>({ method: 'render', view });
    canvas.width = r.width;
    canvas.height = r.height;
    const ctx = canvas.getContext('2d') as
      CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
    if (!ctx) throw new Error('cannot draw: the canvas has no 2-D context');
    ctx.putImageData(new ImageData(r.rgba, r.width, r.height), 0, 0);
    return r.info;
  }

  dispose(): void {
    this.worker.terminate();
    const error = new Error('engine disposed');
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
