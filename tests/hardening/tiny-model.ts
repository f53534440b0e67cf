/** A small CNN (16 x 16 RGB -> 5 classes) and helpers for the hardening tests: run the CLI, read its lines. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { buildModel, type BuildNode } from '../../src/core/onnx';
import type { BuildTensor } from '../../src/core/onnx/build';
import { encodeNpy } from '../../src/core/npy';
import { main } from '../../src/cli/main';

export const sin = (n: number, phase = 0) => Array.from({ length: n }, (_, i) => Math.sin(i + phase));

/** stem Conv -> Relu -> (middle, from 'r' to 'm') -> GlobalAveragePool -> Flatten -> Gemm 'y'. */
export function tinyModel(
  opts: { initializers?: Record<string, BuildTensor>; middle?: BuildNode[] } = {},
): Uint8Array {
  const middle = opts.middle ?? [{ op: 'Identity', name: 'same', inputs: ['r'], outputs: ['m'] }];
  return buildModel({
    opset: 13,
    inputs: [{ name: 'x', shape: [1, 3, 16, 16] }],
    outputs: [{ name: 'y' }],
    initializers: {
      w: { dims: [4, 3, 3, 3], data: sin(108) },
      fc: { dims: [5, 4], data: sin(20, 1) },
      ...opts.initializers,
    },
    nodes: [
      { op: 'Conv', name: 'stem', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
      ...middle,
      { op: 'GlobalAveragePool', name: 'pool', inputs: ['m'], outputs: ['p'] },
      { op: 'Flatten', name: 'flatten', inputs: ['p'], outputs: ['f'] },
      { op: 'Gemm', name: 'fc', inputs: ['f', 'fc'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  });
}

export const tmp = () => mkdtempSync(join(tmpdir(), 'panescope-hardening-'));

/** Writes `bytes` to a fresh temporary folder; returns the path. */
export function tmpFile(name: string, bytes: Uint8Array | string): string {
  const path = join(tmp(), name);
  writeFileSync(path, bytes);
  return path;
}

/** A [1, 3, 16, 16] float32 .npy with the values of `fill(i)`. */
export function inputNpy(fill: (i: number) => number = (i) => Math.cos(i)): string {
  const data = Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => fill(i));
  return tmpFile('x.npy', encodeNpy({ dims: [1, 3, 16, 16], data }, 'float32'));
}

export interface CliRun {
  code: number;
  stderr: string;
  stdout: string;
}

/** Runs `panescope ARGS` in-process and collects what it printed. */
export async function cli(args: string[]): Promise<CliRun> {
  const err: string[] = [];
  const out: string[] = [];
  const e = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const o = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  try {
    const code = await main(args);
    return { code, stderr: err.join('\n'), stdout: out.join('\n') };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

/** The first line of stderr (the refusal; usage errors print the usage after it). */
export const firstLine = (run: CliRun) => run.stderr.split('\n')[0];

/** True when `text` holds a control character other than newline (which separates lines). */
// eslint-disable-next-line no-control-regex
export const hasControls = (text: string) => /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(text);
