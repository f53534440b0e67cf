import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/cli/worker-pool';

const entry = new URL('./crashing-worker.mjs', import.meta.url);
type Result = { threadId: number; handled: number };

describe('WorkerPool', () => {
  it('replaces a worker that crashed or exited instead of handing it the next task', async () => {
    const pool = await WorkerPool.start<string, Result>({ entry, workerData: null, size: 1 });
    try {
      const steps: string[] = [];
      const first = await pool.run('a', 'ok', (s) => steps.push(s));
      expect(steps).toEqual(['half']);
      expect(first.handled).toBe(1);

      // A reported failure keeps the worker: it is healthy.
      await expect(pool.run('b', 'fail')).rejects.toThrow('bad input');
      expect((await pool.run('c', 'ok')).threadId).toBe(first.threadId);

      // A crash fails its task; the task queued behind it runs on a fresh worker.
      const [crashed, next] = await Promise.allSettled([pool.run('d', 'crash'), pool.run('e', 'ok')]);
      expect(crashed.status).toBe('rejected');
      expect(String((crashed as PromiseRejectedResult).reason)).toMatch(/the worker crashed: boom/);
      const fresh = (next as PromiseFulfilledResult<Result>).value;
      expect(fresh.threadId).not.toBe(first.threadId);
      expect(fresh.handled).toBe(1);

      await expect(pool.run('f', 'exit')).rejects.toThrow(/the worker exited \(code 3\)/);
      const third = await pool.run('g', 'ok');
      expect(new Set([first.threadId, fresh.threadId, third.threadId]).size).toBe(3);
      expect(third.handled).toBe(1);
      expect(pool.replaced).toBe(2);
    } finally {
      await pool.close();
    }
  }, 30_000);
});
