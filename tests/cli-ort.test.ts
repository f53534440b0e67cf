/**
 * `panescope explain --backend ort` (the default: the float32 chain graph on onnxruntime-node where it
 * loads, onnxruntime-web wasm otherwise) against `--backend reference` (the float64 oracle) on SqueezeNet.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main';
import { tensorFileName } from '../src/cli/explain';
import { pearson } from '../src/core/eval/correlation';
import { parseNpy } from '../src/core/npy';
import { nativeAvailable } from '../src/runtime';
import { CHELSEA, SQUEEZENET_ONNX, readBytes } from './paths';

let stderr: string[] = [];
beforeAll(() => {
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  stderr = [];
});

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

describe('panescope explain --backend ort', () => {
  it('is the default and matches the float64 reference on SqueezeNet (r >= 0.9999)', async () => {
    readBytes(SQUEEZENET_ONNX);
    const common = ['--model', SQUEEZENET_ONNX, '--image', CHELSEA, '--layers', 'fire7,conv0_relu'];
    const ortOut = mkdtempSync(join(tmpdir(), 'panescope-ort-'));
    const refOut = mkdtempSync(join(tmpdir(), 'panescope-ref-'));
    expect(await main(['explain', ...common, '--out', ortOut])).toBe(0);
    expect(await main(['explain', ...common, '--out', refOut, '--backend', 'reference'])).toBe(0);

    const ort = JSON.parse(readFileSync(join(ortOut, 'summary.json'), 'utf8'));
    const ref = JSON.parse(readFileSync(join(refOut, 'summary.json'), 'utf8'));
    expect(ort.backend).toBe('ort');
    expect(ort.runtime).toBe(
      (await nativeAvailable()) ? 'onnxruntime-node (native CPU provider)' : 'onnxruntime-web (wasm)',
    );
    expect(ref).toMatchObject({ backend: 'reference', runtime: 'float64 reference (TypeScript)' });
    expect(ort.class.index).toBe(ref.class.index);
    expect(ort.top5.map((c: { index: number }) => c.index)).toEqual(
      ref.top5.map((c: { index: number }) => c.index),
    );
    expect(Math.abs(ort.class.prob - ref.class.prob)).toBeLessThan(1e-5);
    expect(Math.abs(ort.flux.sumTInputPlusSinks - ref.flux.sumTInputPlusSinks)).toBeLessThan(1e-5);
    expect(ort.layersWritten).toEqual(ref.layersWritten);

    const maps = ['saliency.npy', 'positive.npy', 'negative.npy'].concat(
      ['fire7', 'conv0_relu'].map((t) => join('layers', tensorFileName(t))),
    );
    for (const f of maps) {
      const got = parseNpy(readFileSync(join(ortOut, f)));
      const want = parseNpy(readFileSync(join(refOut, f)));
      expect(got.dims, f).toEqual(want.dims);
      expect(relErr(got.data, want.data), f).toBeLessThan(1e-4);
      expect(pearson(got.data, want.data), f).toBeGreaterThanOrEqual(0.9999);
    }
  }, 300_000);

  it("keeps --backend cpu as a deprecated name of 'reference', with a note", async () => {
    const out = mkdtempSync(join(tmpdir(), 'panescope-cpu-'));
    const x = new URL('./../public/demo/chelsea.png', import.meta.url).pathname;
    expect(
      await main(['explain', '--model', SQUEEZENET_ONNX, '--image', x, '--out', out, '--backend', 'cpu']),
    ).toBe(0);
    expect(stderr.join('\n')).toContain(
      "--backend cpu is deprecated; it is the float64 reference, now '--backend reference'",
    );
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).backend).toBe('reference');
    expect(await main(['explain', '--model', 'm', '--image', 'i', '--out', 'o', '--backend', 'gpu'])).toBe(2);
    expect(stderr.at(-1)).toContain('--backend must be one of ort, webgpu, reference');
  }, 300_000);
});
