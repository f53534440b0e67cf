/**
 * The one seeded case corpus: random small cases of every op the double chain traverses (core/pane/ops.ts),
 * each with the tolerance every float32 backend must meet on it. Every backend runs the same cases
 * (tests/corpus/forms.ts gives them in the form each needs):
 *
 * - the float64 reference, per node (tests/corpus/reference.test.ts: the balance of spec 5.3 and the bounds
 *   of 5.4 on every case, and tests/op-coverage.test.ts);
 * - the float32 chain graph on onnxruntime, as branches of one graph (engine/cpu-graph/compile.ops.test.ts,
 *   and its gradient graph in gradient.test.ts);
 * - the WebGPU kernels in Chromium, per node (gpu/kernels.browser.test.ts).
 *
 * A case is a few nodes whose last is the op under test; any before it prepare its operands (a Relu that
 * makes the data non-negative by construction, a Sigmoid gate). Shapes exercise the attributes (groups,
 * depthwise, strides, dilations, asymmetric and auto pads, ceil_mode, ties, broadcasting, trans flags) and
 * stay small enough for SwiftShader. All inputs are float32-representable, so float32 and float64 backends
 * read the same numbers and differ only by their arithmetic.
 */
import { GATE_ATTR } from '../../src/core/onnx/gates';
import type { AttrValue } from '../../src/core/onnx/ir';
import type { OpTable, TraversedOp } from '../../src/core/pane/ops';
import { numel, tensor, type Tensor } from '../../src/core/tensor';
import { int, node, pick, randomF32, type NodeSpec, type Rng } from '../support/testkit';

export interface OpCase {
  label: string;
  /** Data inputs and their values. */
  inputs: Record<string, Tensor>;
  initializers?: Record<string, Tensor>;
  /** The last node is the op under test; any before it prepare its operands. */
  nodes: NodeSpec[];
  /** The outputs of the op under test that carry mass on (the others receive none). */
  outputs: string[];
  /** Why onnxruntime cannot run the case (the float32 graph, whose forward pass is onnxruntime's, leaves it out). */
  ortRefuses?: string;
}

export type CaseMaker = (rng: Rng, i: number) => OpCase;

export interface CorpusEntry {
  make: CaseMaker;
  /**
   * Per tensor, max |float32 backend - float64 reference| <= tolerance x max |reference| (E+ and E- against
   * max G): the float32 chain graph and the WebGPU kernels alike.
   */
  tolerance: number;
}

/**
 * What float32 arithmetic reaches on every op today (sums of at most a few hundred float32 products), and
 * what whole float32 graphs are held to as well.
 */
export const FLOAT32_TOLERANCE = 1e-4;

// ---------------------------------------------------------------------------------------------------------
// Values

/** Post-ReLU-like data: about a third exact zeros, the rest signed. */
function sparse(rng: Rng, dims: readonly number[]): Tensor {
  const t = randomF32(rng, dims);
  for (let i = 0; i < t.data.length; i++) if (rng() < 0.3) t.data[i] = 0;
  return t;
}

/** Values on a coarse grid, so that windows hold exact ties. */
function coarse(rng: Rng, dims: readonly number[]): Tensor {
  const data = new Float64Array(numel(dims));
  for (let i = 0; i < data.length; i++) data[i] = int(rng, -2, 2) * 0.5;
  return { dims: [...dims], data };
}

const ints = (v: number[]): Tensor => tensor([v.length], v);
const scalar = (v: number): Tensor => tensor([], [v]);

function single(
  label: string,
  inputs: Record<string, Tensor>,
  op: NodeSpec,
  initializers?: Record<string, Tensor>,
): OpCase {
  return { label, inputs, initializers, nodes: [op], outputs: op.outputs };
}

/**
 * With probability `p`, a Relu before the op's data input `x`: the operand is then non-negative by
 * construction, which the float32 graph's x+-only passes use.
 */
function reluFirst(rng: Rng, c: OpCase, x = 'x', p = 0.4): OpCase {
  if (!(x in c.inputs) || rng() >= p) return c;
  const last = c.nodes.at(-1)!;
  const renamed = { ...last, inputs: last.inputs.map((n) => (n === x ? `${x}_relu` : n)) };
  return {
    ...c,
    label: `${c.label} (relu first)`,
    nodes: [...c.nodes.slice(0, -1), node('Relu', [x], [`${x}_relu`]), renamed],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Affine ops

function convCase(rng: Rng, i: number): OpCase {
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
  if (rng() < 0.5) attrs.kernel_shape = oneD ? [kW] : [kH, kW];
  const autoPad = rng() < 0.25 ? pick(rng, ['SAME_UPPER', 'SAME_LOWER', 'VALID']) : 'NOTSET';
  if (autoPad === 'NOTSET') {
    const pads = [oneD ? 0 : int(rng, 0, 2), int(rng, 0, 2), oneD ? 0 : int(rng, 0, 2), int(rng, 0, 2)];
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
  const c = single(
    `conv#${i} ${kind} x[${xDims}] w[${wDims}] ${JSON.stringify(attrs)}`,
    { x: sparse(rng, xDims) },
    node('Conv', inputs, ['y'], attrs),
    initializers,
  );
  if (autoPad.startsWith('SAME') && d.some((v) => v > 1))
    c.ortRefuses = 'onnxruntime has no dilated SAME_* convolution';
  return reluFirst(rng, c);
}

function gemmCase(rng: Rng, i: number): OpCase {
  const [M, K, N] = [int(rng, 1, 4), int(rng, 1, 24), int(rng, 1, 12)];
  const transA = rng() < 0.4 ? 1 : 0;
  const transB = rng() < 0.5 ? 1 : 0;
  const aDims = transA ? [K, M] : [M, K];
  const bDims = transB ? [N, K] : [K, N];
  const dataB = rng() < 0.25;
  const attrs: Record<string, AttrValue> = { transA, transB };
  if (rng() < 0.5) attrs.alpha = pick(rng, [0.5, 2, -1.5]);
  if (rng() < 0.5) attrs.beta = pick(rng, [0.5, 2, -1, 0.7]);
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
  const c = single(
    `gemm#${i} data=${dataB ? 'B' : 'A'} A[${aDims}] B[${bDims}] C[${cDims ?? '-'}] ${JSON.stringify(attrs)}`,
    inputs,
    node('Gemm', names, ['y'], attrs),
    initializers,
  );
  return reluFirst(rng, c, dataB ? 'b' : 'a');
}

function matmulCase(rng: Rng, i: number): OpCase {
  const [M, K, N] = [int(rng, 1, 4), int(rng, 1, 16), int(rng, 1, 10)];
  if (rng() < 0.3) {
    const aDims = rng() < 0.2 ? [K] : [M, K];
    const bDims = rng() < 0.2 ? [K] : [K, N];
    const c = single(
      `matmul#${i} const A[${aDims}] x data B[${bDims}]`,
      { b: sparse(rng, bDims) },
      node('MatMul', ['a', 'b'], ['y']),
      { a: randomF32(rng, aDims) },
    );
    return reluFirst(rng, c, 'b');
  }
  const lead = pick(rng, [[], [2], [2, 1]]);
  const aDims = rng() < 0.15 ? [K] : [...lead, M, K];
  const bDims = rng() < 0.2 ? [K] : [K, N];
  const c = single(
    `matmul#${i} data A[${aDims}] x const B[${bDims}]`,
    { a: sparse(rng, aDims) },
    node('MatMul', ['a', 'b'], ['y']),
    { b: randomF32(rng, bDims) },
  );
  return reluFirst(rng, c, 'a');
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

function elementwiseCase(rng: Rng, i: number, kind: EltKind): OpCase {
  const [p, q] = broadcastPair(rng);
  const label = (s: string) => `eltwise#${i} ${kind} ${s}`;
  switch (kind) {
    case 'add':
    case 'sub':
      return single(
        label(`[${p}] . [${q}]`),
        { x: sparse(rng, p), y: sparse(rng, q) },
        {
          op: kind === 'add' ? 'Add' : 'Sub',
          inputs: ['x', 'y'],
          outputs: ['z'],
        },
      );
    case 'add-const':
      // A constant operand is bias; it may be the larger side of the broadcast.
      return single(
        label(`[${p}] + const[${q}]`),
        { x: sparse(rng, p) },
        node('Add', rng() < 0.5 ? ['x', 'c'] : ['c', 'x'], ['z']),
        { c: randomF32(rng, q, -0.5, 0.5) },
      );
    case 'sub-const': {
      const first = rng() < 0.5;
      return single(
        label(first ? `const[${q}] - [${p}]` : `[${p}] - const[${q}]`),
        { x: sparse(rng, p) },
        node('Sub', first ? ['c', 'x'] : ['x', 'c'], ['z']),
        { c: randomF32(rng, q, -0.5, 0.5) },
      );
    }
    case 'sum':
      return single(
        label(`[${p}] + [${q}] + [${p}] + const[${q}]`),
        { x: sparse(rng, p), y: sparse(rng, q), w: sparse(rng, p) },
        node('Sum', ['x', 'y', 'c', 'w'], ['z']),
        { c: randomF32(rng, q, -0.5, 0.5) },
      );
    case 'mul':
    case 'div': {
      const k = randomF32(rng, q, 0.25, 2);
      for (let j = 0; j < k.data.length; j++) if (rng() < 0.5) k.data[j] = -k.data[j];
      const right = kind === 'div' || rng() < 0.5;
      return single(
        label(`[${p}] by const[${q}]`),
        { x: sparse(rng, p) },
        node(kind === 'mul' ? 'Mul' : 'Div', right ? ['x', 'k'] : ['k', 'x'], ['z']),
        { k },
      );
    }
    case 'bn': {
      const dims =
        rng() < 0.3
          ? [int(rng, 1, 2), int(rng, 1, 5)]
          : pick(rng, [
              [int(rng, 1, 2), int(rng, 1, 4), int(rng, 1, 4), int(rng, 1, 4)],
              [1, int(rng, 1, 5), int(rng, 1, 5)],
            ]);
      const C = dims[1];
      return single(
        label(`BatchNormalization [${dims}]`),
        { x: sparse(rng, dims) },
        node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['z'], { epsilon: 1e-3 }),
        {
          scale: randomF32(rng, [C], -2, 2),
          bias: randomF32(rng, [C], -1, 1),
          mean: randomF32(rng, [C], -1, 1),
          var: randomF32(rng, [C], 0.1, 2),
        },
      );
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

function averagePoolCase(rng: Rng, i: number, global: boolean): OpCase {
  const oneD = rng() < 0.15;
  const [N, C, H, W] = [int(rng, 1, 2), int(rng, 1, 3), oneD ? 1 : int(rng, 1, 7), int(rng, 1, 8)];
  const dims = oneD ? [N, C, W] : [N, C, H, W];
  if (global)
    return reluFirst(
      rng,
      single(
        `avgpool#${i} GlobalAveragePool [${dims}]`,
        { x: sparse(rng, dims) },
        node('GlobalAveragePool', ['x'], ['y']),
      ),
    );
  const attrs = poolAttrs(rng, oneD, H, W);
  if (rng() < 0.5) attrs.count_include_pad = 1;
  return reluFirst(
    rng,
    single(
      `avgpool#${i} [${dims}] ${JSON.stringify(attrs)}`,
      { x: sparse(rng, dims) },
      node('AveragePool', ['x'], ['y'], attrs),
    ),
  );
}

/** ReduceMean over the spatial axes (the form with a rule), with and without keepdims. */
function reduceMeanCase(rng: Rng, i: number): OpCase {
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
  return reluFirst(
    rng,
    single(
      `reducemean#${i} [${dims}] axes ${axes} keepdims ${keepdims}`,
      { x: sparse(rng, dims) },
      node('ReduceMean', ['x'], ['y'], { axes, keepdims }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Routing and pass-through ops

function maxPoolCase(rng: Rng, i: number, global: boolean): OpCase {
  const oneD = rng() < 0.15;
  const [N, C, H, W] = [int(rng, 1, 2), int(rng, 1, 3), oneD ? 1 : int(rng, 1, 7), int(rng, 1, 8)];
  const dims = oneD ? [N, C, W] : [N, C, H, W];
  // Coarse values: most windows hold exact ties; some cases are all negative, so -inf padding is tested.
  const x = coarse(rng, dims);
  if (rng() < 0.3) for (let j = 0; j < x.data.length; j++) x.data[j] = -Math.abs(x.data[j]) - 0.5;
  if (global)
    return single(`maxpool#${i} GlobalMaxPool [${dims}]`, { x }, node('GlobalMaxPool', ['x'], ['y']));
  const attrs = poolAttrs(rng, oneD, H, W);
  if (rng() < 0.3) {
    const d = [oneD ? 1 : int(rng, 1, 2), int(rng, 1, 2)];
    const k = attrs.kernel_shape as number[];
    const kh = oneD ? 1 : k[0];
    const kw = oneD ? k[0] : k[1];
    // Dilated windows must still fit the input.
    if ((kh - 1) * d[0] + 1 <= H && (kw - 1) * d[1] + 1 <= W) attrs.dilations = oneD ? [d[1]] : d;
  }
  return single(
    `maxpool#${i} [${dims}] ${JSON.stringify(attrs)}`,
    { x },
    node('MaxPool', ['x'], ['y'], attrs),
  );
}

function randomDims(rng: Rng, rankLo: number, rankHi: number): number[] {
  return Array.from({ length: int(rng, rankLo, rankHi) }, () => int(rng, 1, 4));
}

type PassOp =
  | 'Relu'
  | 'LeakyRelu'
  | 'Clip'
  | 'Dropout'
  | 'Identity'
  | 'Flatten'
  | 'Reshape'
  | 'Squeeze'
  | 'Unsqueeze'
  | 'Transpose'
  | 'Concat'
  | 'Split'
  | 'Pad';

function passCase(rng: Rng, i: number, op: PassOp): OpCase {
  const dims = randomDims(rng, 1, 5);
  const x = randomF32(rng, dims);
  const label = (s: string) => `pass#${i} ${op} [${dims}] ${s}`;
  const one = (n: NodeSpec, initializers?: Record<string, Tensor>, s = '') =>
    single(label(s), { x }, n, initializers);
  switch (op) {
    case 'Relu':
    case 'Dropout':
    case 'Identity':
      return one(node(op, ['x'], ['y']));
    case 'LeakyRelu':
      return one(node(op, ['x'], ['y'], { alpha: 0.1 }));
    case 'Clip': {
      const [lo, hi] = pick(rng, [
        [-0.5, 0.5],
        [-0.3, 0.4],
        [null, 0.2],
      ]);
      return lo === null
        ? one(node(op, ['x', '', 'hi'], ['y']), { hi: scalar(hi) }, `[-inf, ${hi}]`)
        : one(node(op, ['x', 'lo', 'hi'], ['y']), { lo: scalar(lo), hi: scalar(hi) }, `[${lo}, ${hi}]`);
    }
    case 'Flatten': {
      const axis = int(rng, 0, dims.length);
      return one(node(op, ['x'], ['y'], { axis }), undefined, `axis ${axis}`);
    }
    case 'Reshape':
      return one(node(op, ['x', 's'], ['y']), { s: ints([-1, dims[dims.length - 1]]) });
    case 'Squeeze': {
      const axes = dims.flatMap((d, a) => (d === 1 ? [a] : []));
      return axes.length
        ? one(node(op, ['x', 'axes'], ['y']), { axes: ints(axes) }, `axes ${axes}`)
        : one(node(op, ['x'], ['y']));
    }
    case 'Unsqueeze':
      return one(node(op, ['x', 'axes'], ['y']), { axes: ints([0, dims.length + 1]) });
    case 'Transpose': {
      if (rng() < 0.25) return one(node(op, ['x'], ['y']), undefined, 'reversed');
      const perm = dims.map((_, a) => a).sort(() => rng() - 0.5);
      return one(node(op, ['x'], ['y'], { perm }), undefined, `perm ${perm}`);
    }
    case 'Concat': {
      const axis = int(rng, 0, dims.length - 1);
      const other = dims.map((d, a) => (a === axis ? int(rng, 1, 3) : d));
      const third = dims.map((d, a) => (a === axis ? int(rng, 1, 2) : d));
      return single(
        label(`axis ${axis} with [${other}] and const [${third}]`),
        { x, y: randomF32(rng, other) },
        node(
          op,
          pick(rng, [
            ['x', 'c', 'y'],
            ['c', 'x', 'y'],
            ['y', 'x'],
            ['x', 'c', 'x'],
          ]),
          ['z'],
          { axis: axis - (rng() < 0.3 ? dims.length : 0) },
        ),
        { c: randomF32(rng, third) },
      );
    }
    case 'Split': {
      const axis = int(rng, 0, dims.length - 1);
      const big = dims.map((d, a) => (a === axis ? d + int(rng, 2, 4) : d));
      if (rng() < 0.5) {
        const first = int(rng, 1, big[axis] - 1);
        return single(
          `pass#${i} Split [${big}] axis ${axis} at ${first}`,
          { x: randomF32(rng, big) },
          node(op, ['x', 's'], ['y0', 'y1'], { axis }),
          { s: ints([first, big[axis] - first]) },
        );
      }
      // Three parts, one of which nothing reads: it receives no mass.
      const sizes = [1, 1, big[axis] - 2];
      const unread = int(rng, 0, 2);
      return {
        ...single(
          `pass#${i} Split [${big}] axis ${axis} into ${sizes}, y${unread} unread`,
          { x: randomF32(rng, big) },
          node(op, ['x', 's'], ['y0', 'y1', 'y2'], { axis }),
          { s: ints(sizes) },
        ),
        outputs: ['y2', 'y1', 'y0'].filter((o) => o !== `y${unread}`),
      };
    }
    case 'Pad': {
      const pads = [...dims.map(() => int(rng, 0, 2)), ...dims.map(() => int(rng, 0, 2))];
      // A negative pad crops; keep at least one element per axis.
      const a = int(rng, 0, dims.length - 1);
      if (dims[a] > 1 && rng() < 0.4) pads[a] = -1;
      const mode = pick(rng, ['constant', 'constant-value', 'reflect', 'edge']);
      const reflectable = dims.every(
        (d, k) => mode !== 'reflect' || (pads[k] < d && pads[k + dims.length] < d),
      );
      if (mode === 'constant-value')
        return one(
          node(op, ['x', 'p', 'v'], ['y']),
          { p: ints(pads), v: scalar(0.5) },
          `pads ${pads} value 0.5`,
        );
      const used = reflectable ? mode : 'constant';
      return one(node(op, ['x', 'p'], ['y'], { mode: used }), { p: ints(pads) }, `pads ${pads} ${used}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Gates

/** HardSwish, beyond [-3, 3] too, where the output is exactly 0 (a sink) or x. */
function hardSwishCase(rng: Rng, i: number): OpCase {
  const dims = randomDims(rng, 1, 4);
  return single(
    `gate#${i} HardSwish [${dims}]`,
    { x: randomF32(rng, dims, -5, 5) },
    node('HardSwish', ['x'], ['y']),
  );
}

/**
 * A Mul marked as gating (as prepareGraph marks x * Sigmoid(...)): a gate given as data, with exact zeros,
 * broadcast over the signal as in squeeze-and-excitation, of the same shape, or the signal broadcast over it;
 * or computed: SiLU's Sigmoid(x), and squeeze-and-excitation's Sigmoid(GlobalAveragePool(x)).
 */
function gatingMulCase(rng: Rng, i: number): OpCase {
  const [N, C, H, W] = [int(rng, 1, 2), int(rng, 1, 4), int(rng, 1, 4), int(rng, 1, 4)];
  const gateFirst = rng() < 0.5;
  const mul = (x: string, g: string) =>
    node('Mul', gateFirst ? [g, x] : [x, g], ['y'], { [GATE_ATTR]: gateFirst ? 0 : 1 });
  const variant = pick(rng, ['data', 'data', 'silu', 'excitation'] as const);
  const first = gateFirst ? ' (gate first)' : '';
  if (variant !== 'data') {
    const dims = [N, C, H, W];
    const gate =
      variant === 'silu'
        ? [node('Sigmoid', ['x'], ['g'])]
        : [node('GlobalAveragePool', ['x'], ['m']), node('Sigmoid', ['m'], ['g'])];
    return {
      label: `gate#${i} Mul ${variant} [${dims}]${first}`,
      inputs: { x: sparse(rng, dims) },
      nodes: [...gate, mul('x', 'g')],
      outputs: ['y'],
    };
  }
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
  return single(
    `gate#${i} Mul signal [${signal}] gate [${gate}]${first}`,
    { x: sparse(rng, signal), g },
    mul('x', 'g'),
  );
}

// ---------------------------------------------------------------------------------------------------------
// The table

const entry = (make: CaseMaker, tolerance = FLOAT32_TOLERANCE): CorpusEntry => ({ make, tolerance });
const pass = (op: PassOp) => entry((rng, i) => passCase(rng, i, op));

/** Every op the chain traverses, typed with the op table: a new op without cases fails to compile. */
export const CORPUS: OpTable<TraversedOp, CorpusEntry> & { readonly 'gating Mul': CorpusEntry } = {
  Conv: entry(convCase),
  Gemm: entry(gemmCase),
  MatMul: entry(matmulCase),
  // Add and Sub mix data + data and data + constant operands.
  Add: entry((rng, i) => elementwiseCase(rng, i, rng() < 0.5 ? 'add' : 'add-const')),
  Sub: entry((rng, i) => elementwiseCase(rng, i, rng() < 0.5 ? 'sub' : 'sub-const')),
  Sum: entry((rng, i) => elementwiseCase(rng, i, 'sum')),
  Mul: entry((rng, i) => elementwiseCase(rng, i, 'mul')),
  Div: entry((rng, i) => elementwiseCase(rng, i, 'div')),
  BatchNormalization: entry((rng, i) => elementwiseCase(rng, i, 'bn')),
  AveragePool: entry((rng, i) => averagePoolCase(rng, i, false)),
  GlobalAveragePool: entry((rng, i) => averagePoolCase(rng, i, true)),
  ReduceMean: entry(reduceMeanCase),
  MaxPool: entry((rng, i) => maxPoolCase(rng, i, false)),
  GlobalMaxPool: entry((rng, i) => maxPoolCase(rng, i, true)),
  Relu: pass('Relu'),
  LeakyRelu: pass('LeakyRelu'),
  Clip: pass('Clip'),
  Dropout: pass('Dropout'),
  Identity: pass('Identity'),
  Flatten: pass('Flatten'),
  Reshape: pass('Reshape'),
  Squeeze: pass('Squeeze'),
  Unsqueeze: pass('Unsqueeze'),
  Transpose: pass('Transpose'),
  Concat: pass('Concat'),
  Split: pass('Split'),
  Pad: pass('Pad'),
  HardSwish: entry(hardSwishCase),
  'gating Mul': entry(gatingMulCase),
};

export type CorpusKey = keyof typeof CORPUS;

export const CORPUS_KEYS = Object.keys(CORPUS) as CorpusKey[];

/** A stable seed per corpus key, so that each op's cases do not shift when another op's change. */
export function seedOf(key: string, salt = 0): number {
  return [...key].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7 + salt);
}
