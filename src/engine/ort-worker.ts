/**
 * Worker side of the ort engine: the forward pass and the compiled float32 chain run on onnxruntime's wasm
 * backend, which takes a while on a large model, so they run here and the page stays responsive. Requests
 * are handled one at a time, in order.
 */
import { CpuCompute } from './cpu-compute';
import type { OrtRequest, OrtResponse } from './ort-protocol';

const compute = new CpuCompute();
let queue: Promise<void> = Promise.resolve();

async function handle(req: OrtRequest): Promise<{ value: unknown; transfer: Transferable[] }> {
  switch (req.method) {
    case 'loadModel':
      return { value: await compute.loadModel(req.bytes, req.name), transfer: [] };
    case 'setInput': {
      const p = await compute.setInput(req.input);
      return { value: p, transfer: [p.probs.buffer, p.logits.buffer] };
    }
    case 'explain':
      return { value: await compute.explain(req.options), transfer: [] };
    case 'readMap': {
      const m = compute.readMap(req.view, req.size);
      return { value: m, transfer: [m.data.buffer] };
    }
    case 'render': {
      const r = compute.render(req.view);
      return { value: r, transfer: [r.rgba.buffer] };
    }
  }
}

self.onmessage = (event: MessageEvent<OrtRequest>) => {
  const req = event.data;
  queue = queue.then(async () => {
    try {
      const { value, transfer } = await handle(req);
      (self as unknown as Worker).postMessage(
        { id: req.id, ok: true, value } satisfies OrtResponse,
        transfer,
      );
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      (self as unknown as Worker).postMessage({ id: req.id, ok: false, error } satisfies OrtResponse);
    }
  });
};
