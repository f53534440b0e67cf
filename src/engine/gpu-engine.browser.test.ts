/**
 * The GPU engine in headless Chromium: SqueezeNet 1.1 through onnxruntime-web's webgpu backend on our
 * device (activations copied device-side, never through the CPU), the WGSL chain for all three rules
 * against the float64 reference on the same activations (tests/support/engine-forward.ts), a hot path
 * whose only mapAsync calls are its declared readbacks, and device loss.
 */
import { describe, expect, test } from 'vitest';
import { loadGraph } from '../core/onnx';
import { channelSum, layerMaps, mapSize } from '../core/pane/maps';
import { effectiveOptions, type Rule } from '../core/pane/options';
import { explain } from '../core/reference/chain';
import { runForward } from '../core/reference/forward';
import { GpuContext } from '../gpu/context';
import { createGpuEngine, GpuEngine } from './gpu-engine';
import { pearson } from '../core/eval/correlation';
import { engineForward } from '../../tests/support/engine-forward';

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} (npm run setup places the model)`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A smooth deterministic input in the normalised range (the known-answer input of scripts/setup-model). */
function syntheticInput(): Float32Array {
  const x = new Float32Array(3 * 224 * 224);
  for (let i = 0; i < x.length; i++) x[i] = 1.5 * Math.sin(i * 0.0137) * Math.cos(i * 0.00071);
  return x;
}

/** max |a - b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale > 0 ? err / scale : err;
}

/** Counts every mapAsync on any buffer (ours and onnxruntime's) while `fn` runs. */
async function countingMaps<T>(fn: () => Promise<T>): Promise<{ value: T; mapped: number }> {
  let mapped = 0;
  const original = GPUBuffer.prototype.mapAsync;
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
    mapped++;
    return original.apply(this, args);
  };
  try {
    return { value: await fn(), mapped };
  } finally {
    GPUBuffer.prototype.mapAsync = original;
  }
}

const RULES: Rule[] = ['sf', 'alphabeta', 'ebp'];

describe('GpuEngine', () => {
  test('SqueezeNet 1.1: every rule equals the float64 reference; only declared readbacks', async () => {
    const engine = await createGpuEngine();
    expect(engine, 'a WebGPU adapter (SwiftShader) must exist').not.toBeNull();
    console.log(`[gpu] ${engine!.description}`);
    try {
      const bytes = await fetchBytes('/models/squeezenet1_1.onnx');
      const info = await engine!.loadModel(bytes, 'squeezenet1_1.onnx');
      expect(info.canExplain).toBe(true);
      const input = syntheticInput();
      const g = loadGraph(bytes);
      // The activations the engine's chain will read, computed beside it before the counted hot path.
      const t0 = performance.now();
      const forward = await engineForward(engine!, bytes, input);
      console.log(`[gpu] the same forward beside the engine ${(performance.now() - t0).toFixed(0)} ms`);

      const { value: report, mapped } = await countingMaps(async () => {
        let t = performance.now();
        const prediction = await engine!.setInput(input);
        const timings: string[] = [`setInput ${(performance.now() - t).toFixed(0)} ms`];
        const values = runForward(g, {
          [info.inputName]: { dims: info.inputDims, data: Float64Array.from(input) },
        });
        expect(
          relErr(prediction.logits, values.get(info.layers[info.layers.length - 1].tensor)!.data),
          'logits against the float64 forward pass',
        ).toBeLessThan(1e-4);
        // The reference runs on the GPU's own activations, so only the chain arithmetic is compared.
        // They are the engine's bit for bit: its logits (copied out of its plan) are ours exactly.
        expect(
          Array.from(prediction.logits),
          'engine logits against the same onnxruntime forward beside it',
        ).toEqual(Array.from(forward.values.get(forward.logits)!));
        for (const [name, data] of forward.values)
          values.set(name, { dims: values.get(name)!.dims, data: Float64Array.from(data) });
        let maps = 0;
        for (const rule of RULES) {
          t = performance.now();
          const summary = await engine!.explain({ rule });
          timings.push(`explain ${rule} ${(performance.now() - t).toFixed(0)} ms`);
          const ref = explain(g, values, effectiveOptions({ rule }));
          expect(summary.target).toBe(ref.target);
          let worst = 0;
          let worstR = 1;
          for (const layer of info.layers) {
            const { h, w } = mapSize(layer.dims);
            const m = layerMaps(ref.flux.get(layer.tensor)!, layer.dims);
            const e = ref.excitation.get(layer.tensor);
            const views = [
              ['net', m.S],
              ['positive', m.SP],
              ['negative', m.SN],
              ...(e ? [['excitation-positive', channelSum(e.Epos, layer.dims)] as const] : []),
            ] as const;
            for (const [kind, want] of views) {
              const got = await engine!.readMap({ layer: layer.tensor, kind }, { width: w, height: h });
              maps++;
              const err = relErr(got.data, want);
              worst = Math.max(worst, err);
              // Pearson needs variance: the N chain is exactly 0 right under the head (all contributions agree).
              if (want.some((v) => v !== want[0])) worstR = Math.min(worstR, pearson(got.data, want) ?? 0);
              expect(err, `${rule} ${kind} ${layer.tensor}`).toBeLessThanOrEqual(1e-3);
            }
          }
          console.log(
            `[gpu] squeezenet ${rule}: ${info.layers.length} layers, max map err / max|ref| ${worst.toExponential(2)}, min Pearson r ${worstR.toFixed(6)}`,
          );
          expect(worstR).toBeGreaterThan(0.9999);
        }
        t = performance.now();
        const view = {
          layer: info.inputName,
          kind: 'net',
          normalization: 'layer',
          clipPercentile: 99.5,
          colormap: 'auto',
          gamma: 1,
        } as const;
        const rendered = await engine!.render(new OffscreenCanvas(1, 1), view);
        timings.push(`render ${(performance.now() - t).toFixed(0)} ms`);
        expect(rendered.scale).toBeGreaterThan(0);
        console.log(`[gpu] ${timings.join(', ')}`);
        return { maps };
      });

      // Declared readbacks: the logits, one statistics read per explanation, each map, the view's scale,
      // and its pixels (the 'image' presentation of software adapters: headless SwiftShader cannot present
      // WebGPU canvases).
      const stats = engine!.readbackStats();
      const pixels = stats.byLabel['render-pixels'] ?? 0;
      expect(stats.byLabel).toEqual({
        logits: 1,
        'explain-stats': RULES.length,
        map: report.maps,
        'render-scale': 1,
        ...(pixels ? { 'render-pixels': 1 } : {}),
      });
      expect(mapped, 'mapAsync calls beyond the declared readbacks').toBe(stats.count);
    } finally {
      engine!.dispose();
    }
  }, 600_000);

  test('a lost device is reported and the engine refuses further work', async () => {
    const lost: string[] = [];
    const gpu = await GpuContext.acquire();
    const engine = new GpuEngine(gpu, { presentation: 'image', onDeviceLost: (m) => lost.push(m) });
    gpu.device.destroy();
    await gpu.lost;
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatch(/GPU device lost/);
    await expect(engine.loadModel(new Uint8Array(), 'x.onnx')).rejects.toThrow(/device was lost/);
    await expect(engine.explain({})).rejects.toThrow(/device was lost/);
  });
});
