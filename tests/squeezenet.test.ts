/**
 * The default model end to end on the CPU: onnxruntime (wasm, through src/runtime) and the float64
 * reference both reproduce the model's reference outputs, and the double chain on a real photo conserves
 * flux and respects its bounds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraph } from '../src/core/onnx';
import type { IrGraph } from '../src/core/onnx/ir';
import { parseNpy } from '../src/core/npy';
import { runForward } from '../src/core/reference/forward';
import { explain } from '../src/core/reference/chain';
import { createRunner } from '../src/runtime';
import { IMAGENET_PREPROCESS, preprocess } from '../src/core/preprocess';
import { decodeImage } from '../src/cli/image-io';
import { CHELSEA, SHARED_SQUEEZENET, SQUEEZENET_ONNX, readBytes } from './paths';

const SETS = [0, 1, 2];
const load = (set: number, file: string) =>
  parseNpy(readBytes(`${SHARED_SQUEEZENET}/test_data_set/${set}/${file}`));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let graph: IrGraph;
let bytes: Uint8Array;
beforeAll(() => {
  bytes = readBytes(SQUEEZENET_ONNX);
  graph = loadGraph(bytes);
});

describe('SqueezeNet 1.1 reference outputs', () => {
  it('onnxruntime wasm reproduces all three, with intermediate tensors exposed', async () => {
    const runner = await createRunner(bytes, { backend: 'wasm', outputs: ['conv0_relu', 'fire7'] });
    try {
      for (const set of SETS) {
        const x = load(set, 'input_0.npy');
        const out = await runner.run(Float32Array.from(x.data), [...x.dims]);
        const logits = await out.get('logits')!.getData();
        expect(maxAbsDiff(logits, load(set, 'output_0.npy').data)).toBeLessThan(1e-3);
        expect(out.get('conv0_relu')!.dims).toEqual([...graph.shapes.get('conv0_relu')!]);
        expect(out.get('fire7')!.dims).toEqual([...graph.shapes.get('fire7')!]);
      }
    } finally {
      runner.dispose();
    }
  });

  it('the float64 reference forward reproduces all three', () => {
    for (const set of SETS) {
      const x = load(set, 'input_0.npy');
      const values = runForward(graph, { input: x });
      expect(maxAbsDiff(values.get('logits')!.data, load(set, 'output_0.npy').data)).toBeLessThan(1e-3);
    }
  });
});

describe('double chain on chelsea.png (rule sf)', () => {
  it('explains the top class with flux conserved, |R| <= T everywhere and no NaN', () => {
    const img = decodeImage(readBytes(CHELSEA), 'chelsea.png');
    const x = preprocess(img, IMAGENET_PREPROCESS);
    const values = runForward(graph, { input: { dims: [1, 3, 224, 224], data: Float64Array.from(x) } });
    const result = explain(graph, values, { rule: 'sf' });
    expect(result.target).toBe(285); // Egyptian cat

    const input = result.flux.get('input')!;
    let sumT = 0;
    for (const t of input.T) sumT += t;
    let sinks = 0;
    for (const s of result.sinks.values()) sinks += s.T;
    expect(Math.abs(sumT + sinks - 1)).toBeLessThan(1e-6);
    expect(sumT).toBeGreaterThan(0.1); // a real share of the mass reaches the pixels

    for (const [name, f] of result.flux) {
      for (let i = 0; i < f.T.length; i++) {
        const ok =
          Number.isFinite(f.T[i]) &&
          Number.isFinite(f.R[i]) &&
          Math.abs(f.R[i]) <= f.T[i] * (1 + 1e-12) + 1e-300;
        if (!ok) throw new Error(`${name}[${i}]: T=${f.T[i]} R=${f.R[i]}`);
      }
    }
  });
});
