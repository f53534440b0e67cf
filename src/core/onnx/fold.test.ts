/**
 * Folding PyTorch's integer shape arithmetic. `torch.chunk(x, 2, dim=1)` (ShuffleNetV2's split) exports
 * at opset 11 as Shape -> Gather -> Add -> Div -> Mul -> Slice; its int64 Div must truncate, or the two
 * halves of 24 channels become 13 + 12 and the channel shuffle's Reshape fails. onnxruntime is the oracle.
 */
import { describe, expect, it } from 'vitest';
import { runForward } from '../reference/forward';
import { createRunner } from '../../runtime';
import { buildModel, type BuildNode } from './build';
import { loadGraph } from './index';

// Exporters write INT64_MAX for "to the end"; buildModel encodes numbers, so a large power of two stands in.
const TO_END = 2 ** 62;
const i64 = (data: number[], dims = [data.length]) => ({ dims, data, elemType: 'int64' as const });

/** chunk(x, 2, dim=1) as torch.onnx.export writes it at opset 11, then the channel shuffle. */
function chunkAndShuffle(channels: number, opset = 11): Uint8Array {
  const half = channels / 2;
  const nodes: BuildNode[] = [
    { op: 'Shape', name: 'shape', inputs: ['x'], outputs: ['s'] },
    { op: 'Gather', name: 'dim', inputs: ['s', 'one'], outputs: ['c'], attrs: { axis: 0 } },
    { op: 'Add', name: 'plus', inputs: ['c', 'one'], outputs: ['c1'] },
    { op: 'Div', name: 'per_chunk', inputs: ['c1', 'two'], outputs: ['size'] },
    { op: 'Mul', name: 'end0', inputs: ['size', 'one'], outputs: ['e0'] },
    { op: 'Unsqueeze', name: 'u0', inputs: ['e0'], outputs: ['e0u'], attrs: { axes: [0] } },
    { op: 'Slice', name: 'first', inputs: ['x', 'zero1', 'e0u', 'axis1'], outputs: ['a'] },
    { op: 'Slice', name: 'second', inputs: ['x', 'e0u', 'to_end', 'axis1'], outputs: ['b'] },
    { op: 'Relu', name: 'branch', inputs: ['b'], outputs: ['rb'] },
    { op: 'Concat', name: 'cat', inputs: ['a', 'rb'], outputs: ['cat'], attrs: { axis: 1 } },
    { op: 'Reshape', name: 'groups', inputs: ['cat', 'g'], outputs: ['r'] },
    { op: 'Transpose', name: 'swap', inputs: ['r'], outputs: ['t'], attrs: { perm: [0, 2, 1, 3, 4] } },
    { op: 'Reshape', name: 'shuffled', inputs: ['t', 'back'], outputs: ['y'] },
  ];
  return buildModel({
    opset,
    inputs: [{ name: 'x', shape: [1, channels, 3, 3] }],
    outputs: [{ name: 'y' }],
    initializers: {
      one: i64([1], []),
      two: i64([2], []),
      zero1: i64([0]),
      axis1: i64([1]),
      g: i64([1, 2, half, 3, 3]),
      back: i64([1, -1, 3, 3]),
      to_end: i64([TO_END]),
    },
    nodes,
  });
}

describe('PyTorch chunk (ShuffleNetV2)', () => {
  it('folds the int64 Div by truncation: two halves of 12 channels, as onnxruntime computes', async () => {
    const bytes = chunkAndShuffle(24);
    const g = loadGraph(bytes);
    // Both Slices folded to [0, 12) and [12, end), which tile the channels: one Split (slicesAsSplit.ts).
    expect(g.nodes.map((n) => n.opType)).toEqual([
      'Split',
      'Relu',
      'Concat',
      'Reshape',
      'Transpose',
      'Reshape',
    ]);
    expect(g.nodes[0]).toMatchObject({
      name: 'first',
      outputs: ['a', 'b'],
      attrs: { axis: 1, split: [12, 12] },
    });
    expect(g.shapes.get('a')).toEqual([1, 12, 3, 3]);
    expect(g.shapes.get('y')).toEqual([1, 24, 3, 3]);

    const x = Float32Array.from({ length: 24 * 9 }, (_, i) => Math.sin(i));
    const ours = runForward(g, { x: { dims: [1, 24, 3, 3], data: x } }).get('y')!.data;
    const runner = await createRunner(bytes, { backend: 'wasm', outputs: [] });
    try {
      const theirs = await (await runner.run(x, [1, 24, 3, 3])).get('y')!.getData();
      expect(Array.from(ours, (v) => Math.fround(v))).toEqual(Array.from(theirs));
    } finally {
      runner.dispose();
    }
  });

  it('an odd channel count gives the ceil-sized first chunk, as torch.chunk does', () => {
    // (25 + 1) / 2 = 13: chunks of 13 and 12 (the shuffle's Reshape then needs another group shape).
    const bytes = buildModel({
      opset: 11,
      inputs: [{ name: 'x', shape: [1, 25, 2, 2] }],
      outputs: [{ name: 'a' }],
      initializers: { one: i64([1], []), two: i64([2], []), zero1: i64([0]), axis1: i64([1]) },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'one'], outputs: ['c'], attrs: { axis: 0 } },
        { op: 'Add', inputs: ['c', 'one'], outputs: ['c1'] },
        { op: 'Div', inputs: ['c1', 'two'], outputs: ['size'] },
        { op: 'Unsqueeze', inputs: ['size'], outputs: ['e'], attrs: { axes: [0] } },
        { op: 'Slice', inputs: ['x', 'zero1', 'e', 'axis1'], outputs: ['a'] },
      ],
    });
    expect(loadGraph(bytes).shapes.get('a')).toEqual([1, 13, 2, 2]);
  });

  it('a float Div feeding a Slice is refused with the node named, not rounded', () => {
    const bytes = buildModel({
      opset: 11,
      inputs: [{ name: 'x', shape: [1, 24, 2, 2] }],
      outputs: [{ name: 'a' }],
      initializers: {
        c1: { dims: [1], data: [25] },
        two: { dims: [], data: [2] },
        zero1: i64([0]),
        axis1: i64([1]),
      },
      nodes: [
        { op: 'Div', inputs: ['c1', 'two'], outputs: ['size'] },
        { op: 'Cast', inputs: ['size'], outputs: ['end'], attrs: { to: 7 } },
        { op: 'Slice', name: 'half', inputs: ['x', 'zero1', 'size', 'axis1'], outputs: ['a'] },
      ],
    });
    expect(() => loadGraph(bytes)).toThrow("Slice 'half': ends [12.5] holds 12.5, not an integer");
  });
});
