/**
 * Worker side of the Evaluate panel: an EvaluationSession per loaded model. Requests run concurrently
 * (src/runtime serialises the onnxruntime runs, so the slider's preview slips in between the batches of a
 * running curve); 'cancel' stops a curve after its current batch. Everything here runs on onnxruntime's
 * wasm backend: it leaves the page's GPU device to the engine, and on software adapters it is many times
 * faster than webgpu (the gradient graph runs on webgpu too: cpu-graph/gradient.browser.test.ts).
 */
import { loadGraph } from '../core/onnx';
import type { IrGraph } from '../core/onnx/ir';
import { createLogitPredictor } from '../runtime/predictor';
import { GradientRunner } from './cpu-graph/gradient-runner';
import type { EvalRequest, EvalResponse } from './eval-protocol';
import { EvaluationSession, LIVE_BATCH } from './eval-session';

let session: { key: string; value: Promise<Opened> } | null = null;
/** Curve requests still running, and those asked to stop. */
const running = new Set<number>();
const cancelled = new Set<number>();

const post = (msg: EvalResponse, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(msg, transfer);

interface Opened {
  evaluation: EvaluationSession;
  /** Releases the onnxruntime sessions (a new model replaces this one). */
  release: () => void;
}

async function open(bytes: Uint8Array): Promise<Opened> {
  const g = loadGraph(bytes);
  const { runner, predict } = await createLogitPredictor(bytes, g, LIVE_BATCH);
  const gradients = await compiledGradients(g, bytes);
  return {
    evaluation: new EvaluationSession(g, predict, gradients),
    release: () => {
      runner.dispose();
      gradients?.dispose();
    },
  };
}

/** The float32 gradient graph on wasm, or null where the model does not compile (float64 then). */
async function compiledGradients(g: IrGraph, bytes: Uint8Array): Promise<GradientRunner | null> {
  try {
    return await GradientRunner.create(g, { backend: 'wasm', model: bytes });
  } catch (e) {
    console.info(`gradient baselines on the float64 adjoints: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

async function current(): Promise<EvaluationSession> {
  if (!session) throw new Error('no model has been handed to the evaluation');
  return (await session.value).evaluation;
}

async function handle(req: EvalRequest): Promise<{ value: unknown; transfer: Transferable[] }> {
  switch (req.method) {
    case 'loadModel':
      if (session?.key !== req.key) {
        const previous = session?.value;
        const value = open(req.bytes);
        session = { key: req.key, value };
        previous?.then((p) => p.release()).catch(() => {});
        // A model that failed to load is not kept: the next request with it tries again.
        value.catch(() => session?.value === value && (session = null));
      }
      await session.value;
      return { value: null, transfer: [] };
    case 'setImage':
      (await current()).setImage(req.image);
      return { value: null, transfer: [] };
    case 'setMap':
      (await current()).setMap(req.key, req.evaluated, req.map);
      return { value: null, transfer: [] };
    case 'curve': {
      const evaluation = await current();
      running.add(req.id);
      try {
        await evaluation.curve(
          req.key,
          req.evaluated,
          req.kind,
          req.steps,
          (points) => post({ id: req.id, points }),
          () => cancelled.has(req.id),
        );
      } finally {
        running.delete(req.id);
        cancelled.delete(req.id);
      }
      return { value: null, transfer: [] };
    }
    case 'map': {
      const map = await (
        await current()
      ).baseline(req.key, req.evaluated, (progress) => post({ id: req.id, progress }));
      return { value: map, transfer: [map.buffer] };
    }
    case 'perturbed': {
      const p = await (await current()).perturbed(req.key, req.evaluated, req.kind, req.fraction);
      return { value: p, transfer: [p.input.buffer] };
    }
    case 'cancel':
      if (running.has(req.target)) cancelled.add(req.target);
      return { value: null, transfer: [] };
  }
}

self.onmessage = (event: MessageEvent<EvalRequest>) => {
  const req = event.data;
  handle(req).then(
    ({ value, transfer }) => post({ id: req.id, ok: true, value }, transfer),
    (e: unknown) => post({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
};
