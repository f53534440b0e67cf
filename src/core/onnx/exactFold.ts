/**
 * Constant folding that keeps element types: the arithmetic exporters emit for shapes (PyTorch's
 * `torch.chunk` is Shape -> Gather -> Add -> Div -> Mul -> Slice) runs on int64, where Div truncates and
 * Mod follows the divisor's sign. The float64 forward evaluator computes every op as real numbers, which
 * gives 25 / 2 = 12.5 where ONNX means 12; here integer ops run as integers, and any folded value that its
 * type cannot hold exactly (a fraction in an int64, an int64 beyond 2^53, an int32 beyond 2^31) is refused
 * with the node's name instead of being rounded.
 *
 * Ops the forward evaluator lacks but exporters use only on constants (Range, Expand, Mod, Floor, Ceil,
 * Min, Max, comparisons, Not) are evaluated here too.
 */
import { broadcastDims } from './shapeRules';
import { expandTo } from './broadcast';
import { evalNode, hasEvaluator } from '../reference/forward';
import { numel, type Tensor } from '../tensor';
import type { ElemType, IrGraph, IrNode } from './ir';
import { MAX_FOLDED_ELEMENTS } from './memory';
import { elemTypeName } from './proto';

/** Inclusive value range of each integer type; int64/uint64 stop at 2^53 (exact in float64). */
const INT_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  bool: [0, 1],
};

function isIntegerType(t: ElemType | undefined): boolean {
  return t !== undefined && Object.hasOwn(INT_RANGE, t);
}

type Typed = { tensor: Tensor; type: ElemType };
type ExactOp = (node: IrNode, x: readonly (Typed | undefined)[]) => Typed[];

function what(node: IrNode): string {
  return `${node.opType} '${node.name}'`;
}

function arg(node: IrNode, x: readonly (Typed | undefined)[], i: number): Typed {
  const t = x[i];
  if (!t) throw new Error(`${what(node)}: input ${i} is missing`);
  return t;
}

function numAttr(node: IrNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : fallback;
}

/** Element-wise op over broadcast inputs; `type` is the output's element type. */
function elementwise(
  node: IrNode,
  inputs: readonly Typed[],
  type: ElemType,
  f: (a: number, b: number, c: number) => number,
): Typed[] {
  const dims = broadcastDims(...inputs.map((t) => t.tensor.dims));
  const [a, b, c] = inputs.map((t) => expandTo(t.tensor.data, t.tensor.dims, dims));
  const out = new Float64Array(numel(dims));
  for (let i = 0; i < out.length; i++) out[i] = f(a[i], b?.[i] ?? 0, c?.[i] ?? 0);
  return [{ tensor: { dims, data: out }, type }];
}

/** Integer division of ONNX (onnxruntime, C): truncation toward zero; a zero divisor is refused. */
function intDiv(node: IrNode): (a: number, b: number) => number {
  return (a, b) => {
    if (b === 0) throw new Error(`${what(node)}: integer division by zero`);
    return Math.trunc(a / b);
  };
}

/** Mod: fmod = 0 takes the divisor's sign (Python %), fmod = 1 the dividend's (C fmod). */
function mod(node: IrNode, fmod: boolean, integer: boolean): (a: number, b: number) => number {
  return (a, b) => {
    if (b === 0 && integer) throw new Error(`${what(node)}: integer modulo by zero`);
    const r = a % b;
    if (fmod || r === 0) return r === 0 ? 0 : r;
    return r < 0 !== b < 0 ? r + b : r;
  };
}

const binaryInt: Readonly<Record<string, (node: IrNode) => (a: number, b: number) => number>> = {
  Add: () => (a, b) => a + b,
  Sub: () => (a, b) => a - b,
  Mul: () => (a, b) => a * b,
  Div: intDiv,
};

function unaryOp(f: (v: number) => number): ExactOp {
  return (node, x) => {
    const X = arg(node, x, 0);
    return [{ tensor: { dims: [...X.tensor.dims], data: X.tensor.data.map(f) }, type: X.type }];
  };
}

function compare(f: (a: number, b: number) => boolean): ExactOp {
  return (node, x) =>
    elementwise(node, [arg(node, x, 0), arg(node, x, 1)], 'bool', (a, b) => (f(a, b) ? 1 : 0));
}

function extremum(max: boolean): ExactOp {
  return (node, x) => {
    const terms = x.map((_, i) => arg(node, x, i));
    const dims = broadcastDims(...terms.map((t) => t.tensor.dims));
    const out = new Float64Array(numel(dims)).fill(max ? -Infinity : Infinity);
    for (const t of terms) {
      const v = expandTo(t.tensor.data, t.tensor.dims, dims);
      for (let i = 0; i < out.length; i++) out[i] = max ? Math.max(out[i], v[i]) : Math.min(out[i], v[i]);
    }
    return [{ tensor: { dims, data: out }, type: terms[0].type }];
  };
}

/** Range: max(ceil((limit - start) / delta), 0) values start, start + delta, ... (ONNX Range, opset 11). */
const range: ExactOp = (node, x) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => {
    const t = arg(node, x, i);
    if (t.tensor.data.length !== 1) throw new Error(`${what(node)}: input ${i} must be a scalar`);
    return t.tensor.data[0];
  });
  if (delta === 0) throw new Error(`${what(node)}: delta is 0`);
  const count = Math.max(Math.ceil((limit - start) / delta), 0);
  if (!Number.isFinite(count) || count > MAX_FOLDED_ELEMENTS)
    throw new Error(`${what(node)}: ${count} elements from ${start} to ${limit} by ${delta}`);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = start + i * delta;
  return [{ tensor: { dims: [count], data: out }, type: arg(node, x, 0).type }];
};

/** Expand: numpy broadcast of the input against `shape` (the output may be larger than either). */
const expand: ExactOp = (node, x) => {
  const X = arg(node, x, 0);
  const shape = Array.from(arg(node, x, 1).tensor.data);
  const dims = broadcastDims(X.tensor.dims, shape);
  const data = expandTo(X.tensor.data, X.tensor.dims, dims);
  return [{ tensor: { dims, data: data === X.tensor.data ? data.slice() : data }, type: X.type }];
};

/** Cast: to an integer type, truncation toward zero; values the target cannot hold are refused. */
const cast: ExactOp = (node, x) => {
  const X = arg(node, x, 0);
  const to = elemTypeName(numAttr(node, 'to', 0));
  const a = X.tensor.data;
  let data: Float64Array;
  if (to === 'float32') data = a.map((v) => Math.fround(v));
  else if (to === 'float64') data = a.slice();
  else if (to === 'bool') data = a.map((v) => (v !== 0 ? 1 : 0));
  else if (isIntegerType(to)) {
    data = a.map((v) => {
      if (!Number.isFinite(v)) throw new Error(`${what(node)}: cannot cast ${v} to ${to}`);
      return Math.trunc(v);
    });
  } else throw new Error(`${what(node)}: folding a cast to ${to} is not supported`); // see castFolds
  return [{ tensor: { dims: [...X.tensor.dims], data }, type: to }];
};

const where: ExactOp = (node, x) => {
  const [c, a, b] = [0, 1, 2].map((i) => arg(node, x, i));
  return elementwise(node, [c, a, b], a.type, (cv, av, bv) => (cv !== 0 ? av : bv));
};

/** Ops evaluated here whatever their types; the rest go to the forward evaluator unless integer-typed. */
const OWN_OPS: Readonly<Record<string, ExactOp>> = {
  Range: range,
  Expand: expand,
  Cast: cast,
  Where: where,
  Mod: (node, x) => {
    const a = arg(node, x, 0);
    const integer = isIntegerType(a.type);
    const fmod = numAttr(node, 'fmod', 0) === 1;
    if (!integer && !fmod) throw new Error(`${what(node)}: Mod of floating-point values needs fmod = 1`);
    return elementwise(node, [a, arg(node, x, 1)], a.type, mod(node, fmod, integer));
  },
  Floor: unaryOp(Math.floor),
  Ceil: unaryOp(Math.ceil),
  Min: extremum(false),
  Max: extremum(true),
  Less: compare((a, b) => a < b),
  LessOrEqual: compare((a, b) => a <= b),
  Greater: compare((a, b) => a > b),
  GreaterOrEqual: compare((a, b) => a >= b),
  Equal: compare((a, b) => a === b),
  Not: (node, x) => {
    const X = arg(node, x, 0);
    return [
      { tensor: { dims: [...X.tensor.dims], data: X.tensor.data.map((v) => (v ? 0 : 1)) }, type: 'bool' },
    ];
  },
};

/** Element type of an output computed by the forward evaluator, from the op and its input types. */
function forwardType(node: IrNode, types: readonly (ElemType | undefined)[]): ElemType {
  switch (node.opType) {
    case 'Shape':
      return 'int64';
    case 'ConstantOfShape':
      return node.attrTypes?.value ?? 'float32';
    default:
      return types[0] ?? 'float32';
  }
}

/** Cast targets a fold can produce exactly. */
function castFolds(node: IrNode): boolean {
  const to = elemTypeName(numAttr(node, 'to', 0));
  return to === 'float32' || to === 'float64' || isIntegerType(to);
}

/**
 * Whether a node of the default domain can be folded when its inputs are constants (a Cast to float16 or
 * string cannot: it stays in the graph for onnxruntime, and the coverage report names it if it matters).
 */
export function foldsExactly(node: IrNode): boolean {
  if (node.domain !== '') return false;
  if (node.opType === 'Cast') return castFolds(node);
  return Object.hasOwn(OWN_OPS, node.opType) || hasEvaluator(node);
}

/**
 * Ops that only move or select values: their integer outputs are copies of their inputs (INT64_MAX, the
 * "to the end" of exported Slices, passes through as the float64 2^63 it was read as).
 */
const COPIES_VALUES = new Set([
  'Gather',
  'Slice',
  'Concat',
  'Unsqueeze',
  'Squeeze',
  'Expand',
  'Reshape',
  'Flatten',
  'Identity',
  'Transpose',
  'Split',
  'Where',
  'Min',
  'Max',
  'ConstantOfShape',
]);

/** Refuse values that `type` cannot hold exactly: the fold would otherwise hand on a rounded number. */
function checkRepresentable(node: IrNode, output: string, { tensor, type }: Typed): void {
  const bounds = INT_RANGE[type];
  if (!bounds || COPIES_VALUES.has(node.opType)) return;
  const [lo, hi] = bounds;
  for (const v of tensor.data) {
    if (Number.isInteger(v) && v >= lo && v <= hi) continue;
    const why = Number.isInteger(v) ? `outside the ${type} range that folds exactly` : `not an integer`;
    throw new Error(`${what(node)}: folded ${type} value ${v} of '${output}' is ${why}`);
  }
}

/**
 * Evaluate one node on constant inputs ('' inputs undefined), each with its element type (undefined when
 * unknown: taken as float32). Returns the outputs in node.outputs order, each with its type.
 */
export function evalExact(
  g: IrGraph,
  node: IrNode,
  inputs: readonly (Tensor | undefined)[],
  types: readonly (ElemType | undefined)[],
): Typed[] {
  const typed = inputs.map((t, i) => (t ? { tensor: t, type: types[i] ?? 'float32' } : undefined));
  const own = Object.hasOwn(OWN_OPS, node.opType) ? OWN_OPS[node.opType] : undefined;
  const intBinary = Object.hasOwn(binaryInt, node.opType) && isIntegerType(typed[0]?.type);
  let out: Typed[];
  if (own) out = own(node, typed);
  else if (intBinary) {
    const [a, b] = [arg(node, typed, 0), arg(node, typed, 1)];
    out = elementwise(node, [a, b], a.type, binaryInt[node.opType](node));
  } else {
    const type = forwardType(node, types);
    out = evalNode(g, node, [...inputs]).map((tensor) => ({ tensor, type }));
  }
  out.forEach((t, i) => checkRepresentable(node, node.outputs[i] ?? '', t));
  return out;
}
