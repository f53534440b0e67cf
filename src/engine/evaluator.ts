/**
 * The page side of the Evaluate panel: a client of the evaluation worker (eval-worker.ts), started on first
 * use. Each call names the model, image and map it is about (a snapshot taken by the caller); what the
 * worker lacks of it is sent first, once.
 */
import type { CurveKind } from '../core/eval/map-metrics';
import type { EvalRequest, EvalResponse } from './eval-protocol';
import type { MethodId } from '../core/baselines/methods';
import type { CurvePoint, EvaluationImage, EvaluationMethod, MapProgress } from './eval-session';

export type { CurvePoint, EvaluationImage, EvaluationMethod, MapProgress };

export interface EvaluationSnapshot {
  modelKey: string;
  modelBytes: Uint8Array;
  image: EvaluationImage;
  /** The explanation map on screen (H x W at the input resolution): read once, when PANE is evaluated. */
  paneMap: () => Promise<Float32Array>;
}

type Body = EvalRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onPoints?: (points: CurvePoint[]) => void;
  onProgress?: (progress: MapProgress) => void;
}

export class Evaluator {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** What the worker holds, as promises so that concurrent callers send each thing once. */
  private prepared = new Map<string, Promise<void>>();

  /** Scores the curve of `method`, `steps` equal steps, reporting points as they come; stops on abort. */
  async curve(
    snap: EvaluationSnapshot,
    method: EvaluationMethod,
    kind: CurveKind,
    steps: number,
    onPoints: (points: CurvePoint[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    await this.prepare(snap, method);
    if (signal.aborted) return;
    const id = this.nextId++;
    const done = this.send<void>(
      id,
      { method: 'curve', key: snap.image.key, evaluated: method, kind, steps },
      [],
      {
        onPoints: (points) => !signal.aborted && onPoints(points),
      },
    );
    const cancel = () => void this.send(this.nextId++, { method: 'cancel', target: id }).catch(() => {});
    signal.addEventListener('abort', cancel, { once: true });
    try {
      await done;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  /** A baseline's map of the snapshot's image and class (H x W, the input resolution), computed in the worker. */
  async baselineMap(
    snap: EvaluationSnapshot,
    method: MethodId,
    onProgress: (progress: MapProgress) => void = () => {},
  ): Promise<Float32Array> {
    await this.prepare(snap, method);
    return this.send(this.nextId++, { method: 'map', key: snap.image.key, evaluated: method }, [], {
      onProgress,
    });
  }

  /** The model input with `fraction` of the pixels removed (deletion) or inserted, and p(class). */
  async perturbed(
    snap: EvaluationSnapshot,
    method: EvaluationMethod,
    kind: CurveKind,
    fraction: number,
  ): Promise<{ input: Float32Array; probability: number }> {
    await this.prepare(snap, method);
    return this.send(this.nextId++, {
      method: 'perturbed',
      key: snap.image.key,
      evaluated: method,
      kind,
      fraction,
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.failAll(new Error('the evaluation was closed'));
  }

  private prepare(snap: EvaluationSnapshot, method: EvaluationMethod): Promise<void> {
    const model = `model|${snap.modelKey}`;
    const image = `image|${snap.modelKey}|${snap.image.key}`;
    const map = `map|${snap.modelKey}|${snap.image.key}`;
    const steps: [string, () => Promise<void>][] = [
      [model, () => this.call({ method: 'loadModel', key: snap.modelKey, bytes: snap.modelBytes.slice() })],
      [image, () => this.call({ method: 'setImage', image: snap.image })],
    ];
    if (method === 'pane')
      steps.push([
        map,
        async () => {
          const data = await snap.paneMap();
          await this.call({ method: 'setMap', key: snap.image.key, evaluated: 'pane', map: data });
        },
      ]);
    // The worker holds one model and one image (with its maps): forget everything else an earlier snapshot
    // prepared, so that coming back to an earlier image sends it, and its map, again.
    const current = new Set([model, image, map]);
    for (const k of this.prepared.keys()) if (!current.has(k)) this.prepared.delete(k);
    return steps.reduce<Promise<void>>((before, [key, run]) => {
      return before.then(() => {
        let p = this.prepared.get(key);
        if (!p) {
          p = run();
          this.prepared.set(key, p);
          p.catch(() => this.prepared.get(key) === p && this.prepared.delete(key));
        }
        return p;
      });
    }, Promise.resolve());
  }

  private call(body: Body): Promise<void> {
    return this.send<void>(this.nextId++, body);
  }

  private send<T>(
    id: number,
    body: Body,
    transfer: Transferable[] = [],
    extra: Partial<Pending> = {},
  ): Promise<T> {
    const worker = this.ensureWorker();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...extra });
      worker.postMessage({ id, ...body }, transfer);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./eval-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<EvalResponse>) => {
      const res = event.data;
      const p = this.pending.get(res.id);
      if (!p) return;
      if ('points' in res) {
        p.onPoints?.(res.points);
        return;
      }
      if ('progress' in res) {
        p.onProgress?.(res.progress);
        return;
      }
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.value);
      else p.reject(new Error(res.error));
    };
    worker.onerror = (event) => {
      // A crashed worker is replaced on the next call; what it held is sent again.
      this.worker = null;
      this.prepared.clear();
      this.failAll(new Error(`the evaluation worker failed: ${event.message}`));
    };
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
