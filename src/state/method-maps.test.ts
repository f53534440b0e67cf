/**
 * Where MethodMaps computes a baseline: the gradient methods on the engine's GPU device unless its adapter
 * is a software one, the worker otherwise and for LRP/EB, and the worker again when WebGPU fails (for that
 * model and device only), each map saying which backend computed it.
 */
import { describe, expect, it } from 'vitest';
import type { EvaluationSnapshot, Evaluator, MapProgress } from '../engine/evaluator';
import type { GpuGradientMaps } from '../engine/gpu-gradient-maps';
import { StaleModelError } from '../engine/stale-model-error';
import type { AppController } from './controller';
import { gradientPreference, placeMap, type GradientPreference, type MapSource } from './map-placement';
import { MethodMaps } from './method-maps';
import type { BaselineMethod } from './methods';
import type { AppStore } from './store';

const SIZE = 2;

/** A method's map whose values say who computed it: 1 for the GPU, 2 for the worker. */
const filled = (v: number) => new Float32Array(SIZE * SIZE).fill(v);

function setup(gpu: { software: boolean } | null, preference: GradientPreference = 'auto') {
  const calls: string[] = [];
  let device = { label: 'first' } as unknown as GPUDevice;
  let gpuFails: string | null = null;
  let stale = false;
  let target = 0;
  const snapshot = (): EvaluationSnapshot => ({
    modelKey: 'model-a',
    modelBytes: new Uint8Array(1),
    image: {
      key: `image|${target}`,
      x: new Float32Array(3 * SIZE * SIZE),
      geo: { C: 3, H: SIZE, W: SIZE },
      norm: { mean: [0, 0, 0], std: [1, 1, 1] },
      target,
    },
    paneMap: () => Promise.reject(new Error('unused')),
  });
  const controller = {
    whenIdle: () => Promise.resolve(),
    evaluationSnapshot: () => ({ snapshot: snapshot(), baselineKey: `model-a|input|${target}` }),
    gpuDevice: () => (gpu ? { device, software: gpu.software } : null),
  } as unknown as AppController;
  const store = { getState: () => ({ model: { inputDims: [1, 3, SIZE, SIZE] } }) } as unknown as AppStore;
  const evaluator = {
    baselineMap: async (_: EvaluationSnapshot, method: string, onProgress: (p: MapProgress) => void) => {
      calls.push(`worker ${method}`);
      onProgress({ done: 1, total: 1 });
      return filled(2);
    },
  } as unknown as Evaluator;
  const gpuMaps = {
    map: async (_model: unknown, on: { device: GPUDevice }, _image: unknown, method: string) => {
      calls.push(`webgpu ${method} on ${(on.device as unknown as { label: string }).label}`);
      if (stale) throw new StaleModelError();
      if (gpuFails) throw new Error(gpuFails);
      return filled(1);
    },
  } as unknown as GpuGradientMaps;
  const maps = new MethodMaps(store, controller, evaluator, gpuMaps, preference);
  return {
    maps,
    calls,
    failGpu: (message: string | null) => (gpuFails = message),
    engineSwitched: (yes: boolean) => (stale = yes),
    newDevice: (label: string) => (device = { label } as unknown as GPUDevice),
    nextClass: () => target++,
  };
}

async function mapOf(maps: MethodMaps, method: BaselineMethod) {
  const sources: MapSource[] = [];
  const map = await maps.map(method, undefined, (s) => sources.push(s));
  return { value: map.data[0], backend: map.source?.backend, reason: map.source?.reason, sources };
}

describe('MethodMaps placement', () => {
  it('computes the gradient maps on a hardware adapter on its device, the rest in the worker', async () => {
    const { maps, calls } = setup({ software: false });
    const ig = await mapOf(maps, 'integrated_gradients');
    expect([ig.value, ig.backend]).toEqual([1, 'webgpu']);
    expect(ig.sources.map((s) => s.backend)).toEqual(['webgpu']);
    const lrp = await mapOf(maps, 'lrp_epsilon');
    expect([lrp.value, lrp.backend]).toEqual([2, 'worker']);
    expect(lrp.reason).toContain('float64');
    expect(calls).toEqual(['webgpu integrated_gradients on first', 'worker lrp_epsilon']);
  });

  it('prefers the worker on a software adapter unless ?gradients=webgpu', async () => {
    const auto = setup({ software: true });
    const g = await mapOf(auto.maps, 'gradient');
    expect([g.value, g.backend]).toEqual([2, 'worker']);
    expect(g.reason).toContain('software');
    const forced = setup({ software: true }, 'webgpu');
    expect((await mapOf(forced.maps, 'gradient')).backend).toBe('webgpu');
    const never = setup({ software: false }, 'worker');
    expect((await mapOf(never.maps, 'gradient')).backend).toBe('worker');
    const cpu = setup(null);
    expect((await mapOf(cpu.maps, 'gradcam')).reason).toContain('no WebGPU engine');
  });

  it('falls back to the worker when WebGPU fails, for that model and device only', async () => {
    const t = setup({ software: false });
    t.failGpu('Unsupported op ScatterND');
    const sg = await mapOf(t.maps, 'smoothgrad');
    expect([sg.value, sg.backend]).toEqual([2, 'worker']);
    expect(sg.reason).toContain('WebGPU failed: Unsupported op ScatterND');
    // The status line heard both: WebGPU started, then the worker took over.
    expect(sg.sources.map((s) => s.backend)).toEqual(['webgpu', 'worker']);
    // The next map of this model on this device goes straight to the worker.
    t.failGpu(null);
    expect((await mapOf(t.maps, 'gradient')).backend).toBe('worker');
    // A new engine (a new device, e.g. after a lost one) tries WebGPU again.
    t.newDevice('second');
    t.nextClass();
    expect((await mapOf(t.maps, 'gradient')).backend).toBe('webgpu');
    expect(t.calls).toEqual([
      'webgpu smoothgrad on first',
      'worker smoothgrad',
      'worker gradient',
      'webgpu gradient on second',
    ]);
  });
});

describe('MethodMaps and a model switch', () => {
  it('drops a map asked of an engine that holds another model, without sending the model to the worker', async () => {
    const t = setup({ software: false });
    t.engineSwitched(true);
    await expect(mapOf(t.maps, 'gradient')).rejects.toBeInstanceOf(StaleModelError);
    // Not a WebGPU failure of this model: its next map (for another class) is asked of WebGPU again.
    t.engineSwitched(false);
    t.nextClass();
    expect((await mapOf(t.maps, 'gradient')).backend).toBe('webgpu');
    expect(t.calls).toEqual(['webgpu gradient on first', 'webgpu gradient on first']);
  });
});

describe('placeMap', () => {
  it('reads ?gradients= defensively', () => {
    expect(gradientPreference('?gradients=webgpu')).toBe('webgpu');
    expect(gradientPreference('?backend=cpu&gradients=worker')).toBe('worker');
    expect(gradientPreference('?gradients=gpu')).toBe('auto');
    expect(gradientPreference('')).toBe('auto');
  });

  it('keeps LRP and EB in the worker whatever the preference', () => {
    for (const m of ['lrp_epsilon', 'alphabeta', 'ebp', 'ceb'] as const)
      expect(placeMap(m, { software: false }, 'webgpu', null).backend).toBe('worker');
  });
});
