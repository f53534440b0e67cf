/**
 * Random small graphs of every op the chain traverses, for the compiled chain's tests: each generator draws
 * one case (shapes, attributes, weights) around one op; `combine` puts many cases side by side as branches
 * of one graph whose logits are all branch outputs concatenated, so that one forward pass and one compiled
 * chain per rule check them all (contrast heads give every logit mass).
 */
import type { AttrValue } from '../../src/core/onnx/ir';
import { GATE_ATTR } from '../../src/core/onnx/gates';
import { node, normalTensor, randomTensor, type GraphSpec, type NodeSpec } from '../support/testkit';
import { numel, tensor, type Tensor } from '../../src/core/tensor';

type Rng = () => number;

export interface OpCase {
  /** Data inputs and their dims (any first dimension: combine feeds them through a Reshape). */
  inputs: Record<string, number[]>;
  initializers?: Record<string, Tensor>;
  nodes: NodeSpec[];
  output: string;
  /** Input values other than uniform in [-1, 1] (e.g. few distinct values, for ties). */
  values?: (rng: Rng, dims: number[]) => Tensor;
}

export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function pick<T>(rng: Rng, options: readonly T[]): T {
  return options[Math.floor(rng() * options.length)];
}

/** Values from a few negative levels: max pooling ties often, and zero padding would win if it could. */
function levels(rng: Rng, dims: number[]): Tensor {
  return tensor(
    dims,
    Array.from({ length: numel(dims) }, () => -1 - Math.floor(rng() * 3)),
  );
}

/** Optionally a Relu first, so the data operand is non-negative by construction (the x+-only passes). */
function maybeRelu(rng: Rng, x: string, nodes: NodeSpec[]): string {
  if (rng() < 0.5) return x;
  nodes.push(node('Relu', [x], [`${x}_relu`]));
  return `${x}_relu`;
}

/** Spatial size that fits a window of `span` with the given pads. */
function sizeFor(rng: Rng, span: number, pads: number): number {
  return Math.max(1, span - pads) + int(rng, 0, 4);
}

export function convCase(rng: Rng): OpCase {
  const oneD = rng() < 0.2;
  const C = int(rng, 1, 6);
  const group = pick(rng, [1, 1, C % 2 === 0 ? 2 : 1, C]);
  const M = group * int(rng, 1, 3);
  const k = [oneD ? 1 : int(rng, 1, 3), int(rng, 1, 3)];
  const s = [oneD ? 1 : int(rng, 1, 3), int(rng, 1, 3)];
  const autoPad = pick(rng, ['NOTSET', 'NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
  // onnxruntime has no dilated SAME_* convolution.
  const dilated = !autoPad.startsWith('SAME');
  const d = [oneD || !dilated ? 1 : int(rng, 1, 2), dilated ? int(rng, 1, 2) : 1];
  const p = [0, 0, 0, 0].map(() => int(rng, 0, 2));
  if (oneD) [p[0], p[2]] = [0, 0];
  const span = (i: number) => (k[i] - 1) * d[i] + 1;
  const H = oneD ? 1 : sizeFor(rng, span(0), autoPad === 'NOTSET' ? p[0] + p[2] : 0);
  const W = sizeFor(rng, span(1), autoPad === 'NOTSET' ? p[1] + p[3] : 0);
  const sp = (v: number[]) => (oneD ? [v[1]] : v);
  const attrs: Record<string, AttrValue> = {
    kernel_shape: sp(k),
    strides: sp(s),
    dilations: sp(d),
    group,
    ...(autoPad === 'NOTSET' ? { pads: oneD ? [p[1], p[3]] : p } : { auto_pad: autoPad }),
  };
  const nodes: NodeSpec[] = [];
  const x = maybeRelu(rng, 'x', nodes);
  const initializers: Record<string, Tensor> = { w: normalTensor(rng, [M, C / group, ...sp(k)]) };
  const inputs = [x, 'w'];
  if (rng() < 0.6) {
    initializers.b = randomTensor(rng, [M], -0.5, 0.5);
    inputs.push('b');
  }
  nodes.push(node('Conv', inputs, ['y'], attrs));
  return { inputs: { x: oneD ? [1, C, W] : [1, C, H, W] }, initializers, nodes, output: 'y' };
}

/** AveragePool / MaxPool attributes: pads below the kernel (onnxruntime requires it), ceil_mode. */
function poolAttrs(rng: Rng, oneD: boolean, dilations: boolean) {
  const k = [oneD ? 1 : int(rng, 1, 3), int(rng, 1, 3)];
  const s = [oneD ? 1 : int(rng, 1, 3), int(rng, 1, 3)];
  const d = dilations ? [oneD ? 1 : int(rng, 1, 2), int(rng, 1, 2)] : [1, 1];
  const p = [int(rng, 0, k[0] - 1), int(rng, 0, k[1] - 1), int(rng, 0, k[0] - 1), int(rng, 0, k[1] - 1)];
  if (oneD) [p[0], p[2]] = [0, 0];
  const span = (i: number) => (k[i] - 1) * d[i] + 1;
  const H = oneD ? 1 : sizeFor(rng, span(0), p[0] + p[2]);
  const W = sizeFor(rng, span(1), p[1] + p[3]);
  const sp = (v: number[]) => (oneD ? [v[1]] : v);
  const attrs: Record<string, AttrValue> = {
    kernel_shape: sp(k),
    strides: sp(s),
    pads: oneD ? [p[1], p[3]] : p,
    ceil_mode: int(rng, 0, 1),
  };
  if (dilations) attrs.dilations = sp(d);
  return { attrs, spatial: oneD ? [W] : [H, W] };
}

export function averagePoolCase(rng: Rng): OpCase {
  const { attrs, spatial } = poolAttrs(rng, rng() < 0.2, false);
  const nodes: NodeSpec[] = [];
  const x = maybeRelu(rng, 'x', nodes);
  nodes.push(node('AveragePool', [x], ['y'], { ...attrs, count_include_pad: int(rng, 0, 1) }));
  return { inputs: { x: [1, int(rng, 1, 4), ...spatial] }, nodes, output: 'y' };
}

export function maxPoolCase(rng: Rng): OpCase {
  const { attrs, spatial } = poolAttrs(rng, rng() < 0.2, true);
  return {
    inputs: { x: [1, int(rng, 1, 4), ...spatial] },
    nodes: [node('MaxPool', ['x'], ['y'], attrs)],
    output: 'y',
    values: levels,
  };
}

export function globalPoolCase(rng: Rng): OpCase {
  const op = pick(rng, ['GlobalAveragePool', 'GlobalMaxPool', 'ReduceMean']);
  const dims = [1, int(rng, 1, 5), int(rng, 1, 5), int(rng, 1, 5)];
  const nodes: NodeSpec[] = [];
  const x = op === 'GlobalMaxPool' ? 'x' : maybeRelu(rng, 'x', nodes);
  const attrs: Record<string, AttrValue> =
    op === 'ReduceMean' ? { axes: [2, 3], keepdims: int(rng, 0, 1) } : {};
  nodes.push(node(op, [x], ['y'], attrs));
  return { inputs: { x: dims }, nodes, output: 'y', values: op === 'GlobalMaxPool' ? levels : undefined };
}

export function gemmCase(rng: Rng): OpCase {
  const [M, K, N] = [int(rng, 1, 3), int(rng, 1, 6), int(rng, 1, 5)];
  const transA = int(rng, 0, 1);
  const transB = int(rng, 0, 1);
  const aDims = transA ? [K, M] : [M, K];
  const bDims = transB ? [N, K] : [K, N];
  const dataIsA = rng() < 0.7;
  const initializers: Record<string, Tensor> = dataIsA
    ? { B: normalTensor(rng, bDims) }
    : { A: normalTensor(rng, aDims) };
  const inputs = dataIsA ? ['x', 'B'] : ['A', 'x'];
  if (rng() < 0.6) {
    initializers.C = randomTensor(rng, pick(rng, [[N], [1, N], [M, N], [M, 1]]), -0.5, 0.5);
    inputs.push('C');
  }
  const nodes: NodeSpec[] = [];
  inputs[dataIsA ? 0 : 1] = maybeRelu(rng, 'x', nodes);
  nodes.push(
    node('Gemm', inputs, ['y'], { transA, transB, alpha: pick(rng, [1, 0.5, 2]), beta: pick(rng, [1, 0.7]) }),
  );
  return { inputs: { x: dataIsA ? aDims : bDims }, initializers, nodes, output: 'y' };
}

export function matmulCase(rng: Rng): OpCase {
  const [M, K, N] = [int(rng, 1, 3), int(rng, 1, 6), int(rng, 1, 5)];
  const variant = pick(rng, ['2d', '3d', 'vector-data', 'vector-weight', 'constant-left']);
  const shapes: Record<string, [number[], number[], 0 | 1]> = {
    '2d': [[M, K], [K, N], 0],
    '3d': [[2, M, K], [K, N], 0],
    'vector-data': [[K], [K, N], 0],
    'vector-weight': [[M, K], [K], 0],
    'constant-left': [[M, K], [K, N], 1],
  };
  const [a, b, d] = shapes[variant];
  const nodes: NodeSpec[] = [];
  const x = maybeRelu(rng, 'x', nodes);
  nodes.push(node('MatMul', d === 0 ? [x, 'w'] : ['w', x], ['y']));
  return {
    inputs: { x: d === 0 ? a : b },
    initializers: { w: normalTensor(rng, d === 0 ? b : a) },
    nodes,
    output: 'y',
  };
}

export function batchNormCase(rng: Rng): OpCase {
  const C = int(rng, 1, 5);
  const dims = pick(rng, [
    [1, C, int(rng, 1, 4), int(rng, 1, 4)],
    [1, C, int(rng, 1, 5)],
    [1, C],
  ]);
  return {
    inputs: { x: dims },
    initializers: {
      scale: randomTensor(rng, [C], -1.5, 1.5),
      bias: randomTensor(rng, [C], -0.5, 0.5),
      mean: randomTensor(rng, [C], -0.3, 0.3),
      var: randomTensor(rng, [C], 0.5, 1.5),
    },
    nodes: [node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['y'], { epsilon: 1e-3 })],
    output: 'y',
  };
}

/** Dims that broadcast to `full`: itself, per channel, a trailing axis, or a leading-rank drop. */
function broadcastable(rng: Rng, full: number[]): number[] {
  const [, C, H, W] = full;
  return pick(rng, [full, [1, C, 1, 1], [W], [1, 1, H, 1], [C, 1, 1], [H, W]]);
}

export function addCase(rng: Rng): OpCase {
  const full = [1, int(rng, 1, 4), int(rng, 1, 4), int(rng, 1, 4)];
  const op = pick(rng, ['Add', 'Sub', 'Sum']);
  const yDims = broadcastable(rng, full);
  const [a, b] = rng() < 0.5 ? ['x', 'y'] : ['y', 'x'];
  const inputs: Record<string, number[]> = { x: full, y: yDims };
  const initializers: Record<string, Tensor> = {};
  const operands = [a, b];
  // A constant operand is bias; on its own it may be the larger side of the broadcast.
  if (rng() < 0.4) {
    initializers.k = randomTensor(rng, broadcastable(rng, full), -0.5, 0.5);
    if (op === 'Sum') operands.push('k');
    else {
      operands[1] = 'k';
      delete inputs[b];
    }
  }
  return { inputs, initializers, nodes: [node(op, operands, ['out'])], output: 'out' };
}

export function scaleCase(rng: Rng): OpCase {
  const full = [1, int(rng, 1, 4), int(rng, 1, 4), int(rng, 1, 4)];
  const op = pick(rng, ['Mul', 'Div']);
  const [xDims, kDims] = rng() < 0.5 ? [full, broadcastable(rng, full)] : [broadcastable(rng, full), full];
  const k = randomTensor(rng, kDims, 0.3, 1.5);
  if (rng() < 0.5) k.data.forEach((v, i) => (k.data[i] = i % 2 ? -v : v));
  const operands = op === 'Mul' && rng() < 0.5 ? ['k', 'x'] : ['x', 'k'];
  return { inputs: { x: xDims }, initializers: { k }, nodes: [node(op, operands, ['y'])], output: 'y' };
}

export function passCase(rng: Rng): OpCase {
  const dims = [1, int(rng, 1, 4), int(rng, 1, 4), int(rng, 3, 5)];
  const [, C, H, W] = dims;
  const cases: [NodeSpec[], Record<string, Tensor>?][] = [
    [[node('Relu', ['x'], ['y'])]],
    [[node('LeakyRelu', ['x'], ['y'], { alpha: 0.1 })]],
    [[node('Clip', ['x', 'lo', 'hi'], ['y'])], { lo: tensor([], [-0.3]), hi: tensor([], [0.4]) }],
    [[node('Clip', ['x', '', 'hi'], ['y'])], { hi: tensor([], [0.2]) }],
    [[node('Dropout', ['x'], ['y'])]],
    [[node('Identity', ['x'], ['y'])]],
    [[node('Flatten', ['x'], ['y'], { axis: int(rng, 0, 3) })]],
    [[node('Reshape', ['x', 's'], ['y'])], { s: tensor([3], [C, -1, W]) }],
    [
      [node('Unsqueeze', ['x', 'a'], ['u']), node('Squeeze', ['u', 'b'], ['y'])],
      { a: tensor([1], [2]), b: tensor([1], [0]) },
    ],
    [
      [
        node('Transpose', ['x'], ['y'], {
          perm: pick(rng, [
            [0, 2, 3, 1],
            [3, 1, 0, 2],
            [0, 1, 3, 2],
          ]),
        }),
      ],
    ],
    [[node('Transpose', ['x'], ['y'])]],
    [
      [node('Concat', ['x', 'k', 'x'], ['y'], { axis: 1 })],
      { k: randomTensor(rng, [1, int(rng, 1, 3), H, W]) },
    ],
    [
      [
        node('Split', ['x', 'sizes'], ['s0', 's1', 's2'], { axis: 3 }),
        node('Concat', ['s2', 's0'], ['y'], { axis: 3 }),
      ],
      { sizes: tensor([3], [1, 1, W - 2]) },
    ],
    [
      [node('Pad', ['x', 'p'], ['y'])],
      { p: tensor([8], [0, 0, int(rng, 0, 2), int(rng, 0, 2), 0, 1, int(rng, 0, 1), 2]) },
    ],
    [[node('Pad', ['x', 'p'], ['y'])], { p: tensor([8], [0, 0, H > 1 ? -1 : 0, 1, 0, 0, 2, -1]) }],
    [
      [node('Pad', ['x', 'p', 'v'], ['y'])],
      { p: tensor([8], [0, 1, 0, 1, 0, 0, 1, 0]), v: tensor([], [0.5]) },
    ],
    [[node('Pad', ['x', 'p'], ['y'], { mode: 'reflect' })], { p: tensor([8], [0, 0, 0, 1, 0, 0, 0, 2]) }],
  ];
  const [nodes, initializers] = pick(rng, cases);
  return { inputs: { x: dims }, initializers, nodes, output: 'y' };
}

/** HardSwish, and a gating Mul (SiLU, or squeeze-and-excitation with a broadcast gate). */
export function gateCase(rng: Rng): OpCase {
  const dims = [1, int(rng, 1, 4), int(rng, 1, 4), int(rng, 1, 4)];
  const variant = pick(rng, ['hardswish', 'silu', 'excitation']);
  if (variant === 'hardswish') {
    // Beyond [-3, 3] too, where the output is 0 or x.
    const values = (r: Rng, d: number[]) => randomTensor(r, d, -5, 5);
    return { inputs: { x: dims }, nodes: [node('HardSwish', ['x'], ['y'])], output: 'y', values };
  }
  const gate =
    variant === 'silu'
      ? [node('Sigmoid', ['x'], ['g'])]
      : [node('GlobalAveragePool', ['x'], ['m']), node('Sigmoid', ['m'], ['g'])];
  const gateFirst = rng() < 0.5;
  return {
    inputs: { x: dims },
    nodes: [
      ...gate,
      node('Mul', gateFirst ? ['g', 'x'] : ['x', 'g'], ['y'], { [GATE_ATTR]: gateFirst ? 0 : 1 }),
    ],
    output: 'y',
  };
}

/**
 * Cases side by side: names prefixed per branch, every input fed as [1, n] and reshaped to its dims, and
 * the logits the concatenation of every branch output reshaped to [1, n].
 */
export function combine(rng: Rng, cases: OpCase[]): { spec: GraphSpec; inputs: Record<string, Tensor> } {
  const spec: GraphSpec = { inputs: {}, initializers: {}, nodes: [], outputs: ['logits'] };
  const inputs: Record<string, Tensor> = {};
  const flat = tensor([2], [1, -1]);
  spec.initializers!.flat = flat;
  const outs: string[] = [];
  cases.forEach((c, i) => {
    const p = (name: string) => (name === '' ? '' : `b${i}/${name}`);
    for (const [name, dims] of Object.entries(c.inputs)) {
      spec.inputs[p(`${name}:flat`)] = [1, numel(dims)];
      spec.initializers![p(`${name}:dims`)] = tensor([dims.length], dims);
      spec.nodes.push(node('Reshape', [p(`${name}:flat`), p(`${name}:dims`)], [p(name)]));
      const values = c.values ? c.values(rng, dims) : randomTensor(rng, dims);
      inputs[p(`${name}:flat`)] = { dims: [1, numel(dims)], data: values.data };
    }
    for (const [name, t] of Object.entries(c.initializers ?? {})) spec.initializers![p(name)] = t;
    for (const n of c.nodes) spec.nodes.push({ ...n, inputs: n.inputs.map(p), outputs: n.outputs.map(p) });
    spec.nodes.push(node('Reshape', [p(c.output), 'flat'], [p('out:flat')]));
    outs.push(p('out:flat'));
  });
  spec.nodes.push(node('Concat', outs, ['logits'], { axis: 1 }));
  return { spec, inputs };
}
