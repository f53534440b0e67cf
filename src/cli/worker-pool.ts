/**
 * A fixed-size pool of worker threads that each take one task at a time (`panescope evaluate --jobs N`).
 *
 * The protocol: a worker posts { kind: 'ready' } once loaded; it is sent { kind: 'task', id, payload } and
 * answers { kind: 'progress', id, step } any number of times, then { kind: 'done', id, result } or
 * { kind: 'failed', id, error }; { kind: 'stop' } ends it.
 *
 * A worker that crashes (an uncaught error, or an exit, e.g. out of memory) fails the task it held and is
 * replaced by a fresh one: it is never handed another task, since its state (the loaded model, onnxruntime's
 * heap) cannot be trusted after a crash.
 */
import { Worker, type Transferable } from 'node:worker_threads';

export type PoolRequest<T> = { kind: 'task'; id: string; payload: T } | { kind: 'stop' };
export type PoolReply<R> =
  | { kind: 'ready' }
  | { kind: 'progress'; id: string; step: string }
  | { kind: 'done'; id: string; result: R }
  | { kind: 'failed'; id: string; error: string };

export interface WorkerPoolOptions {
  /** The worker's module. */
  entry: URL;
  /** Passed to every worker as workerData. */
  workerData: unknown;
  size: number;
}

export class WorkerPool<T, R> {
  private readonly idle: Worker[] = [];
  private readonly waiting: { resolve: (w: Worker) => void; reject: (e: unknown) => void }[] = [];
  /** Set when a crashed worker could not be replaced and none is left: every task then fails with it. */
  private broken: unknown = null;
  private readonly live = new Set<Worker>();
  private closed = false;
  /** Workers started to replace crashed ones (for tests and logs). */
  replaced = 0;

  private constructor(private readonly opts: WorkerPoolOptions) {}

  static async start<T, R>(opts: WorkerPoolOptions): Promise<WorkerPool<T, R>> {
    const pool = new WorkerPool<T, R>(opts);
    const started = await Promise.allSettled(Array.from({ length: opts.size }, () => pool.spawn()));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await pool.close();
      throw (failed as PromiseRejectedResult).reason;
    }
    for (const s of started) pool.idle.push((s as PromiseFulfilledResult<Worker>).value);
    return pool;
  }

  /** Runs one task on the next free worker; `transfer`: buffers of the payload to move, not copy. */
  async run(
    id: string,
    payload: T,
    onStep: (step: string) => void = () => {},
    transfer: Transferable[] = [],
  ): Promise<R> {
    const w = await this.acquire();
    let crashed = false;
    try {
      return await new Promise<R>((resolve, reject) => {
        const cleanup = () => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        };
        const onMessage = (m: PoolReply<R>) => {
          if (m.kind === 'progress' && m.id === id) onStep(m.step);
          else if ((m.kind === 'done' || m.kind === 'failed') && m.id === id) {
            cleanup();
            if (m.kind === 'done') resolve(m.result);
            else reject(new Error(m.error));
          }
        };
        const onError = (e: Error) => {
          crashed = true;
          cleanup();
          reject(new Error(`the worker crashed: ${e.message}`));
        };
        const onExit = (code: number) => {
          crashed = true;
          cleanup();
          reject(new Error(`the worker exited (code ${code})`));
        };
        w.on('message', onMessage);
        w.once('error', onError);
        w.once('exit', onExit);
        w.postMessage({ kind: 'task', id, payload } satisfies PoolRequest<T>, transfer);
      });
    } finally {
      if (crashed) this.replace(w);
      else this.release(w);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.live];
    for (const w of all) w.postMessage({ kind: 'stop' } satisfies PoolRequest<T>);
    await Promise.all(all.map((w) => w.terminate()));
    this.live.clear();
  }

  private spawn(): Promise<Worker> {
    return new Promise<Worker>((resolve, reject) => {
      const w = new Worker(this.opts.entry, { workerData: this.opts.workerData });
      this.live.add(w);
      const fail = (e: Error) => {
        this.live.delete(w);
        void w.terminate();
        reject(e);
      };
      w.once('error', fail);
      w.once('exit', (code) => fail(new Error(`the worker exited (code ${code}) before it was ready`)));
      w.once('message', (m: PoolReply<R>) => {
        w.removeAllListeners('error');
        w.removeAllListeners('exit');
        if (m.kind === 'ready') resolve(w);
        else fail(new Error(`the worker's first message was '${m.kind}', not 'ready'`));
      });
    });
  }

  /** Drops a crashed worker and starts another in its place; tasks waiting for a worker get it. */
  private replace(w: Worker): void {
    this.live.delete(w);
    void w.terminate();
    if (this.closed) return;
    this.replaced++;
    this.spawn().then(
      (fresh) => (this.closed ? void fresh.terminate() : this.release(fresh)),
      (e: unknown) => {
        // No replacement: when no worker is left, tasks fail rather than wait for ever.
        if (this.live.size > 0) return;
        this.broken = e;
        for (const { reject } of this.waiting.splice(0)) reject(e);
      },
    );
  }

  private acquire(): Promise<Worker> {
    return new Promise<Worker>((resolve, reject) => {
      if (this.idle.length) resolve(this.idle.pop()!);
      else if (this.broken !== null) reject(this.broken);
      else this.waiting.push({ resolve, reject });
    });
  }

  private release(w: Worker): void {
    if (this.closed) return;
    if (this.waiting.length) this.waiting.shift()!.resolve(w);
    else this.idle.push(w);
  }
}
