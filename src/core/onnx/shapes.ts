/**
 * Shape inference with concrete numbers: the batch is fixed (1, or the caller's input shape), so every
 * value of a prepared graph has a known shape.
 *
 * Ops without a rule here, or whose shape depends on a value computed at run time, leave their outputs
 * without a shape instead of failing: such a model can still be classified by onnxruntime, and the coverage
 * report names the op. Genuine inconsistencies (mismatched channels, bad broadcasts) throw.
 */
import { ownEntry } from '../own-entry';
import type { Tensor } from '../tensor';
import { intsArg, intArgInputs, padsForRank } from './canonical';
import { convGeometry, poolGeometry, spatialOutputDims } from './geometry';
import { resolveInputShapes, type InputShapeOptions } from './inputShape';
import type { IrGraph, IrNode } from './ir';
import {
  broadcastDims,
  concatDims,
  flattenDims,
  gatherDims,
  gemmDims,
  matmulDims,
  normAxis,
  padDims,
  reduceAxes,
  reduceDims,
  reshapeDims,
  shapeSlice,
  sliceRange,
  splitSizes,
  squeezeDims,
  transposePerm,
  unsqueezeDims,
} from './shapeRules';

type Dims = readonly number[];
/** Output dims from input dims (undefined for omitted inputs) and constant inputs; undefined = unknown. */
type ShapeRule = (
  node: IrNode,
  s: Dims[],
  consts: (Tensor | undefined)[],
  opset: number,
) => number[][] | undefined;

function num(node: IrNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : fallback;
}

const same: ShapeRule = (_node, s) => [[...s[0]]];
const broadcast: ShapeRule = (_node, s) => [broadcastDims(...s.filter((d) => d !== undefined))];

const pool: ShapeRule = (node, s) => {
  const dims = spatialOutputDims(s[0], s[0][1], poolGeometry(node, s[0]));
  return node.outputs.map(() => dims);
};

const SAME_SHAPE = [
  'Relu',
  'LeakyRelu',
  'Clip',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Neg',
  'Abs',
  'Sqrt',
  'Exp',
  'Identity',
  'Dropout',
  'Softmax',
  'LogSoftmax',
  'BatchNormalization',
  'Cast',
  'Floor',
  'Ceil',
  'Not',
];

const RULES: Readonly<Record<string, ShapeRule>> = {
  ...Object.fromEntries(SAME_SHAPE.map((op) => [op, same])),
  Add: broadcast,
  Sub: broadcast,
  Mul: broadcast,
  Div: broadcast,
  Pow: broadcast,
  Equal: broadcast,
  Sum: broadcast,
  Where: broadcast,
  Mod: broadcast,
  Min: broadcast,
  Max: broadcast,
  Less: broadcast,
  LessOrEqual: broadcast,
  Greater: broadcast,
  GreaterOrEqual: broadcast,
  Expand: (_node, s, c) => c[1] && [broadcastDims(s[0], Array.from(c[1].data))],
  Conv: (node, s) => [spatialOutputDims(s[0], s[1][0], convGeometry(node, s[0], s[1]))],
  Gemm: (node, s) => [gemmDims(s[0], s[1], num(node, 'transA', 0) === 1, num(node, 'transB', 0) === 1)],
  MatMul: (_node, s) => [matmulDims(s[0], s[1])],
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: (_node, s) => [[s[0][0], s[0][1], ...s[0].slice(2).map(() => 1)]],
  GlobalMaxPool: (_node, s) => [[s[0][0], s[0][1], ...s[0].slice(2).map(() => 1)]],
  Concat: (node, s) => [concatDims(s, num(node, 'axis', 0))],
  Split: (node, s, c, opset) => {
    const axis = normAxis(num(node, 'axis', 0), s[0].length);
    const count = opset >= 18 ? num(node, 'num_outputs', node.outputs.length) : node.outputs.length;
    return splitSizes(s[0][axis], intsArg(node, c, 'split'), count).map((size) => {
      const d = [...s[0]];
      d[axis] = size;
      return d;
    });
  },
  Flatten: (node, s) => [flattenDims(s[0], num(node, 'axis', 1))],
  Reshape: (node, s, c) => {
    const shape = intsArg(node, c, 'shape');
    return shape && [reshapeDims(s[0], shape, num(node, 'allowzero', 0) === 1)];
  },
  Squeeze: (node, s, c) => [squeezeDims(s[0], intsArg(node, c, 'axes'))],
  Unsqueeze: (node, s, c) => {
    const axes = intsArg(node, c, 'axes');
    return axes && [unsqueezeDims(s[0], axes)];
  },
  Transpose: (node, s) => {
    const perm = transposePerm(s[0].length, node.attrs.perm as number[] | undefined);
    return [perm.map((p) => s[0][p])];
  },
  Pad: (node, s, c) => {
    const pads = intsArg(node, c, 'pads');
    return pads && [padDims(s[0], padsForRank(pads, intsArg(node, c, 'axes'), s[0].length))];
  },
  Slice: (node, s, c) => {
    const starts = intsArg(node, c, 'starts');
    const ends = intsArg(node, c, 'ends');
    if (!starts || !ends) return undefined;
    return [sliceRange(s[0], starts, ends, intsArg(node, c, 'axes'), intsArg(node, c, 'steps')).out];
  },
  Gather: (node, s) => [gatherDims(s[0], s[1], num(node, 'axis', 0))],
  Shape: (node, s) => {
    const end = node.attrs.end;
    return [[shapeSlice(s[0], num(node, 'start', 0), typeof end === 'number' ? end : undefined).length]];
  },
  ConstantOfShape: (_node, _s, c) => c[0] && [Array.from(c[0].data)],
  Constant: (node) => {
    const v = node.attrs.value ?? node.attrs.value_floats ?? node.attrs.value_ints;
    if (Array.isArray(v)) return [[v.length]];
    return [typeof v === 'object' ? [...v.dims] : []];
  },
  ReduceMean: (node, s, c) => reduceRule(node, s, c),
  ReduceSum: (node, s, c) => reduceRule(node, s, c),
};

function reduceRule(node: IrNode, s: Dims[], c: (Tensor | undefined)[]): number[][] {
  const axes = reduceAxes(s[0].length, intsArg(node, c, 'axes'), num(node, 'noop_with_empty_axes', 0) === 1);
  return [reduceDims(s[0], axes, num(node, 'keepdims', 1) === 1)];
}

/**
 * Output shapes of one node, or undefined when they cannot be known before running it: no rule for the
 * op, an input without a shape, or an argument input (e.g. Reshape's shape) that is not a constant.
 */
export function inferNodeShapes(
  node: IrNode,
  shapeOf: (name: string) => Dims | undefined,
  constOf: (name: string) => Tensor | undefined,
  opset: number,
): number[][] | undefined {
  const rule = node.domain === '' ? ownEntry(RULES, node.opType) : undefined;
  if (!rule) return undefined;
  const s = node.inputs.map((n) => (n === '' ? undefined : shapeOf(n)));
  if (node.inputs.some((n, i) => n !== '' && s[i] === undefined)) return undefined;
  const consts = node.inputs.map((n) => (n === '' ? undefined : constOf(n)));
  if (intArgInputs(node.opType).some((i) => node.inputs[i] && !consts[i])) return undefined;
  try {
    return rule(node, s as Dims[], consts, opset);
  } catch (e) {
    throw new Error(`${node.opType} '${node.name}': ${(e as Error).message}`);
  }
}

/** The graph with `shapes` holding every value whose shape can be known (see the module comment). */
export function inferShapes(g: IrGraph, opts: InputShapeOptions = {}): IrGraph {
  const shapes = new Map<string, readonly number[]>(resolveInputShapes(g, opts));
  for (const [name, t] of g.initializers) shapes.set(name, t.dims);
  for (const node of g.nodes) {
    const out = inferNodeShapes(
      node,
      (n) => shapes.get(n),
      (n) => g.initializers.get(n),
      g.opset,
    );
    out?.forEach((dims, i) => {
      if (node.outputs[i]) shapes.set(node.outputs[i], dims);
    });
  }
  return { ...g, shapes };
}
