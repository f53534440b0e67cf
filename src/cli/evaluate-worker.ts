/**
 * Worker of `panescope evaluate --jobs N`: loads the model once, then evaluates the images it is sent,
 * reporting progress and each finished record to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel, runImageTask, type EvaluationConfig, type ImageTask } from './evaluate-job';

export type WorkerRequest = { kind: 'image'; task: ImageTask } | { kind: 'stop' };
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'progress'; id: string; step: string }
  | { kind: 'done'; id: string; record: unknown }
  | { kind: 'failed'; id: string; error: string };

const { modelBytes, config } = workerData as { modelBytes: Uint8Array; config: EvaluationConfig };
const port = parentPort!;
const model = await loadModel(modelBytes, config);
port.postMessage({ kind: 'ready' } satisfies WorkerReply);
port.on('message', (msg: WorkerRequest) => {
  if (msg.kind === 'stop') {
    model.dispose();
    port.close();
    return;
  }
  const { task } = msg;
  runImageTask(model, task, config, (step) =>
    port.postMessage({ kind: 'progress', id: task.id, step } satisfies WorkerReply),
  )
    .then((record) => port.postMessage({ kind: 'done', id: task.id, record } satisfies WorkerReply))
    .catch((e: unknown) =>
      port.postMessage({
        kind: 'failed',
        id: task.id,
        error: e instanceof Error ? e.message : String(e),
      } satisfies WorkerReply),
    );
});
