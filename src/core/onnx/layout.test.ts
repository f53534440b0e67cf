// Image layouts: the NHWC input of TensorFlow models behind their Transpose, and the tensors laid out NHWC.
import { describe, expect, it } from 'vitest';
import { channelSum, mapSize } from '../pane/maps';
import { buildModel, type BuildNode } from './build';
import { loadGraph } from './index';
import { fromModelLayout, imageInput, inputLayout, tensorLayout, toModelLayout } from './layout';

const w = { dims: [2, 3, 1, 1], data: [1, 2, 3, 4, 5, 6] };
function model(shape: (number | string)[], nodes: BuildNode[]) {
  return loadGraph(
    buildModel({
      inputs: [{ name: 'x', shape }],
      outputs: [{ name: 'y' }],
      initializers: { w, k: { dims: [], data: [2] } },
      nodes: [
        ...nodes,
        { op: 'GlobalAveragePool', inputs: ['c'], outputs: ['p'] },
        { op: 'Flatten', inputs: ['p'], outputs: ['y'] },
      ],
    }),
  );
}
const toNchw: BuildNode = { op: 'Transpose', inputs: ['s'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } };
const conv: BuildNode = { op: 'Conv', inputs: ['t'], outputs: ['c'] };
conv.inputs.push('w');

describe('inputLayout and tensorLayout', () => {
  it('NHWC when the input reaches a [0, 3, 1, 2] Transpose through constant rescalings', () => {
    const g = model(
      ['unk__1', 'h', 'w', 3],
      [{ op: 'Mul', inputs: ['x', 'k'], outputs: ['s'] }, toNchw, conv],
    );
    expect(inputLayout(g)).toBe('NHWC');
    expect(imageInput(g)).toEqual({
      name: 'x',
      dims: [1, 224, 224, 3],
      layout: 'NHWC',
      channels: 3,
      height: 224,
      width: 224,
    });
    expect(['x', 's', 't', 'c'].map((n) => tensorLayout(g, n))).toEqual(['NHWC', 'NHWC', 'NCHW', 'NCHW']);
  });

  it('NCHW otherwise: no transpose, another permutation, or a data operand on the way', () => {
    const nchw = model([1, 3, 8, 8], [{ op: 'Identity', inputs: ['x'], outputs: ['t'] }, conv]);
    expect(inputLayout(nchw)).toBe('NCHW');
    const other = model(
      [1, 8, 3, 8],
      [{ op: 'Identity', inputs: ['x'], outputs: ['s'] }, { ...toNchw, attrs: { perm: [0, 2, 1, 3] } }, conv],
    );
    expect(inputLayout(other)).toBe('NCHW');
    const dataOperand = model(
      [1, 8, 8, 3],
      [{ op: 'Mul', inputs: ['x', 'x'], outputs: ['s'] }, toNchw, conv],
    );
    expect(inputLayout(dataOperand)).toBe('NCHW');
  });

  it('an NCHW -> NHWC transpose inside the graph makes an NHWC tensor', () => {
    const g = model(
      [1, 3, 4, 4],
      [
        { op: 'Transpose', inputs: ['x'], outputs: ['n'], attrs: { perm: [0, 2, 3, 1] } },
        { op: 'Relu', inputs: ['n'], outputs: ['s'] },
        toNchw,
        conv,
      ],
    );
    expect(['x', 'n', 's', 't'].map((n) => tensorLayout(g, n))).toEqual(['NCHW', 'NHWC', 'NHWC', 'NCHW']);
  });
});

describe('maps and model inputs of NHWC tensors', () => {
  const input = { name: 'x', dims: [1, 2, 3, 2], layout: 'NHWC' as const, channels: 2, height: 2, width: 3 };
  const planar = Float32Array.from([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]); // c0 plane, c1 plane

  it('toModelLayout interleaves the channels and fromModelLayout undoes it; NCHW is left as is', () => {
    const nhwc = toModelLayout(planar, input);
    expect([...nhwc]).toEqual([0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]);
    expect([...fromModelLayout(nhwc, input)]).toEqual([...planar]);
    expect(toModelLayout(planar, { ...input, layout: 'NCHW', dims: [1, 2, 2, 3] })).toBe(planar);
  });

  it('channelSum and mapSize sum the last axis of NHWC and give H x W', () => {
    const nhwc = Float64Array.from(toModelLayout(planar, input));
    expect(mapSize(input.dims, 'NHWC')).toEqual({ h: 2, w: 3 });
    expect([...channelSum(nhwc, input.dims, 'NHWC')]).toEqual([10, 12, 14, 16, 18, 20]);
    expect([...channelSum(Float64Array.from(planar), [1, 2, 2, 3])]).toEqual([10, 12, 14, 16, 18, 20]);
  });

  it('rank-5 tensors (channel shuffle) map over their last two axes', () => {
    const dims = [1, 2, 2, 1, 3];
    expect(mapSize(dims)).toEqual({ h: 1, w: 3 });
    expect([
      ...channelSum(
        Float64Array.from({ length: 12 }, (_, i) => i),
        dims,
      ),
    ]).toEqual([18, 22, 26]);
  });
});
