import { describe, expect, it } from 'vitest';
import type { AttrValue, IrGraph, IrNode } from '../onnx/ir';
import { inferNodeShapes } from '../onnx/shapes';
import { tensor, type Tensor } from '../tensor';
import { evalNode, hasEvaluator, runForward } from './forward';

function graph(opset: number): IrGraph {
  return {
    name: 't',
    opset,
    inputs: [],
    outputs: [],
    nodes: [],
    initializers: new Map(),
    constTypes: new Map(),
    shapes: new Map(),
    metadata: {},
  };
}

/** Evaluate one node of `op` on `inputs`; returns every output. */
function evalOp(
  op: string,
  inputs: (Tensor | undefined)[],
  attrs: Record<string, AttrValue> = {},
  opts: { opset?: number; outputs?: number } = {},
): Tensor[] {
  const node: IrNode = {
    name: `${op}_test`,
    opType: op,
    domain: '',
    inputs: inputs.map((t, i) => (t ? `in${i}` : '')),
    outputs: Array.from({ length: opts.outputs ?? 1 }, (_, i) => `out${i}`),
    attrs,
  };
  const opset = opts.opset ?? 13;
  const outputs = evalNode(graph(opset), node, inputs);
  // Cross-check: shape inference, given the same inputs as constants, predicts every output's dims.
  const byName = new Map(inputs.map((t, i) => [`in${i}`, t]));
  const inferred = inferNodeShapes(
    node,
    (n) => byName.get(n)?.dims,
    (n) => byName.get(n),
    opset,
  );
  expect(inferred, `shape rule of ${op}`).toEqual(outputs.map((t) => t.dims));
  return outputs;
}

const ev = (...args: Parameters<typeof evalOp>) => evalOp(...args)[0];
const values = (t: Tensor) => Array.from(t.data);
const iota = (dims: number[], from = 0) =>
  tensor(
    dims,
    Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => from + i),
  );

function expectClose(actual: ArrayLike<number>, expected: number[], digits = 12) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i], `element ${i}`).toBeCloseTo(v, digits));
}

describe('pooling', () => {
  it('MaxPool with ceil_mode clips the last windows to the input', () => {
    const x = iota([1, 1, 4, 4]);
    const ceil = ev('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 });
    expect(ceil.dims).toEqual([1, 1, 2, 2]);
    expect(values(ceil)).toEqual([10, 11, 14, 15]);
    const floor = ev('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2] });
    expect(floor.dims).toEqual([1, 1, 1, 1]);
    expect(values(floor)).toEqual([10]);
  });

  it('MaxPool pads with -inf, supports dilations and returns flat argmax indices', () => {
    const neg = tensor(
      [1, 1, 4, 4],
      Array.from({ length: 16 }, (_, i) => -1 - i),
    );
    const [y, idx] = evalOp(
      'MaxPool',
      [neg],
      { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1] },
      { outputs: 2 },
    );
    expect(y.dims).toEqual([1, 1, 3, 3]);
    // A zero pad would win every border window; -inf padding never does.
    expect(values(y)).toEqual([-1, -2, -4, -5, -6, -8, -13, -14, -16]);
    expect(values(idx)).toEqual([0, 1, 3, 4, 5, 7, 12, 13, 15]);
    const dilated = ev('MaxPool', [iota([1, 1, 4, 4])], { kernel_shape: [2, 2], dilations: [2, 2] });
    expect(values(dilated)).toEqual([10, 11, 14, 15]);
  });

  it('AveragePool with pads: count_include_pad 0 and 1', () => {
    const x = iota([1, 1, 3, 3], 1);
    const attrs = { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1] };
    expect(values(ev('AveragePool', [x], attrs))).toEqual([1, 5 / 2, 11 / 2, 7]);
    expect(values(ev('AveragePool', [x], { ...attrs, count_include_pad: 1 }))).toEqual([
      1 / 4,
      5 / 4,
      11 / 4,
      7,
    ]);
  });

  it('AveragePool ceil_mode windows count only positions inside the (padded) input', () => {
    const x = iota([1, 1, 4, 4]);
    const attrs = { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 };
    const expected = [45 / 9, 39 / 6, 66 / 6, 50 / 4];
    expect(values(ev('AveragePool', [x], attrs))).toEqual(expected);
    expect(values(ev('AveragePool', [x], { ...attrs, count_include_pad: 1 }))).toEqual(expected);
  });

  it('global pools reduce every spatial axis', () => {
    const x = iota([1, 2, 2, 2]);
    const avg = ev('GlobalAveragePool', [x]);
    expect(avg.dims).toEqual([1, 2, 1, 1]);
    expect(values(avg)).toEqual([1.5, 5.5]);
    expect(values(ev('GlobalMaxPool', [x]))).toEqual([3, 7]);
  });
});

describe('linear ops', () => {
  const A = [1, 2, 3, 4, 5, 6]; // [[1,2,3],[4,5,6]]
  const At = [1, 4, 2, 5, 3, 6];
  const B = [1, 0, 0, 1, 1, 1]; // [[1,0],[0,1],[1,1]]
  const Bt = [1, 0, 1, 0, 1, 1];

  it('Gemm: every combination of transA / transB, alpha, beta and a broadcast C', () => {
    // 2 * A B + 0.5 * [1, -1] = 2 * [[4, 5], [10, 11]] + [0.5, -0.5]
    const expected = [8.5, 9.5, 20.5, 21.5];
    const C = tensor([2], [1, -1]);
    for (const transA of [0, 1]) {
      for (const transB of [0, 1]) {
        const a = transA ? tensor([3, 2], At) : tensor([2, 3], A);
        const b = transB ? tensor([2, 3], Bt) : tensor([3, 2], B);
        const y = ev('Gemm', [a, b, C], { transA, transB, alpha: 2, beta: 0.5 });
        expect(y.dims).toEqual([2, 2]);
        expect(values(y), `transA ${transA} transB ${transB}`).toEqual(expected);
      }
    }
    // Without C and with a [2, 1] column bias.
    expect(values(ev('Gemm', [tensor([2, 3], A), tensor([3, 2], B)]))).toEqual([4, 5, 10, 11]);
    expect(values(ev('Gemm', [tensor([2, 3], A), tensor([3, 2], B), tensor([2, 1], [1, 2])]))).toEqual([
      5, 6, 12, 13,
    ]);
  });

  it('MatMul: 2-D, broadcast batches and 1-D operands', () => {
    expect(values(ev('MatMul', [tensor([2, 3], A), tensor([3, 2], B)]))).toEqual([4, 5, 10, 11]);
    const batched = ev('MatMul', [tensor([2, 1, 3], [...A.slice(0, 3), ...A.slice(3)]), tensor([3, 2], B)]);
    expect(batched.dims).toEqual([2, 1, 2]);
    expect(values(batched)).toEqual([4, 5, 10, 11]);
    const both = ev('MatMul', [tensor([1, 2, 3], A), tensor([2, 3, 1], [1, 0, 0, 0, 0, 1])]);
    expect(both.dims).toEqual([2, 2, 1]);
    expect(values(both)).toEqual([1, 4, 3, 6]);
    const vec = ev('MatMul', [tensor([3], [1, 1, 1]), tensor([3, 2], B)]);
    expect(vec.dims).toEqual([2]);
    expect(values(vec)).toEqual([2, 2]);
  });

  it('Conv adds the bias per output channel (2-D grouped and 1-D)', () => {
    // Two groups of one channel: y0 = 2 * x0 + 1, y1 = -x1 - 1 with a 1x1 kernel.
    const x = iota([1, 2, 2, 2]);
    const y = ev('Conv', [x, tensor([2, 1, 1, 1], [2, -1]), tensor([2], [1, -1])], { group: 2 });
    expect(y.dims).toEqual([1, 2, 2, 2]);
    expect(values(y)).toEqual([1, 3, 5, 7, -5, -6, -7, -8]);
    // 1-D: kernel [1, 1] over [0, 1, 2, 3] with pad 1 on the left only.
    const y1 = ev('Conv', [iota([1, 1, 4]), tensor([1, 1, 2], [1, 1]), tensor([1], [0.5])], { pads: [1, 0] });
    expect(y1.dims).toEqual([1, 1, 4]);
    expect(values(y1)).toEqual([0.5, 1.5, 3.5, 5.5]);
  });

  it('BatchNormalization in inference mode', () => {
    const x = tensor([1, 2, 1, 2], [1, 2, 3, 4]);
    const p = (a: number, b: number) => tensor([2], [a, b]);
    const y = ev('BatchNormalization', [x, p(2, 1), p(0, 1), p(1, 3), p(4, 0.25)], { epsilon: 0 });
    // (x - mean) * scale / sqrt(var) + bias
    expect(values(y)).toEqual([0, 1, 1, 3]);
  });
});

describe('element-wise ops', () => {
  it('broadcasting Add, Sub, Mul, Div, Pow and n-ary Sum', () => {
    const a = tensor([2, 1, 3], [1, 2, 3, 4, 5, 6]);
    const b = tensor([4, 1], [0, 10, 20, 30]);
    const y = ev('Add', [a, b]);
    expect(y.dims).toEqual([2, 4, 3]);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) expected.push(a.data[i * 3 + k] + b.data[j]);
    expect(values(y)).toEqual(expected);
    expect(values(ev('Sub', [tensor([2], [5, 7]), tensor([], [1])]))).toEqual([4, 6]);
    expect(values(ev('Mul', [tensor([2, 2], [1, 2, 3, 4]), tensor([2, 1], [10, -1])]))).toEqual([
      10, 20, -3, -4,
    ]);
    expect(values(ev('Div', [tensor([1], [1]), tensor([2], [4, -2])]))).toEqual([0.25, -0.5]);
    expect(values(ev('Pow', [tensor([2], [2, 9]), tensor([2], [3, 0.5])]))).toEqual([8, 3]);
    const s = ev('Sum', [tensor([2], [1, 2]), tensor([2, 1], [10, 20]), tensor([], [100])]);
    expect(s.dims).toEqual([2, 2]);
    expect(values(s)).toEqual([111, 112, 121, 122]);
    expect(() => ev('Add', [tensor([3], [1, 2, 3]), tensor([2], [1, 2])])).toThrow(/cannot be broadcast/);
  });

  it('activations', () => {
    const x = tensor([5], [-6, -1, 0, 1, 6]);
    expect(values(ev('Relu', [x]))).toEqual([0, 0, 0, 1, 6]);
    expect(values(ev('LeakyRelu', [x], { alpha: 0.5 }))).toEqual([-3, -0.5, 0, 1, 6]);
    expect(values(ev('Clip', [x], { min: -1, max: 2 }))).toEqual([-1, -1, 0, 1, 2]);
    expect(values(ev('Clip', [x, tensor([], [0]), tensor([], [1])], {}, { opset: 11 }))).toEqual([
      0, 0, 0, 1, 1,
    ]);
    expect(values(ev('HardSigmoid', [x]))).toEqual([0, 0.3, 0.5, 0.7, 1]);
    expectClose(values(ev('HardSwish', [x])), [0, -1 / 3, 0, 2 / 3, 6]);
    expectClose(values(ev('Sigmoid', [tensor([1], [0])])), [0.5]);
    expectClose(values(ev('Tanh', [tensor([1], [Math.log(2)])])), [0.6]);
    expect(values(ev('Abs', [x]))).toEqual([6, 1, 0, 1, 6]);
    expect(values(ev('Neg', [x]))).toEqual([6, 1, -0, -1, -6]);
    expect(values(ev('Sqrt', [tensor([2], [4, 9])]))).toEqual([2, 3]);
    expectClose(values(ev('Exp', [tensor([1], [Math.log(3)])])), [3]);
  });

  it('Softmax: flattening before opset 13, a single axis from 13', () => {
    const x = tensor([1, 2, 2], [0, Math.log(3), 0, 0]);
    // opset 11, axis 1: softmax over the flattened [1, 4].
    expectClose(values(ev('Softmax', [x], { axis: 1 }, { opset: 11 })), [1 / 6, 1 / 2, 1 / 6, 1 / 6]);
    // opset 13, axis 1: along axis 1 only, separately for each last index.
    expectClose(values(ev('Softmax', [x], { axis: 1 })), [0.5, 0.75, 0.5, 0.25]);
    // opset 13 default axis -1.
    expectClose(values(ev('Softmax', [x])), [0.25, 0.75, 0.5, 0.5]);
    // opset 11 default axis 1 equals the explicit one.
    expectClose(values(ev('Softmax', [x], {}, { opset: 11 })), [1 / 6, 1 / 2, 1 / 6, 1 / 6]);
    expectClose(values(ev('LogSoftmax', [x])), [0.25, 0.75, 0.5, 0.5].map(Math.log));
  });

  it('Equal, Where, Cast', () => {
    const eq = ev('Equal', [tensor([3], [1, 2, 3]), tensor([1], [2])]);
    expect(values(eq)).toEqual([0, 1, 0]);
    expect(values(ev('Where', [eq, tensor([3], [7, 8, 9]), tensor([], [0])]))).toEqual([0, 8, 0]);
    const x = tensor([4], [1.7, -1.7, 0.1, 0]);
    expect(values(ev('Cast', [x], { to: 7 }))).toEqual([1, -1, 0, 0]);
    expect(values(ev('Cast', [x], { to: 9 }))).toEqual([1, 1, 1, 0]);
    expect(values(ev('Cast', [x], { to: 1 }))).toEqual([1.7, -1.7, 0.1, 0].map(Math.fround));
    expect(() => ev('Cast', [x], { to: 8 })).toThrow(/cast to data type 8/);
  });

  it('ReduceMean / ReduceSum with keepdims and negative axes', () => {
    const x = iota([2, 3]);
    const m = ev('ReduceMean', [x], { axes: [-1] });
    expect(m.dims).toEqual([2, 1]);
    expect(values(m)).toEqual([1, 4]);
    const s = ev('ReduceSum', [x], { axes: [0], keepdims: 0 }, { opset: 11 });
    expect(s.dims).toEqual([3]);
    expect(values(s)).toEqual([3, 5, 7]);
    expect(values(ev('ReduceSum', [x], { keepdims: 0 }))).toEqual([15]);
  });
});

describe('data movement', () => {
  it('Reshape: 0 copies a dimension, -1 is inferred, allowzero keeps a literal 0', () => {
    const x = iota([2, 3, 4]);
    expect(ev('Reshape', [x], { shape: [0, -1] }).dims).toEqual([2, 12]);
    expect(ev('Reshape', [x], { shape: [-1, 0, 2] }).dims).toEqual([4, 3, 2]);
    expect(ev('Reshape', [x, tensor([2], [3, -1])], {}).dims).toEqual([3, 8]);
    expect(values(ev('Reshape', [x], { shape: [24] }))).toEqual(values(x));
    expect(ev('Reshape', [tensor([0, 3])], { shape: [3, 0], allowzero: 1 }).dims).toEqual([3, 0]);
    expect(() => ev('Reshape', [x], { shape: [-1, -1] })).toThrow(/more than one -1/);
    expect(() => ev('Reshape', [x], { shape: [5, -1] })).toThrow(/cannot reshape/);
  });

  it('Flatten, Squeeze, Unsqueeze, Transpose', () => {
    const x = iota([2, 3, 4]);
    expect(ev('Flatten', [x]).dims).toEqual([2, 12]);
    expect(ev('Flatten', [x], { axis: 0 }).dims).toEqual([1, 24]);
    expect(ev('Flatten', [x], { axis: -1 }).dims).toEqual([6, 4]);
    expect(ev('Squeeze', [iota([1, 3, 1])]).dims).toEqual([3]);
    expect(ev('Unsqueeze', [iota([3])], { axes: [0, 2] }).dims).toEqual([1, 3, 1]);
    const t = ev('Transpose', [iota([2, 3])]);
    expect(t.dims).toEqual([3, 2]);
    expect(values(t)).toEqual([0, 3, 1, 4, 2, 5]);
    const p = ev('Transpose', [iota([2, 1, 3])], { perm: [2, 0, 1] });
    expect(p.dims).toEqual([3, 2, 1]);
    expect(values(p)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('Concat and Split along an inner axis', () => {
    const c = ev('Concat', [iota([2, 1]), iota([2, 2], 10)], { axis: -1 });
    expect(c.dims).toEqual([2, 3]);
    expect(values(c)).toEqual([0, 10, 11, 1, 12, 13]);
    const [a, b] = evalOp('Split', [c], { axis: 1, split: [2, 1] }, { outputs: 2 });
    expect([a.dims, values(a), b.dims, values(b)]).toEqual([
      [2, 2],
      [0, 10, 1, 12],
      [2, 1],
      [11, 13],
    ]);
    const parts = evalOp('Split', [iota([5])], { num_outputs: 3 }, { opset: 18, outputs: 3 });
    expect(parts.map(values)).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('Pad: constant, edge and reflect, and negative pads crop', () => {
    const x = tensor([2, 2], [1, 2, 3, 4]);
    const pads = [1, 0, 0, 1];
    expect(values(ev('Pad', [x], { pads, value: 9 }))).toEqual([9, 9, 9, 1, 2, 9, 3, 4, 9]);
    expect(values(ev('Pad', [x], { pads, mode: 'edge' }))).toEqual([1, 2, 2, 1, 2, 2, 3, 4, 4]);
    expect(values(ev('Pad', [x], { pads, mode: 'reflect' }))).toEqual([3, 4, 3, 1, 2, 1, 3, 4, 3]);
    const crop = ev('Pad', [x], { pads: [0, -1, 0, 0] });
    expect([crop.dims, values(crop)]).toEqual([
      [2, 1],
      [2, 4],
    ]);
  });

  it('Slice (negative indices and steps), Gather, Shape', () => {
    const x = iota([3, 4]);
    const s = ev('Slice', [x, tensor([1], [-1]), tensor([1], [-1e19]), tensor([1], [1]), tensor([1], [-2])]);
    expect([s.dims, values(s)]).toEqual([
      [3, 2],
      [3, 1, 7, 5, 11, 9],
    ]);
    const s1 = ev('Slice', [x], { starts: [1, 1], ends: [3, 1000] }, { opset: 9 });
    expect([s1.dims, values(s1)]).toEqual([
      [2, 3],
      [5, 6, 7, 9, 10, 11],
    ]);
    const g = ev('Gather', [x, tensor([2], [-1, 0])], { axis: 1 });
    expect([g.dims, values(g)]).toEqual([
      [3, 2],
      [3, 0, 7, 4, 11, 8],
    ]);
    const g0 = ev('Gather', [x, tensor([], [1])]);
    expect([g0.dims, values(g0)]).toEqual([[4], [4, 5, 6, 7]]);
    expect(() => ev('Gather', [x, tensor([1], [3])])).toThrow(/index 3 out of range/);
    expect(values(ev('Shape', [iota([2, 3, 4])]))).toEqual([2, 3, 4]);
    expect(values(ev('Shape', [iota([2, 3, 4])], { start: -2 }))).toEqual([3, 4]);
  });

  it('Constant and ConstantOfShape', () => {
    expect(values(ev('Constant', [], { value: tensor([2], [1, 2]) }))).toEqual([1, 2]);
    expect(values(ev('Constant', [], { value_ints: [3, 4] }))).toEqual([3, 4]);
    const c = ev('ConstantOfShape', [tensor([2], [2, 1])], { value: tensor([1], [7]) });
    expect([c.dims, values(c)]).toEqual([
      [2, 1],
      [7, 7],
    ]);
    expect(values(ev('ConstantOfShape', [tensor([1], [2])]))).toEqual([0, 0]);
  });
});

describe('errors and runForward', () => {
  it('names the op and node it cannot evaluate', () => {
    expect(() => ev('Resize', [iota([1])])).toThrow(
      "no forward evaluator for op Resize (node 'Resize_test')",
    );
    expect(hasEvaluator({ opType: 'Conv', domain: 'com.microsoft' })).toBe(false);
    expect(hasEvaluator({ opType: 'Conv', domain: '' })).toBe(true);
  });

  it('runs a graph and returns inputs, initializers and every node output', () => {
    const g: IrGraph = {
      ...graph(13),
      inputs: [{ name: 'x', elemType: 'float32', shape: [1, 2] }],
      outputs: [{ name: 'y', elemType: 'float32', shape: [1, 2] }],
      initializers: new Map([['b', tensor([2], [1, -1])]]),
      shapes: new Map([['x', [1, 2]]]),
      nodes: [
        { name: 'add', opType: 'Add', domain: '', inputs: ['x', 'b'], outputs: ['s'], attrs: {} },
        { name: 'relu', opType: 'Relu', domain: '', inputs: ['s'], outputs: ['y'], attrs: {} },
      ],
    };
    const v = runForward(g, { x: { dims: [1, 2], data: Float32Array.of(0.5, 0.5) } });
    expect([...v.keys()].sort()).toEqual(['b', 's', 'x', 'y']);
    expect(v.get('x')!.data).toBeInstanceOf(Float64Array);
    expect(values(v.get('s')!)).toEqual([1.5, -0.5]);
    expect(values(v.get('y')!)).toEqual([1.5, 0]);
    expect(() => runForward(g, {})).toThrow(/no value fed for graph input 'x'/);
    expect(() => runForward(g, { x: tensor([2, 2]) })).toThrow(/prepared for \[1,2\]/);
  });
});
