/**
 * One form for arguments that ONNX moved from attributes to inputs between opsets 7 and 21 (Clip min/max,
 * Reshape shape, Pad pads/value/axes, Squeeze/Unsqueeze axes, Split split, Reduce* axes, Slice ranges):
 * when such an input is a constant it becomes the attribute of the old form, so later code reads attributes.
 * The forward evaluator reads either form through `intsArg` / `scalarArg`, so graphs whose argument is
 * computed at run time still evaluate.
 */
import { ownEntry } from '../own-entry';
import type { Tensor } from '../tensor';
import type { AttrValue, IrNode } from './ir';

interface MovedArg {
  input: number;
  attr: string;
  kind: 'ints' | 'scalar';
}

const AXES: MovedArg[] = [{ input: 1, attr: 'axes', kind: 'ints' }];

const MOVED_ARGS: Readonly<Record<string, readonly MovedArg[]>> = {
  Clip: [
    { input: 1, attr: 'min', kind: 'scalar' },
    { input: 2, attr: 'max', kind: 'scalar' },
  ],
  Reshape: [{ input: 1, attr: 'shape', kind: 'ints' }],
  Pad: [
    { input: 1, attr: 'pads', kind: 'ints' },
    { input: 2, attr: 'value', kind: 'scalar' },
    { input: 3, attr: 'axes', kind: 'ints' },
  ],
  Squeeze: AXES,
  Unsqueeze: AXES,
  ReduceMean: AXES,
  ReduceSum: AXES,
  Split: [{ input: 1, attr: 'split', kind: 'ints' }],
  Slice: [
    { input: 1, attr: 'starts', kind: 'ints' },
    { input: 2, attr: 'ends', kind: 'ints' },
    { input: 3, attr: 'axes', kind: 'ints' },
    { input: 4, attr: 'steps', kind: 'ints' },
  ],
};

/** Ops whose inputs after the first only matter in training (Dropout ratio and training_mode, opset 12+). */
const TRAINING_ONLY_INPUTS = new Set(['Dropout']);

/**
 * Input positions of int-list arguments (shapes, axes, pads, ranges): output shapes depend on them, so
 * shape inference needs them constant.
 */
export function intArgInputs(opType: string): number[] {
  return (ownEntry(MOVED_ARGS, opType) ?? []).filter((a) => a.kind === 'ints').map((a) => a.input);
}

function movedArg(node: IrNode, attr: string): MovedArg | undefined {
  return ownEntry(MOVED_ARGS, node.opType)?.find((a) => a.attr === attr);
}

/** The value of an int-list argument in either form, or undefined when absent. */
export function intsArg(
  node: IrNode,
  inputs: readonly (Tensor | undefined)[],
  attr: string,
): number[] | undefined {
  const v = node.attrs[attr];
  if (Array.isArray(v)) return v as number[];
  const arg = movedArg(node, attr);
  const t = arg && inputs[arg.input];
  return t ? Array.from(t.data) : undefined;
}

/** The value of a scalar argument in either form, or undefined when absent. */
export function scalarArg(
  node: IrNode,
  inputs: readonly (Tensor | undefined)[],
  attr: string,
): number | undefined {
  const v = node.attrs[attr];
  if (typeof v === 'number') return v;
  const arg = movedArg(node, attr);
  const t = arg && inputs[arg.input];
  if (!t) return undefined;
  if (t.data.length !== 1) throw new Error(`${node.opType} '${node.name}': ${attr} must be a scalar`);
  return t.data[0];
}

/**
 * An int-list argument's values; a fraction (a shape computed in floating point) is refused rather than
 * truncated or, worse, used as it is (a Slice end of 12.5 takes 13 channels).
 */
function integerList(node: IrNode, attr: string, t: Tensor): number[] {
  const values = Array.from(t.data);
  const bad = values.find((v) => !Number.isInteger(v));
  if (bad !== undefined) {
    throw new Error(
      `${node.opType} '${node.name}': ${attr} [${values.join(',')}] holds ${bad}, not an integer`,
    );
  }
  return values;
}

/** Pads given for a subset of axes (Pad opset 18 `axes`) -> pads for every axis, [begins..., ends...]. */
export function padsForRank(
  pads: readonly number[],
  axes: readonly number[] | undefined,
  rank: number,
): number[] {
  if (!axes) {
    if (pads.length !== 2 * rank) throw new Error(`Pad: ${pads.length} pads for a rank-${rank} tensor`);
    return [...pads];
  }
  const full = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, i) => {
    const axis = a < 0 ? a + rank : a;
    full[axis] = pads[i];
    full[axis + rank] = pads[i + axes.length];
  });
  return full;
}

/**
 * The canonical form of one node. `constOf` returns the value of a constant tensor (undefined for data);
 * `rankOf` the rank of a value when known (to expand Pad axes).
 */
export function canonicalizeNode(
  node: IrNode,
  constOf: (name: string) => Tensor | undefined,
  rankOf: (name: string) => number | undefined,
): IrNode {
  const attrs: Record<string, AttrValue> = { ...node.attrs };
  const inputs = TRAINING_ONLY_INPUTS.has(node.opType) ? node.inputs.slice(0, 1) : [...node.inputs];
  for (const arg of ownEntry(MOVED_ARGS, node.opType) ?? []) {
    const name = inputs[arg.input];
    const t = name ? constOf(name) : undefined;
    if (!t) continue;
    attrs[arg.attr] = arg.kind === 'ints' ? integerList(node, arg.attr, t) : t.data[0];
    inputs[arg.input] = '';
  }
  while (inputs.length > 1 && inputs[inputs.length - 1] === '') inputs.pop();
  const onlyData = inputs.length === 1;

  if (node.opType === 'Clip' && onlyData) {
    attrs.min ??= -Infinity;
    attrs.max ??= Infinity;
  }
  if (node.opType === 'Pad') {
    // Pad-1 called the attribute `paddings`.
    if (attrs.paddings !== undefined) {
      attrs.pads ??= attrs.paddings;
      delete attrs.paddings;
    }
    attrs.mode ??= 'constant';
    if (onlyData) attrs.value ??= 0;
    const rank = rankOf(inputs[0]);
    if (Array.isArray(attrs.axes) && Array.isArray(attrs.pads) && rank !== undefined) {
      attrs.pads = padsForRank(attrs.pads as number[], attrs.axes as number[], rank);
      delete attrs.axes;
    }
  }
  return { ...node, inputs, attrs };
}
