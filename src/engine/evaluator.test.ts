import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EvalRequest } from './eval-protocol';
import { Evaluator, type EvaluationSnapshot } from './evaluator';

/** A worker that answers every request with success and records what it was sent. */
class FakeWorker {
  static sent: EvalRequest[] = [];
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  postMessage(req: EvalRequest) {
    FakeWorker.sent.push(req);
    const value = req.method === 'perturbed' ? { input: new Float32Array(1), probability: 0.5 } : null;
    queueMicrotask(() => this.onmessage?.({ data: { id: req.id, ok: true, value } } as MessageEvent));
  }
  terminate() {}
}

function snapshot(key: string): EvaluationSnapshot {
  return {
    modelKey: 'm',
    modelBytes: new Uint8Array(4),
    image: {
      key,
      x: new Float32Array(4),
      geo: { C: 1, H: 2, W: 2 },
      norm: { mean: [0], std: [1] },
      target: 0,
    },
    paneMap: () => Promise.resolve(new Float32Array(4)),
  };
}

describe('Evaluator (the Evaluate panel client)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeWorker.sent = [];
  });

  it('sends the model once, and an image and its map again when the panel comes back to it', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const evaluator = new Evaluator();
    for (const key of ['a', 'b', 'a']) await evaluator.perturbed(snapshot(key), 'pane', 'deletion', 0.5);
    const steps = FakeWorker.sent.map((r) =>
      r.method === 'setImage' ? `image ${r.image.key}` : r.method === 'setMap' ? `map ${r.key}` : r.method,
    );
    expect(steps).toEqual([
      'loadModel',
      'image a',
      'map a',
      'perturbed',
      'image b',
      'map b',
      'perturbed',
      'image a',
      'map a',
      'perturbed',
    ]);
    evaluator.dispose();
  });
});
