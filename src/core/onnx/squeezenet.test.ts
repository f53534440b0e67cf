/**
 * The real default model (../shared/models, see its README): parsing, shapes, coverage, and the float64
 * forward pass against the reference logits of the test vectors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../npy';
import { runForward } from '../reference/forward';
import { coverageReport, describeModelProblem, loadGraph } from './index';

const dir = new URL('../../../../shared/models/squeezenet1.1/', import.meta.url);
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, dir)));

describe('SqueezeNet 1.1', () => {
  const g = loadGraph(read('squeezenet1_1.onnx'));

  it('parses into a prepared graph with a concrete shape for every value', () => {
    expect(g.opset).toBe(13);
    expect(g.inputs.map((v) => v.name)).toEqual(['input']);
    expect(g.nodes).toHaveLength(65);
    expect(g.shapes.get('input')).toEqual([1, 3, 224, 224]);
    expect(g.shapes.get('pool0')).toEqual([1, 64, 55, 55]);
    expect(g.shapes.get('logits')).toEqual([1, 1000]);
    const values = [...g.initializers.keys(), 'input', ...g.nodes.flatMap((n) => n.outputs)];
    expect(values.filter((v) => !g.shapes.has(v))).toEqual([]);
    expect(describeModelProblem(g)).toBeNull();
  });

  it('is fully traversable by the double chain', () => {
    const r = coverageReport(g);
    expect(r.unsupported).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.opCounts).toEqual({
      Conv: 26,
      Relu: 26,
      MaxPool: 3,
      Concat: 8,
      GlobalAveragePool: 1,
      Flatten: 1,
    });
  });

  it('reproduces the reference logits of test_data_set/0', () => {
    const x = parseNpy(read('test_data_set/0/input_0.npy'));
    const expected = parseNpy(read('test_data_set/0/output_0.npy'));
    const start = performance.now();
    const logits = runForward(g, { input: x }).get('logits')!;
    const ms = performance.now() - start;
    expect(logits.dims).toEqual([1, 1000]);
    let worst = 0;
    let argmax = 0;
    for (let i = 0; i < 1000; i++) {
      worst = Math.max(worst, Math.abs(logits.data[i] - expected.data[i]));
      if (logits.data[i] > logits.data[argmax]) argmax = i;
    }
    expect(worst).toBeLessThan(1e-3);
    expect(argmax).toBe(490);
    console.info(`SqueezeNet float64 forward: ${ms.toFixed(0)} ms, max |diff| ${worst.toExponential(2)}`);
  });
});
