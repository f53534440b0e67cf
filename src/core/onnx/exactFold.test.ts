/**
 * Constant folding with element types, op by op against the examples of the ONNX operator specification
 * (onnx/docs/Operators.md), plus the integer cases the specification leaves to the runtime (truncating
 * Div, as onnxruntime does) and the refusals: a value its type cannot hold is an error, never rounded.
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor';
import { evalExact, foldsExactly } from './exactFold';
import type { AttrValue, ElemType, IrGraph, IrNode } from './ir';

const G = { opset: 13 } as IrGraph;

interface In {
  dims: number[];
  data: number[];
  type: ElemType;
}

const i64 = (data: number[], dims = [data.length]): In => ({ dims, data, type: 'int64' });
const i32 = (data: number[], dims = [data.length]): In => ({ dims, data, type: 'int32' });
const f32 = (data: number[], dims = [data.length]): In => ({ dims, data, type: 'float32' });
const scalar = (v: number, type: ElemType = 'int64'): In => ({ dims: [], data: [v], type });

function fold(
  opType: string,
  inputs: (In | undefined)[],
  attrs: Record<string, AttrValue> = {},
  outputs = 1,
) {
  const node: IrNode = {
    name: 'n',
    opType,
    domain: '',
    inputs: inputs.map((t, i) => (t ? `in${i}` : '')),
    outputs: Array.from({ length: outputs }, (_, i) => `out${i}`),
    attrs,
  };
  const tensors = inputs.map(
    (t): Tensor | undefined => t && { dims: t.dims, data: Float64Array.from(t.data) },
  );
  return evalExact(
    G,
    node,
    tensors,
    inputs.map((t) => t?.type),
  ).map(({ tensor, type }) => ({ dims: [...tensor.dims], data: Array.from(tensor.data), type }));
}

const one = (...a: Parameters<typeof fold>) => fold(...a)[0];

describe('integer arithmetic', () => {
  it('Div: the spec example, and integer division truncating toward zero (int64 and int32)', () => {
    expect(one('Div', [f32([3, 4]), f32([1, 2])])).toEqual({ dims: [2], data: [3, 2], type: 'float32' });
    expect(one('Div', [i64([3, 4]), i64([1, 2])])).toEqual({ dims: [2], data: [3, 2], type: 'int64' });
    expect(one('Div', [i64([25, -7, 7, -7]), i64([2, 2, -2, -2])]).data).toEqual([12, -3, -3, 3]);
    expect(one('Div', [i32([25]), scalar(2, 'int32')])).toEqual({ dims: [1], data: [12], type: 'int32' });
    // Floating point keeps its fraction.
    expect(one('Div', [f32([25]), f32([2])]).data).toEqual([12.5]);
    expect(() => one('Div', [i64([1]), i64([0])])).toThrow("Div 'n': integer division by zero");
  });

  it('Mod: the spec examples for fmod = 0 (divisor sign), fmod = 1 (dividend sign) and broadcasting', () => {
    const x = [-4, 7, 5, 4, -7, 8];
    const y = [2, -3, 8, -2, 3, 5];
    expect(one('Mod', [i64(x), i64(y)]).data).toEqual([0, -2, 5, 0, 2, 3]);
    expect(one('Mod', [i64(x), i64(y)], { fmod: 1 }).data).toEqual([0, 1, 5, 0, -1, 3]);
    const fx = [-4.3, 7.2, 5.0, 4.3, -7.2, 8.0];
    const fy = [2.1, -3.4, 8.0, -2.1, 3.4, 5.0];
    const fm = one('Mod', [f32(fx), f32(fy)], { fmod: 1 }).data;
    [-0.1, 0.4, 5, 0.1, -0.4, 3].forEach((v, i) => expect(fm[i]).toBeCloseTo(v, 12));
    // test_mod_broadcast: arange(30).reshape(3, 2, 5) mod 7.
    const arange = Array.from({ length: 30 }, (_, i) => i);
    const b = one('Mod', [i64(arange, [3, 2, 5]), i64([7])]);
    expect(b.dims).toEqual([3, 2, 5]);
    expect(b.data).toEqual(arange.map((v) => v % 7));
    expect(() => one('Mod', [f32([1.5]), f32([1])])).toThrow('needs fmod = 1');
    expect(() => one('Mod', [i64([1]), i64([0])])).toThrow('integer modulo by zero');
  });

  it('Add, Sub and Mul stay integers; a result past 2^53 or the int32 range is refused', () => {
    expect(one('Add', [i64([24]), i64([1])])).toEqual({ dims: [1], data: [25], type: 'int64' });
    expect(one('Mul', [i64([12]), scalar(2)]).data).toEqual([24]);
    expect(one('Sub', [i32([5]), i32([7])])).toEqual({ dims: [1], data: [-2], type: 'int32' });
    expect(() => one('Mul', [i64([2 ** 40]), i64([2 ** 20])])).toThrow(
      "Mul 'n': folded int64 value 1152921504606847000 of 'out0' is outside the int64 range that folds exactly",
    );
    expect(() => one('Add', [i32([2 ** 31 - 1]), i32([1])])).toThrow('outside the int32 range');
    // INT64_MAX ("to the end" in exported Slices) is read as 2^63 and may still be moved around.
    expect(one('Concat', [i64([0]), i64([2 ** 63])], { axis: 0 }).data).toEqual([0, 2 ** 63]);
  });

  it('Floor and Ceil: the spec examples', () => {
    expect(one('Floor', [f32([-1.5, 1.2, 2])]).data).toEqual([-2, 1, 2]);
    expect(one('Ceil', [f32([-1.5, 1.2])]).data).toEqual([-1, 2]);
  });

  it('Min, Max, comparisons and Not', () => {
    expect(one('Max', [f32([3, 2, 1]), f32([1, 4, 4]), f32([2, 5, 3])]).data).toEqual([3, 5, 4]);
    expect(one('Min', [i64([3, 2, 1]), i64([1, 4, 4])])).toEqual({
      dims: [3],
      data: [1, 2, 1],
      type: 'int64',
    });
    expect(one('Less', [i64([1, 5]), i64([3])])).toEqual({ dims: [2], data: [1, 0], type: 'bool' });
    expect(one('GreaterOrEqual', [i64([1, 3]), i64([3])]).data).toEqual([0, 1]);
    expect(one('Equal', [i64([1, 3]), i64([3])]).data).toEqual([0, 1]);
    expect(one('Not', [{ dims: [2], data: [1, 0], type: 'bool' }]).data).toEqual([0, 1]);
  });
});

describe('Cast', () => {
  it('to integers truncates toward zero; to float32 rounds to single precision', () => {
    expect(one('Cast', [f32([12.5, -12.5, 3.99])], { to: 7 })).toEqual({
      dims: [3],
      data: [12, -12, 3],
      type: 'int64',
    });
    expect(one('Cast', [i64([25])], { to: 1 })).toEqual({ dims: [1], data: [25], type: 'float32' });
    expect(one('Cast', [f32([0.1])], { to: 1 }).data).toEqual([Math.fround(0.1)]);
    expect(one('Cast', [f32([0, -2])], { to: 9 })).toEqual({ dims: [2], data: [0, 1], type: 'bool' });
  });

  it('refuses values the target cannot hold and does not fold casts to float16 or string', () => {
    expect(() => one('Cast', [f32([3e9])], { to: 6 })).toThrow('outside the int32 range');
    expect(() => one('Cast', [f32([NaN])], { to: 7 })).toThrow("Cast 'n': cannot cast NaN to int64");
    expect(() => one('Cast', [f32([300])], { to: 2 })).toThrow('outside the uint8 range');
    const node = (to: number): IrNode => ({
      name: 'c',
      opType: 'Cast',
      domain: '',
      inputs: ['x'],
      outputs: ['y'],
      attrs: { to },
    });
    expect(foldsExactly(node(10))).toBe(false);
    expect(foldsExactly(node(8))).toBe(false);
    expect(foldsExactly(node(7))).toBe(true);
  });
});

describe('Range and Expand', () => {
  it('Range: the spec examples (positive and negative delta), in the start type', () => {
    expect(one('Range', [scalar(3), scalar(9), scalar(3)])).toEqual({
      dims: [2],
      data: [3, 6],
      type: 'int64',
    });
    expect(one('Range', [scalar(10), scalar(4), scalar(-2)]).data).toEqual([10, 8, 6]);
    expect(one('Range', [scalar(1, 'float32'), scalar(2, 'float32'), scalar(0.25, 'float32')]).data).toEqual([
      1, 1.25, 1.5, 1.75,
    ]);
    expect(one('Range', [scalar(5), scalar(1), scalar(1)]).dims).toEqual([0]);
    expect(() => one('Range', [scalar(0), scalar(4), scalar(0)])).toThrow('delta is 0');
  });

  it('Expand: the spec examples (output larger than either operand, and smaller target shape)', () => {
    const data = f32([1, 2, 3], [3, 1]);
    const dim = one('Expand', [data, i64([2, 1, 6])]);
    expect(dim.dims).toEqual([2, 3, 6]);
    expect(dim.data.slice(0, 12)).toEqual([...Array(6).fill(1), ...Array(6).fill(2)]);
    const unchanged = one('Expand', [data, i64([3, 4])]);
    expect(unchanged).toEqual({
      dims: [3, 4],
      data: [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3],
      type: 'float32',
    });
  });
});

describe('data movement on integers keeps int64', () => {
  it('Shape: the spec examples with start and end', () => {
    const x = f32(Array(60).fill(0), [3, 4, 5]);
    expect(one('Shape', [x])).toEqual({ dims: [3], data: [3, 4, 5], type: 'int64' });
    expect(one('Shape', [x], { start: 1 }).data).toEqual([4, 5]);
    expect(one('Shape', [x], { end: 1 }).data).toEqual([3]);
    expect(one('Shape', [x], { start: -1 }).data).toEqual([5]);
    expect(one('Shape', [x], { end: -1 }).data).toEqual([3, 4]);
  });

  it('Gather: the spec example (axis 0) on int64 values, and a scalar index', () => {
    const data = i64([10, 12, 23, 34, 45, 57], [3, 2]);
    expect(one('Gather', [data, i64([0, 1, 1, 2], [2, 2])])).toEqual({
      dims: [2, 2, 2],
      data: [10, 12, 23, 34, 23, 34, 45, 57],
      type: 'int64',
    });
    expect(one('Gather', [i64([1, 24, 16, 16]), scalar(1)])).toEqual({ dims: [], data: [24], type: 'int64' });
  });

  it('Slice: the spec examples (steps, and ends past the end)', () => {
    const data = i64([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]);
    expect(one('Slice', [data], { starts: [1, 0], ends: [2, 3], axes: [0, 1], steps: [1, 2] })).toEqual({
      dims: [1, 2],
      data: [5, 7],
      type: 'int64',
    });
    expect(one('Slice', [data], { starts: [0, 1], ends: [-1, 1000] }).data).toEqual([2, 3, 4]);
  });

  it('Concat, Unsqueeze and Squeeze: the spec examples', () => {
    expect(one('Concat', [i64([1, 2, 3, 4], [2, 2]), i64([5, 6, 7, 8], [2, 2])], { axis: 1 })).toEqual({
      dims: [2, 4],
      data: [1, 2, 5, 6, 3, 4, 7, 8],
      type: 'int64',
    });
    expect(one('Unsqueeze', [i64(Array(60).fill(7), [3, 4, 5])], { axes: [2, 4, 5] }).dims).toEqual([
      3, 4, 1, 5, 1, 1,
    ]);
    expect(one('Unsqueeze', [scalar(12)], { axes: [0] })).toEqual({ dims: [1], data: [12], type: 'int64' });
    expect(one('Squeeze', [i64(Array(60).fill(7), [1, 3, 4, 5])], { axes: [0] })).toMatchObject({
      dims: [3, 4, 5],
      type: 'int64',
    });
  });

  it('ConstantOfShape takes the element type of its value attribute', () => {
    const node: IrNode = {
      name: 'c',
      opType: 'ConstantOfShape',
      domain: '',
      inputs: ['s'],
      outputs: ['y'],
      attrs: { value: { dims: [1], data: Float64Array.of(0) } },
      attrTypes: { value: 'int64' },
    };
    const [out] = evalExact(G, node, [{ dims: [1], data: Float64Array.of(2) }], ['int64']);
    expect(out.type).toBe('int64');
    const floatNode = { ...node, attrTypes: undefined };
    expect(evalExact(G, floatNode, [{ dims: [1], data: Float64Array.of(2) }], ['int64'])[0].type).toBe(
      'float32',
    );
  });
});
