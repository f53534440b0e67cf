/**
 * `panescope explain --backend webgpu` (the WGSL engine in Node on Dawn; SwiftShader's Vulkan without a GPU)
 * writes the same files as `--backend reference` (the float64 reference), with maps equal within float32
 * tolerance. The webgpu run goes through bin/panescope.mjs, so the `?raw` shader hook is tested too. No
 * skipping: a machine without a Dawn adapter fails here with the CLI's message.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main';
import { parseNpy } from '../src/core/npy';
import { CHELSEA, ROOT, SQUEEZENET_ONNX, readBytes } from './paths';

const TOLERANCE = 1e-4;

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

/** Every file under `dir`, relative to it, sorted. */
function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

async function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)('node', [join(ROOT, 'bin/panescope.mjs'), ...args], {
      cwd: ROOT,
    });
    return { code: 0, stderr };
  } catch (e) {
    const failed = e as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? String(e) };
  }
}

describe('panescope explain --backend webgpu', () => {
  it('writes what --backend reference writes for SqueezeNet on chelsea, maps equal in float32', async () => {
    readBytes(SQUEEZENET_ONNX);
    const common = ['--model', SQUEEZENET_ONNX, '--image', CHELSEA, '--layers', 'all'];
    const cpuOut = mkdtempSync(join(tmpdir(), 'panescope-cpu-'));
    const gpuOut = mkdtempSync(join(tmpdir(), 'panescope-webgpu-'));

    const quiet = [vi.spyOn(console, 'log'), vi.spyOn(console, 'error')];
    for (const spy of quiet) spy.mockImplementation(() => undefined);
    try {
      expect(await main(['explain', ...common, '--out', cpuOut, '--backend', 'reference'])).toBe(0);
    } finally {
      for (const spy of quiet) spy.mockRestore();
    }
    const gpu = await runCli(['explain', ...common, '--out', gpuOut, '--backend', 'webgpu']);
    expect(gpu.code, `the webgpu backend failed:\n${gpu.stderr}`).toBe(0);

    expect(files(gpuOut)).toEqual(files(cpuOut));
    const maps = files(cpuOut).filter((f) => f.endsWith('.npy'));
    expect(maps).toEqual(expect.arrayContaining(['saliency.npy', 'positive.npy', 'negative.npy']));
    for (const f of maps) {
      const want = parseNpy(readFileSync(join(cpuOut, f)));
      const got = parseNpy(readFileSync(join(gpuOut, f)));
      expect(got.dims, f).toEqual(want.dims);
      expect(got.data.every(Number.isFinite), `${f}: NaN or Inf`).toBe(true);
      expect(relErr(got.data, want.data), f).toBeLessThanOrEqual(TOLERANCE);
    }

    const cpu = JSON.parse(readFileSync(join(cpuOut, 'summary.json'), 'utf8'));
    const webgpu = JSON.parse(readFileSync(join(gpuOut, 'summary.json'), 'utf8'));
    expect([cpu.backend, webgpu.backend]).toEqual(['reference', 'webgpu']);
    expect(webgpu.class.index).toBe(cpu.class.index);
    expect(webgpu.top5.map((c: { index: number }) => c.index)).toEqual(
      cpu.top5.map((c: { index: number }) => c.index),
    );
    expect(webgpu.flux.sumTInputPlusSinks).toBeCloseTo(cpu.flux.sumTInputPlusSinks, 4);
  }, 600_000);
});
