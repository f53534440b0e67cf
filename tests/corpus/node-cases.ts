/**
 * Random single-node graphs for the kernel tests: every op of the chain with shapes that exercise its
 * attributes (groups, depthwise, strides, dilations, asymmetric and auto pads, ceil_mode, ties,
 * broadcasting, trans flags), small enough for SwiftShader. All numbers are float32-representable, so the
 * float64 reference and the GPU see the same inputs and differ only by float32 arithmetic.
 */
import { GATE_ATTR } from '../../src/core/onnx/gates';
import type { AttrValue, IrGraph, IrNode } from '../../src/core/onnx/ir';
import {
  fluxOutputs,
  type AffineOp,
  type OpsOfKind,
  type OpTable,
  type RoutedOp,
} from '../../src/core/pane/ops';
import type { Flux } from '../../src/core/pane/types';
import { runForward } from '../../src/core/reference/forward';
import { makeGraph, type GraphSpec, type NodeSpec } from '../support/testkit';
import { numel, type Tensor } from '../../src/core/tensor';

export type Rng = () => number;

export interface NodeCase {
  label: string;
  g: IrGraph;
  node: IrNode;
  values: Map<string, Tensor>;
  /** Random incoming flux (T >= 0, |R| <= T) on every mass-carrying output. */
  incoming: Map<string, Flux>;
}

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

/** Uniform in [lo, hi), rounded to float32. */
export function randomF32(rng: Rng, dims: readonly number[], lo = -1, hi = 1): Tensor {
  const data = new Float64Array(numel(dims));
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(lo + (hi - lo) * rng());
  return { dims: [...dims], data };
}

/** Values on a coarse grid, so windows hold exact ties. */
function coarse(rng: Rng, dims: readonly number[]): Tensor {
  const data = new Float64Array(numel(dims));
  for (let i = 0; i < data.length; i++) data[i] = int(rng, -2, 2) * 0.5;
  return { dims: [...dims], data };
}

/** Post-ReLU-like data: about a third exact zeros, the rest signed. */
function sparse(rng: Rng, dims: readonly number[]): Tensor {
  const t = randomF32(rng, dims);
  for (let i = 0; i < t.data.length; i++) if (rng() < 0.3) t.data[i] = 0;
  return t;
}

export function randomFlux(rng: Rng, n: number): Flux {
  const T = new Float64Array(n);
  const R = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    T[i] = Math.fround(rng());
    R[i] = Math.fround(T[i] * (2 * rng() - 1));
  }
  return { T, R };
}

interface CaseSpec {
  label: string;
  inputs: Record<string, Tensor>;
  initializers?: Record<string, Tensor>;
  node: NodeSpec;
  opset?: number;
}

function build(rng: Rng, spec: CaseSpec): NodeCase {
  const graph: GraphSpec = {
    inputs: Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, t.dims])),
    initializers: spec.initializers,
    nodes: [spec.node],
    outputs: spec.node.outputs,
    opset: spec.opset,
  };
  const g = makeGraph(graph);
  const values = runForward(g, spec.inputs);
  const node = g.nodes[0];
  const incoming = new Map<string, Flux>();
  for (const o of fluxOutputs(node)) incoming.set(o, randomFlux(rng, values.get(o)!.data.length));
  return { label: spec.label, g, node, values, incoming };
}

const ints = (v: number[]): Tensor => ({ dims: [v.length], data: Float64Array.from(v) });

// ---------------------------------------------------------------------------------------------------------
// Affine ops

export function convCase(rng: Rng, i: number): NodeCase {
  const kind = pick(rng, ['dense', 'grouped', 'depthwise'] as const);
  const oneD = rng() < 0.15;
  let C: number, M: number, group: number;
  if (kind === 'dense') [C, M, group] = [int(rng, 1, 4), int(rng, 1, 5), 1];
  else if (kind === 'grouped') {
    group = pick(rng, [2, 3]);
    C = group * int(rng, 1, 2);
    M = group * int(rng, 1, 3);
  } else {
    C = int(rng, 1, 5);
    group = C;
    M = C * int(rng, 1, 2);
  }
  const kH = oneD ? 1 : int(rng, 1, 3);
  const kW = int(rng, 1, 3);
  const s = [oneD ? 1 : int(rng, 1, 3), int(rng, 1, 3)];
  const d = [oneD ? 1 : int(rng, 1, 2), int(rng, 1, 2)];
  const attrs: Record<string, AttrValue> = { group };
  const autoPad = rng() < 0.25 ? pick(rng, ['SAME_UPPER', 'SAME_LOWER', 'VALID']) : 'NOTSET';
  let pads = [0, 0, 0, 0];
  if (autoPad === 'NOTSET') {
    pads = [oneD ? 0 : int(rng, 0, 2), int(rng, 0, 2), oneD ? 0 : int(rng, 0, 2), int(rng, 0, 2)];
    attrs.pads = oneD ? [pads[1], pads[3]] : pads;
  } else attrs.auto_pad = autoPad;
  if (rng() < 0.5) attrs.strides = oneD ? [s[1]] : s;
  else s.fill(1);
  if (rng() < 0.5) attrs.dilations = oneD ? [d[1]] : d;
  else d.fill(1);
  // The dilated window must fit the (padded) input.
  const H = oneD ? 1 : Math.max(int(rng, 2, 8), (kH - 1) * d[0] + 1);
  const W = Math.max(int(rng, 2, 9), (kW - 1) * d[1] + 1);
  const N = int(rng, 1, 2);
  const xDims = oneD ? [N, C, W] : [N, C, H, W];
  const wDims = oneD ? [M, C / group, kW] : [M, C / group, kH, kW];
  const initializers: Record<string, Tensor> = { w: randomF32(rng, wDims) };
  const inputs = ['x', 'w'];
  if (rng() < 0.6) {
    initializers.b = randomF32(rng, [M], -0.5, 0.5);
    inputs.push('b');
  }
  return build(rng, {
    label: `conv#${i} ${kind} x[${xDims}] w[${wDims}] ${JSON.stringify(attrs)}`,
    inputs: { x: sparse(rng, xDims) },
    initializers,
    node: { op: 'Conv', inputs, outputs: ['y'], attrs },
  });
}

export function gemmCase(rng: Rng, i: number): NodeCase {
  const [M, K, N] = [int(rng, 1, 4), int(rng, 1, 24), int(rng, 1, 12)];
  const transA = rng() < 0.4 ? 1 : 0;
  const transB = rng() < 0.5 ? 1 : 0;
  const aDims = transA ? [K, M] : [M, K];
  const bDims = transB ? [N, K] : [K, N];
  const dataB = rng() < 0.25;
  const attrs: Record<string, AttrValue> = { transA, transB };
  if (rng() < 0.5) attrs.alpha = pick(rng, [0.5, 2, -1.5]);
  if (rng() < 0.5) attrs.beta = pick(rng, [0.5, 2, -1]);
  const cDims = pick(rng, [null, [N], [1, N], [M, N], [M, 1], [1]]);
  const initializers: Record<string, Tensor> = {};
  const inputs: Record<string, Tensor> = {};
  if (dataB) {
    initializers.a = randomF32(rng, aDims);
    inputs.b = sparse(rng, bDims);
  } else {
    inputs.a = sparse(rng, aDims);
    initializers.b = randomF32(rng, bDims);
  }
  const names = ['a', 'b'];
  if (cDims) {
    initializers.c = randomF32(rng, cDims, -0.5, 0.5);
    names.push('c');
  }
  return build(rng, {
    label: `gemm#${i} data=${dataB ? 'B' : 'A'} A[${aDims}] B[${bDims}] C[${cDims ?? '-'}] ${JSON.stringify(attrs)}`,
    inputs,
    initializers,
    node: { op: 'Gemm', inputs: names, outputs: ['y'], attrs },
  });
}

export function matmulCase(rng: Rng, i: number): NodeCase {
  const [M, K, N] = [int(rng, 1, 4), int(rng, 1, 16), int(rng, 1, 10)];
  const dataRight = rng() < 0.3;
  if (dataRight) {
    const aDims = rng() < 0.2 ? [K] : [M, K];
    const bDims = rng() < 0.2 ? [K] : [K, N];
    return build(rng, {
      label: `matmul#${i} const A[${aDims}] x data B[${bDims}]`,
      inputs: { b: sparse(rng, bDims) },
      initializers: { a: randomF32(rng, aDims) },
      node: { op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] },
    });
  }
  const lead = pick(rng, [[], [2], [2, 1]]);
  const aDims = rng() < 0.15 ? [K] : [...lead, M, K];
  const bDims = rng() < 0.2 ? [K] : [K, N];
  return build(rng, {
    label: `matmul#${i} data A[${aDims}] x const B[${bDims}]`,
    inputs: { a: sparse(rng, aDims) },
    initializers: { b: randomF32(rng, bDims) },
    node: { op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] },
  });
}

/** A random shape and a broadcast-compatible variant of it (some axes 1, some leading axes dropped). */
function broadcastPair(rng: Rng): [number[], number[]] {
  const rank = int(rng, 1, 4);
  const full = Array.from({ length: rank }, () => int(rng, 1, 4));
  let other = full.map((d) => (rng() < 0.4 ? 1 : d));
  if (rng() < 0.3) other = other.slice(int(rng, 0, rank - 1));
  return rng() < 0.5 ? [full, other] : [other, full];
}

type EltKind = 'add' | 'add-const' | 'sub' | 'sub-const' | 'sum' | 'mul' | 'div' | 'bn';

function elementwiseCase(rng: Rng, i: number, kind: EltKind): NodeCase {
  const [p, q] = broadcastPair(rng);
  const label = (s: string) => `eltwise#${i} ${kind} ${s}`;
  switch (kind) {
    case 'add':
    case 'sub':
      return build(rng, {
        label: label(`[${p}] . [${q}]`),
        inputs: { x: sparse(rng, p), y: sparse(rng, q) },
        node: { op: kind === 'add' ? 'Add' : 'Sub', inputs: ['x', 'y'], outputs: ['z'] },
      });
    case 'add-const':
      return build(rng, {
        label: label(`[${p}] + const[${q}]`),
        inputs: { x: sparse(rng, p) },
        initializers: { c: randomF32(rng, q, -0.5, 0.5) },
        node: { op: 'Add', inputs: rng() < 0.5 ? ['x', 'c'] : ['c', 'x'], outputs: ['z'] },
      });
    case 'sub-const': {
      const first = rng() < 0.5;
      return build(rng, {
        label: label(first ? `const[${q}] - [${p}]` : `[${p}] - const[${q}]`),
        inputs: { x: sparse(rng, p) },
        initializers: { c: randomF32(rng, q, -0.5, 0.5) },
        node: { op: 'Sub', inputs: first ? ['c', 'x'] : ['x', 'c'], outputs: ['z'] },
      });
    }
    case 'sum':
      return build(rng, {
        label: label(`[${p}] + [${q}] + [${p}] + const[${q}]`),
        inputs: { x: sparse(rng, p), y: sparse(rng, q), w: sparse(rng, p) },
        initializers: { c: randomF32(rng, q, -0.5, 0.5) },
        node: { op: 'Sum', inputs: ['x', 'y', 'c', 'w'], outputs: ['z'] },
      });
    case 'mul':
    case 'div': {
      const k = randomF32(rng, q, 0.25, 2);
      for (let j = 0; j < k.data.length; j++) if (rng() < 0.5) k.data[j] = -k.data[j];
      const right = kind === 'div' || rng() < 0.5;
      return build(rng, {
        label: label(`[${p}] by const[${q}]`),
        inputs: { x: sparse(rng, p) },
        initializers: { k },
        node: { op: kind === 'mul' ? 'Mul' : 'Div', inputs: right ? ['x', 'k'] : ['k', 'x'], outputs: ['z'] },
      });
    }
    case 'bn': {
      const dims =
        rng() < 0.3
          ? [int(rng, 1, 2), int(rng, 1, 5)]
          : [int(rng, 1, 2), int(rng, 1, 4), int(rng, 1, 4), int(rng, 1, 4)];
      const C = dims[1];
      return build(rng, {
        label: label(`BatchNormalization [${dims}]`),
        inputs: { x: sparse(rng, dims) },
        initializers: {
          gamma: randomF32(rng, [C], -2, 2),
          beta: randomF32(rng, [C], -1, 1),
          mean: randomF32(rng, [C], -1, 1),
          var: randomF32(rng, [C], 0.1, 2),
        },
        node: {
          op: 'BatchNormalization',
          inputs: ['x', 'gamma', 'beta', 'mean', 'var'],
          outputs: ['z'],
          attrs: { epsilon: 1e-3 },
        },
      });
    }
  }
}

/** Pool attributes whose windows always fit the padded input; pads stay below the kernel (ONNX). */
function poolAttrs(rng: Rng, oneD: boolean, H: number, W: number): Record<string, AttrValue> {
  const k = [oneD ? 1 : int(rng, 1, Math.min(3, H)), int(rng, 1, Math.min(3, W))];
  const attrs: Record<string, AttrValue> = { kernel_shape: oneD ? [k[1]] : k };
  if (rng() < 0.7) {
    const s = [int(rng, 1, 3), int(rng, 1, 3)];
    attrs.strides = oneD ? [s[1]] : s;
  }
  if (rng() < 0.6) {
    const p = [int(rng, 0, k[0] - 1), int(rng, 0, k[1] - 1), int(rng, 0, k[0] - 1), int(rng, 0, k[1] - 1)];
    attrs.pads = oneD ? [p[1], p[3]] : p;
  }
  if (rng() < 0.5) attrs.ceil_mode = 1;
  return attrs;
}

function averagePoolCase(rng: Rng, i: number, global: boolean): NodeCase {
  const oneD = rng() < 0.15;
  const [N, C, H, W] = [int(rng, 1, 2), int(rng, 1, 3), oneD ? 1 : int(rng, 1, 7), int(rng, 1, 8)];
  const dims = oneD ? [N, C, W] : [N, C, H, W];
  if (global) {
    return build(rng, {
      label: `avgpool#${i} GlobalAveragePool [${dims}]`,
      inputs: { x: sparse(rng, dims) },
      node: { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['y'] },
    });
  }
  const attrs = poolAttrs(rng, oneD, H, W);
  if (rng() < 0.5) attrs.count_include_pad = 1;
  return build(rng, {
    label: `avgpool#${i} [${dims}] ${JSON.stringify(attrs)}`,
    inputs: { x: sparse(rng, dims) },
    node: { op: 'AveragePool', inputs: ['x'], outputs: ['y'], attrs },
  });
}

/** ReduceMean over the spatial axes (the form with a rule), with and without keepdims. */
function reduceMeanCase(rng: Rng, i: number): NodeCase {
  const oneD = rng() < 0.25;
  const dims = oneD
    ? [int(rng, 1, 2), int(rng, 1, 4), int(rng, 1, 9)]
    : [int(rng, 1, 2), int(rng, 1, 4), int(rng, 1, 6), int(rng, 1, 6)];
  const axes = oneD
    ? pick(rng, [[2], [-1]])
    : pick(rng, [
        [2, 3],
        [-1, -2],
        [3, 2],
      ]);
  const keepdims = rng() < 0.5 ? 1 : 0;
  return build(rng, {
    label: `reducemean#${i} [${dims}] axes ${axes} keepdims ${keepdims}`,
    inputs: { x: sparse(rng, dims) },
    node: { op: 'ReduceMean', inputs: ['x'], outputs: ['y'], attrs: { axes, keepdims } },
  });
}

export type CaseMaker = (rng: Rng, i: number) => NodeCase;

/** Case generators per affine op (Add and Sub mix data + data and data + constant operands). */
export const AFFINE_CASES: OpTable<AffineOp, CaseMaker> = {
  Conv: convCase,
  Gemm: gemmCase,
  MatMul: matmulCase,
  Add: (rng, i) => elementwiseCase(rng, i, rng() < 0.5 ? 'add' : 'add-const'),
  Sub: (rng, i) => elementwiseCase(rng, i, rng() < 0.5 ? 'sub' : 'sub-const'),
  Sum: (rng, i) => elementwiseCase(rng, i, 'sum'),
  Mul: (rng, i) => elementwiseCase(rng, i, 'mul'),
  Div: (rng, i) => elementwiseCase(rng, i, 'div'),
  BatchNormalization: (rng, i) => elementwiseCase(rng, i, 'bn'),
  AveragePool: (rng, i) => averagePoolCase(rng, i, false),
  GlobalAveragePool: (rng, i) => averagePoolCase(rng, i, true),
  ReduceMean: reduceMeanCase,
};

// ---------------------------------------------------------------------------------------------------------
// Routing and pass-through ops

function maxPoolCase(rng: Rng, i: number, global: boolean): NodeCase {
  const oneD = rng() < 0.15;
  const [N, C, H, W] = [int(rng, 1, 2), int(rng, 1, 3), oneD ? 1 : int(rng, 1, 7), int(rng, 1, 8)];
  const dims = oneD ? [N, C, W] : [N, C, H, W];
  // Coarse values: most windows hold exact ties; some cases are all negative so -inf padding is tested.
  const x = coarse(rng, dims);
  if (rng() < 0.3) for (let j = 0; j < x.data.length; j++) x.data[j] = -Math.abs(x.data[j]) - 0.5;
  if (global) {
    return build(rng, {
      label: `maxpool#${i} GlobalMaxPool [${dims}]`,
      inputs: { x },
      node: { op: 'GlobalMaxPool', inputs: ['x'], outputs: ['y'] },
    });
  }
  const attrs = poolAttrs(rng, oneD, H, W);
  if (rng() < 0.3) {
    const d = [oneD ? 1 : int(rng, 1, 2), int(rng, 1, 2)];
    const k = attrs.kernel_shape as number[];
    const kh = oneD ? 1 : k[0];
    const kw = oneD ? k[0] : k[1];
    // Dilated windows must still fit the input.
    if ((kh - 1) * d[0] + 1 <= H && (kw - 1) * d[1] + 1 <= W) attrs.dilations = oneD ? [d[1]] : d;
  }
  return build(rng, {
    label: `maxpool#${i} [${dims}] ${JSON.stringify(attrs)}`,
    inputs: { x },
    node: { op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs },
  });
}

function randomDims(rng: Rng, rankLo: number, rankHi: number): number[] {
  return Array.from({ length: int(rng, rankLo, rankHi) }, () => int(rng, 1, 4));
}

const PASS_OPS = [
  'Relu',
  'LeakyRelu',
  'Clip',
  'Dropout',
  'Identity',
  'Flatten',
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Transpose',
  'Concat',
  'Split',
  'Pad',
] as const;

function passCase(rng: Rng, i: number, op: (typeof PASS_OPS)[number]): NodeCase {
  const dims = randomDims(rng, 1, 5);
  const x = randomF32(rng, dims);
  const label = (s: string) => `pass#${i} ${op} [${dims}] ${s}`;
  const one = (node: NodeSpec, initializers?: Record<string, Tensor>, s = '') =>
    build(rng, { label: label(s), inputs: { x }, initializers, node });
  switch (op) {
    case 'Relu':
    case 'Dropout':
    case 'Identity':
      return one({ op, inputs: ['x'], outputs: ['y'] });
    case 'LeakyRelu':
      return one({ op, inputs: ['x'], outputs: ['y'], attrs: { alpha: 0.1 } });
    case 'Clip':
      return one(
        { op, inputs: ['x', 'lo', 'hi'], outputs: ['y'] },
        { lo: ints([-0.5]), hi: ints([0.5]) },
        '[-0.5, 0.5]',
      );
    case 'Flatten': {
      const axis = int(rng, 0, dims.length);
      return one({ op, inputs: ['x'], outputs: ['y'], attrs: { axis } }, undefined, `axis ${axis}`);
    }
    case 'Reshape':
      return one({ op, inputs: ['x', 's'], outputs: ['y'] }, { s: ints([-1, dims[dims.length - 1]]) });
    case 'Squeeze': {
      const axes = dims.flatMap((d, a) => (d === 1 ? [a] : []));
      return axes.length
        ? one({ op, inputs: ['x', 'axes'], outputs: ['y'] }, { axes: ints(axes) }, `axes ${axes}`)
        : one({ op, inputs: ['x'], outputs: ['y'] });
    }
    case 'Unsqueeze':
      return one({ op, inputs: ['x', 'axes'], outputs: ['y'] }, { axes: ints([0, dims.length + 1]) });
    case 'Transpose': {
      const perm = dims.map((_, a) => a).sort(() => rng() - 0.5);
      return one({ op, inputs: ['x'], outputs: ['y'], attrs: { perm } }, undefined, `perm ${perm}`);
    }
    case 'Concat': {
      const axis = int(rng, 0, dims.length - 1);
      const other = dims.map((d, a) => (a === axis ? int(rng, 1, 3) : d));
      const third = dims.map((d, a) => (a === axis ? int(rng, 1, 2) : d));
      return build(rng, {
        label: label(`axis ${axis} with [${other}] and const [${third}]`),
        inputs: { x, y: randomF32(rng, other) },
        initializers: { c: randomF32(rng, third) },
        node: {
          op,
          inputs: pick(rng, [
            ['x', 'c', 'y'],
            ['c', 'x', 'y'],
            ['y', 'x'],
          ]),
          outputs: ['z'],
          attrs: { axis: axis - (rng() < 0.3 ? dims.length : 0) },
        },
      });
    }
    case 'Split': {
      const axis = int(rng, 0, dims.length - 1);
      const big = dims.map((d, a) => (a === axis ? d + int(rng, 1, 3) : d));
      const first = int(rng, 1, big[axis] - 1);
      return build(rng, {
        label: `pass#${i} Split [${big}] axis ${axis} at ${first}`,
        inputs: { x: randomF32(rng, big) },
        initializers: { s: ints([first, big[axis] - first]) },
        node: { op, inputs: ['x', 's'], outputs: ['y0', 'y1'], attrs: { axis } },
      });
    }
    case 'Pad': {
      const pads = [...dims.map(() => int(rng, 0, 2)), ...dims.map(() => int(rng, 0, 2))];
      // A negative pad crops; keep at least one element per axis.
      const a = int(rng, 0, dims.length - 1);
      if (dims[a] > 1 && rng() < 0.4) pads[a] = -1;
      const mode = pick(rng, ['constant', 'reflect', 'edge']);
      const reflectable = dims.every(
        (d, k) => mode !== 'reflect' || (pads[k] < d && pads[k + dims.length] < d),
      );
      return one(
        { op, inputs: ['x', 'p'], outputs: ['y'], attrs: { mode: reflectable ? mode : 'constant' } },
        { p: ints(pads) },
        `pads ${pads} ${reflectable ? mode : 'constant'}`,
      );
    }
  }
}

/** Case generators per routing and pass-through op. */
export const ROUTING_CASES: OpTable<RoutedOp, CaseMaker> = {
  MaxPool: (rng, i) => maxPoolCase(rng, i, false),
  GlobalMaxPool: (rng, i) => maxPoolCase(rng, i, true),
  ...(Object.fromEntries(PASS_OPS.map((op) => [op, (rng: Rng, i: number) => passCase(rng, i, op)])) as Record<
    (typeof PASS_OPS)[number],
    CaseMaker
  >),
};

/** HardSwish, whose output is exactly 0 below -3 (sink) and positive or negative elsewhere. */
function hardSwishCase(rng: Rng, i: number): NodeCase {
  const dims = randomDims(rng, 1, 4);
  const x = randomF32(rng, dims, -5, 5);
  return build(rng, {
    label: `gate#${i} HardSwish [${dims}]`,
    inputs: { x },
    node: { op: 'HardSwish', inputs: ['x'], outputs: ['y'] },
  });
}

/**
 * A Mul marked as gating (as prepareGraph marks x * Sigmoid(...)): the gate broadcast over the signal as in
 * squeeze-and-excitation, the same shape, or the signal broadcast over the gate; zeros on both sides.
 */
function gatingMulCase(rng: Rng, i: number): NodeCase {
  const [N, C, H, W] = [int(rng, 1, 2), int(rng, 1, 4), int(rng, 1, 4), int(rng, 1, 4)];
  const [signal, gate] = pick(rng, [
    [
      [N, C, H, W],
      [N, C, 1, 1],
    ],
    [
      [N, C, H, W],
      [N, C, H, W],
    ],
    [
      [N, C, 1, 1],
      [N, C, H, W],
    ],
  ]);
  const g = randomF32(rng, gate, 0, 1);
  for (let j = 0; j < g.data.length; j++) if (rng() < 0.15) g.data[j] = 0;
  const gateFirst = rng() < 0.5;
  return build(rng, {
    label: `gate#${i} Mul signal [${signal}] gate [${gate}]${gateFirst ? ' (gate first)' : ''}`,
    inputs: { x: sparse(rng, signal), g },
    node: {
      op: 'Mul',
      inputs: gateFirst ? ['g', 'x'] : ['x', 'g'],
      outputs: ['y'],
      attrs: { [GATE_ATTR]: gateFirst ? 0 : 1 },
    },
  });
}

/** Case generators per gate op. */
export const GATE_CASES: Readonly<Record<OpsOfKind<'gate'> | 'gating Mul', CaseMaker>> = {
  HardSwish: hardSwishCase,
  'gating Mul': gatingMulCase,
};
