/**
 * Small graphs for tests of the chain and of the GPU kernels against it: an IrGraph from nodes and
 * initializers (shapes filled in by one forward pass), random tensors from a seeded generator, and the
 * tolerance check used throughout.
 */
import type { ConvGeometry } from '../../src/core/onnx/geometry';
import type { AttrValue, IrGraph, IrNode } from '../../src/core/onnx/ir';
import { normalArray, uniformArray } from '../../src/core/random';
import { numel, type Tensor } from '../../src/core/tensor';
import { runForward } from '../../src/core/reference/forward';
import type { DenseLayer } from './pn-oracle';

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  name?: string;
}

export interface GraphSpec {
  /** Graph inputs (data) and their dims. */
  inputs: Record<string, readonly number[]>;
  initializers?: Record<string, Tensor>;
  nodes: NodeSpec[];
  outputs: string[];
  opset?: number;
}

export function node(
  op: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
): NodeSpec {
  return { op, inputs, outputs, attrs };
}

/** The IrGraph of `spec`; every value's shape comes from a forward pass on zero inputs. */
export function makeGraph(spec: GraphSpec): IrGraph {
  const nodes: IrNode[] = spec.nodes.map((n, i) => ({
    name: n.name ?? `${n.op}_${i}`,
    opType: n.op,
    domain: '',
    inputs: n.inputs,
    outputs: n.outputs,
    attrs: n.attrs ?? {},
  }));
  const initializers = new Map(Object.entries(spec.initializers ?? {}));
  const base: IrGraph = {
    name: 'test',
    opset: spec.opset ?? 17,
    inputs: Object.entries(spec.inputs).map(([name, dims]) => ({
      name,
      elemType: 'float32',
      shape: [...dims],
    })),
    outputs: spec.outputs.map((name) => ({ name, elemType: 'float32', shape: [] })),
    nodes,
    initializers,
    constTypes: new Map([...initializers.keys()].map((k) => [k, 'float32'])),
    shapes: new Map(),
    metadata: {},
  };
  const feeds = Object.fromEntries(
    Object.entries(spec.inputs).map(([name, dims]) => [
      name,
      { dims: [...dims], data: new Float64Array(numel(dims)) },
    ]),
  );
  const values = runForward(base, feeds);
  return { ...base, shapes: new Map([...values].map(([k, v]) => [k, [...v.dims]])) };
}

function tensorOf(dims: readonly number[], value: number): Tensor {
  return { dims: [...dims], data: new Float64Array(numel(dims)).fill(value) };
}

export type Rng = () => number;

/** An integer in [lo, hi]. */
export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function pick<T>(rng: Rng, options: readonly T[]): T {
  return options[Math.floor(rng() * options.length)];
}

/** Uniform in [lo, hi), rounded to float32: float32 and float64 backends then read the very same inputs. */
export function randomF32(rng: Rng, dims: readonly number[], lo = -1, hi = 1): Tensor {
  const data = new Float64Array(numel(dims));
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(lo + (hi - lo) * rng());
  return { dims: [...dims], data };
}

export function randomTensor(rng: () => number, dims: readonly number[], lo = -1, hi = 1): Tensor {
  return { dims: [...dims], data: uniformArray(rng, numel(dims), lo, hi) };
}

export function normalTensor(rng: () => number, dims: readonly number[], std = 1): Tensor {
  return { dims: [...dims], data: normalArray(rng, numel(dims), std) };
}

/** Largest |a - b| relative to max(1, max|b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    d = Number.isNaN(e) ? Infinity : Math.max(d, e);
  }
  return d / scale;
}

export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Dense (Toeplitz) matrix of a convolution of one image, built straight from the ONNX definition. */
export function convMatrix(xDims: readonly number[], w: Tensor, geo: ConvGeometry): Float64Array[] {
  const oneD = xDims.length === 3;
  const [C, H, W] = oneD ? [xDims[1], 1, xDims[2]] : [xDims[1], xDims[2], xDims[3]];
  const M = w.dims[0];
  const [kH, kW] = geo.kernel;
  const cg = C / geo.group;
  const rows: Float64Array[] = [];
  for (let m = 0; m < M; m++) {
    const g = Math.floor(m / (M / geo.group));
    for (let oh = 0; oh < geo.outH; oh++) {
      for (let ow = 0; ow < geo.outW; ow++) {
        const row = new Float64Array(C * H * W);
        for (let ci = 0; ci < cg; ci++) {
          for (let kh = 0; kh < kH; kh++) {
            for (let kw = 0; kw < kW; kw++) {
              const ih = oh * geo.strides[0] - geo.pads[0] + kh * geo.dilations[0];
              const iw = ow * geo.strides[1] - geo.pads[1] + kw * geo.dilations[1];
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              row[((g * cg + ci) * H + ih) * W + iw] += w.data[((m * cg + ci) * kH + kh) * kW + kw];
            }
          }
        }
        rows.push(row);
      }
    }
  }
  return rows;
}

/** A dense network as a graph: Gemm (transB = 1, bias C) per layer, Relu where the layer has one. */
export function denseGraphSpec(layers: DenseLayer[]): GraphSpec {
  const initializers: Record<string, Tensor> = {};
  const nodes: NodeSpec[] = [];
  let x = 'x';
  layers.forEach((l, i) => {
    const n = l.W.length;
    const k = l.W[0].length;
    const W = new Float64Array(n * k);
    l.W.forEach((row, j) => W.set(row, j * k));
    initializers[`W${i}`] = { dims: [n, k], data: W };
    initializers[`b${i}`] = { dims: [n], data: l.b };
    const z = `z${i}`;
    nodes.push(node('Gemm', [x, `W${i}`, `b${i}`], [z], { transB: 1 }));
    x = z;
    if (l.relu) {
      nodes.push(node('Relu', [z], [`h${i}`]));
      x = `h${i}`;
    }
  });
  return { inputs: { x: [1, layers[0].W[0].length] }, initializers, nodes, outputs: [x] };
}

/** A random dense network: Relu on every layer but the last. */
export function randomDense(
  rng: () => number,
  sizes: readonly number[],
  opts: { bias?: boolean; positive?: boolean } = {},
): DenseLayer[] {
  const lo = opts.positive ? 0 : -1;
  return sizes.slice(1).map((n, l) => ({
    W: Array.from({ length: n }, () => uniformArray(rng, sizes[l], lo, 1)),
    b: opts.bias ? uniformArray(rng, n, -0.5, 0.5) : new Float64Array(n),
    relu: l < sizes.length - 2,
  }));
}

/**
 * A small CNN that exercises every structural feature of the chain: Conv (3x3 pad 1, 1x1), Relu, MaxPool
 * with ceil_mode, a fire module (squeeze, two expands, Concat), unfolded BatchNormalization, a residual
 * Add, AveragePool, GlobalAveragePool, Flatten and a Gemm head; optionally a final Softmax.
 * Input x [batch, 3, 16, 16], 5 logits. Without `bias`, every bias is omitted and BN has no shift.
 */
export function smallCnnSpec(
  rng: () => number,
  opts: { bias?: boolean; softmax?: boolean; batch?: number } = {},
): GraphSpec {
  const initializers: Record<string, Tensor> = {};
  const nodes: NodeSpec[] = [];
  const conv = (
    x: string,
    y: string,
    c: number,
    m: number,
    k: number,
    attrs: Record<string, AttrValue> = {},
  ) => {
    initializers[`${y}.w`] = normalTensor(rng, [m, c, k, k], Math.sqrt(2 / (c * k * k)));
    const inputs = [x, `${y}.w`];
    if (opts.bias) {
      initializers[`${y}.b`] = randomTensor(rng, [m], -0.1, 0.1);
      inputs.push(`${y}.b`);
    }
    nodes.push(node('Conv', inputs, [y], { kernel_shape: [k, k], ...attrs }));
  };
  const relu = (x: string, y: string) => nodes.push(node('Relu', [x], [y]));
  conv('x', 'conv0', 3, 8, 3, { pads: [1, 1, 1, 1] });
  relu('conv0', 'relu0');
  nodes.push(node('MaxPool', ['relu0'], ['pool0'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }));
  conv('pool0', 'squeeze', 8, 4, 1);
  relu('squeeze', 'squeeze_relu');
  conv('squeeze_relu', 'expand1', 4, 6, 1);
  relu('expand1', 'expand1_relu');
  conv('squeeze_relu', 'expand3', 4, 6, 3, { pads: [1, 1, 1, 1] });
  relu('expand3', 'expand3_relu');
  nodes.push(node('Concat', ['expand1_relu', 'expand3_relu'], ['fire'], { axis: 1 }));
  const scale = randomTensor(rng, [12], 0.5, 1.5);
  const mean = randomTensor(rng, [12], -0.2, 0.2);
  initializers['bn.scale'] = scale;
  initializers['bn.mean'] = mean;
  // Without bias the shift beta - mean * s must vanish exactly: variance 1 (epsilon 0) makes s = scale,
  // and beta = mean * scale.
  initializers['bn.var'] = opts.bias ? randomTensor(rng, [12], 0.5, 1.5) : tensorOf([12], 1);
  initializers['bn.beta'] = opts.bias
    ? randomTensor(rng, [12], -0.1, 0.1)
    : { dims: [12], data: mean.data.map((m, c) => m * scale.data[c]) };
  nodes.push(
    node('BatchNormalization', ['fire', 'bn.scale', 'bn.beta', 'bn.mean', 'bn.var'], ['bn'], { epsilon: 0 }),
  );
  conv('bn', 'project', 12, 8, 1);
  nodes.push(node('Add', ['project', 'pool0'], ['residual']));
  relu('residual', 'residual_relu');
  nodes.push(node('AveragePool', ['residual_relu'], ['avg'], { kernel_shape: [2, 2], strides: [2, 2] }));
  conv('avg', 'conv_last', 8, 10, 3, { pads: [1, 1, 1, 1] });
  relu('conv_last', 'conv_last_relu');
  nodes.push(node('GlobalAveragePool', ['conv_last_relu'], ['gap']));
  nodes.push(node('Flatten', ['gap'], ['flat']));
  initializers['head.w'] = normalTensor(rng, [10, 5], Math.sqrt(1 / 10));
  const headInputs = ['flat', 'head.w'];
  if (opts.bias) {
    initializers['head.b'] = randomTensor(rng, [5], -0.1, 0.1);
    headInputs.push('head.b');
  }
  nodes.push(node('Gemm', headInputs, ['logits']));
  if (opts.softmax) nodes.push(node('Softmax', ['logits'], ['probs'], { axis: 1 }));
  return {
    inputs: { x: [opts.batch ?? 1, 3, 16, 16] },
    initializers,
    nodes,
    outputs: [opts.softmax ? 'probs' : 'logits'],
  };
}
