/**
 * Where a baseline method's map is computed: on the WebGPU engine's device (the compiled gradient graph on
 * onnxruntime's webgpu backend, engine/gpu-gradient-maps.ts) or in the evaluation worker (onnxruntime wasm
 * for the gradient graph, the float64 engine for LRP and EB, engine/eval-worker.ts).
 */
import { GRADIENT_METHODS } from '../engine/compiled-baselines';
import type { BaselineMethod } from './methods';

export type MapBackend = 'webgpu' | 'worker';

/** Which backend computed (or computes) a map, and why that one: shown beside the map. */
export interface MapSource {
  backend: MapBackend;
  reason: string;
}

/**
 * `?gradients=webgpu` computes the gradient maps on WebGPU even on a software adapter, `?gradients=worker`
 * never does; default 'auto'.
 */
export type GradientPreference = 'auto' | 'webgpu' | 'worker';

export function gradientPreference(search: string): GradientPreference {
  const value = new URLSearchParams(search).get('gradients');
  return value === 'webgpu' || value === 'worker' ? value : 'auto';
}

export function backendLabel(source: MapSource): string {
  return source.backend === 'webgpu' ? 'WebGPU' : 'worker';
}

/**
 * The backend for `method` given the engine's device (null without the WebGPU engine), the preference, and
 * why WebGPU failed for this model and device before (null if it has not).
 */
export function placeMap(
  method: BaselineMethod,
  gpu: { software: boolean } | null,
  preference: GradientPreference,
  failed: string | null,
): MapSource {
  if (!GRADIENT_METHODS.has(method))
    return { backend: 'worker', reason: 'not a gradient: the float64 engine in the worker computes it' };
  if (!gpu) return { backend: 'worker', reason: 'onnxruntime wasm (no WebGPU engine)' };
  if (preference === 'worker') return { backend: 'worker', reason: 'onnxruntime wasm (?gradients=worker)' };
  if (failed !== null) return { backend: 'worker', reason: `onnxruntime wasm (WebGPU failed: ${failed})` };
  // On a software adapter (SwiftShader) onnxruntime's webgpu kernels run on the CPU, and one SqueezeNet
  // gradient took about 50 times as long as on wasm (docs/benchmarks.md): the worker is the faster choice.
  if (gpu.software && preference === 'auto')
    return { backend: 'worker', reason: 'onnxruntime wasm (software WebGPU adapter: wasm is faster)' };
  return { backend: 'webgpu', reason: "the gradient graph on onnxruntime's webgpu backend" };
}
