// A worker of the worker-pool protocol for tests: 'ok' answers with its thread id and how many tasks it has
// run, 'fail' reports a failure, 'crash' throws outside any handler, 'exit' ends the thread.
import { exit } from 'node:process';
import { setImmediate } from 'node:timers';
import { parentPort, threadId } from 'node:worker_threads';

let handled = 0;
parentPort.postMessage({ kind: 'ready' });
parentPort.on('message', (msg) => {
  if (msg.kind === 'stop') return parentPort.close();
  const { id, payload } = msg;
  handled++;
  if (payload === 'crash')
    setImmediate(() => {
      throw new Error('boom');
    });
  else if (payload === 'exit') exit(3);
  else if (payload === 'fail') parentPort.postMessage({ kind: 'failed', id, error: 'bad input' });
  else {
    parentPort.postMessage({ kind: 'progress', id, step: 'half' });
    parentPort.postMessage({ kind: 'done', id, result: { threadId, handled } });
  }
});
