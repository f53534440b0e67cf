/**
 * Picks the engine: WebGPU where an adapter exists (and is not disabled), the ort engine (onnxruntime-web
 * wasm, on the CPU) otherwise. The UI
 * shows `backend` and `description` as a notice and otherwise does not care which one it has.
 */
import { OrtEngine } from './ort-engine';
import type { SaliencyEngine } from './types';

export interface CreateEngineOptions {
  /** Force the ort engine (the app's `?backend=ort`, tests). */
  disableWebGpu?: boolean;
  /** Called when the GPU device is lost; the app then re-creates the engine. */
  onDeviceLost?: (message: string) => void;
}

export async function createEngine(opts: CreateEngineOptions = {}): Promise<SaliencyEngine> {
  if (!opts.disableWebGpu && typeof navigator !== 'undefined' && 'gpu' in navigator) {
    try {
      const { createGpuEngine } = await import('./gpu-engine');
      const engine = await createGpuEngine({ onDeviceLost: opts.onDeviceLost });
      if (engine) return engine;
    } catch (e) {
      console.warn('WebGPU engine unavailable, using the ort engine:', e);
    }
  }
  return new OrtEngine();
}
