/**
 * Worker of `panescope evaluate --jobs N` (the protocol of worker-pool.ts): loads the model once, then
 * evaluates the images it is sent, reporting progress and each finished record to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel, runImageTask, type EvaluationConfig, type ImageTask } from './evaluate-job';
import type { PoolReply, PoolRequest } from './worker-pool';

const { modelBytes, config, threads } = workerData as {
  modelBytes: Uint8Array;
  config: EvaluationConfig;
  threads: number;
};
const port = parentPort!;
const model = await loadModel(modelBytes, config, threads);
port.postMessage({ kind: 'ready' } satisfies PoolReply<unknown>);
port.on('message', (msg: PoolRequest<ImageTask>) => {
  if (msg.kind === 'stop') {
    model.dispose();
    port.close();
    return;
  }
  const { id, payload: task } = msg;
  runImageTask(model, task, config, (step) =>
    port.postMessage({ kind: 'progress', id, step } satisfies PoolReply<unknown>),
  )
    .then((result) => port.postMessage({ kind: 'done', id, result } satisfies PoolReply<unknown>))
    .catch((e: unknown) =>
      port.postMessage({
        kind: 'failed',
        id,
        error: e instanceof Error ? e.message : String(e),
      } satisfies PoolReply<unknown>),
    );
});
