/**
 * Small random networks for whole-graph GPU tests: every chain op family in one graph, with fan-out (a
 * tensor read by three consumers), a residual Add, Concat, an unfolded BatchNormalization, max and
 * average pooling, Flatten, Gemm and a final Softmax.
 */
import type { IrGraph } from '../../src/core/onnx/ir';
import { makeGraph, randomF32, type Rng } from './testkit';
import type { Tensor } from '../../src/core/tensor';

export function smallCnn(
  rng: Rng,
  opts: { classes?: number; size?: number } = {},
): { g: IrGraph; x: Tensor } {
  const C = 6;
  const K = opts.classes ?? 7;
  const S = opts.size ?? 11;
  const w = (...dims: number[]) => randomF32(rng, dims, -0.6, 0.6);
  const g = makeGraph({
    inputs: { x: [1, 3, S, S] },
    initializers: {
      w1: w(C, 3, 3, 3),
      b1: w(C),
      wa: w(C / 2, C, 1, 1),
      wb: w(C / 2, C, 3, 3),
      bb: w(C / 2),
      wd: w(C, 1, 3, 3),
      scale: randomF32(rng, [C], 0.5, 1.5),
      bias: w(C),
      mean: w(C),
      var: randomF32(rng, [C], 0.5, 1.5),
      fc: w(K, C),
      fcb: w(K),
    },
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      {
        op: 'MaxPool',
        inputs: ['r1'],
        outputs: ['p1'],
        attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 },
      },
      { op: 'Conv', inputs: ['p1', 'wa'], outputs: ['ca'] },
      { op: 'Relu', inputs: ['ca'], outputs: ['ra'] },
      {
        op: 'Conv',
        inputs: ['p1', 'wb', 'bb'],
        outputs: ['cb'],
        attrs: { pads: [1, 0, 1, 2], dilations: [1, 1] },
      },
      { op: 'Relu', inputs: ['cb'], outputs: ['rb'] },
      { op: 'Concat', inputs: ['ra', 'rb'], outputs: ['cat'], attrs: { axis: 1 } },
      { op: 'Add', inputs: ['cat', 'p1'], outputs: ['res'] },
      { op: 'BatchNormalization', inputs: ['res', 'scale', 'bias', 'mean', 'var'], outputs: ['bn'] },
      {
        op: 'Conv',
        inputs: ['bn', 'wd'],
        outputs: ['dw'],
        attrs: { group: C, pads: [1, 1, 1, 1], strides: [2, 2] },
      },
      { op: 'Relu', inputs: ['dw'], outputs: ['rd'] },
      { op: 'GlobalAveragePool', inputs: ['rd'], outputs: ['gap'] },
      { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] },
      { op: 'Gemm', inputs: ['flat', 'fc', 'fcb'], outputs: ['logits'], attrs: { transB: 1 } },
      { op: 'Softmax', inputs: ['logits'], outputs: ['prob'], attrs: { axis: 1 } },
    ],
    outputs: ['prob'],
  });
  return { g, x: randomF32(rng, [1, 3, S, S], -2, 2) };
}
