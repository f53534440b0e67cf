/**
 * The golden numbers of PANE-SPEC section 5 (items 1, 2, 9 and 10) as shared fixtures: small whole graphs
 * with their input, options and the flux the spec prints, which every backend must meet: the float64
 * reference within 1e-9 (core/reference/chain.golden.test.ts), the float32 chain graph on onnxruntime
 * (engine/cpu-graph/golden.test.ts) and the WebGPU chain (gpu/golden.browser.test.ts) within
 * FLOAT32_GOLDEN. Fractions are the exact values of the decimals printed in the spec.
 *
 * The spec gives 5.9 and 5.10 as one node with a given incoming flux; here a Gemm after the node produces
 * exactly that flux from an excitation start mass (under sf its contributions c give T = |c|, R = c), so
 * the float32 graph, which always starts at a head, meets the same numbers.
 */
import type { PaneOptions } from '../../src/core/pane/options';
import { tensor, type Tensor } from '../../src/core/tensor';
import { node, type GraphSpec } from '../support/testkit';

export interface GoldenCase {
  name: string;
  spec: GraphSpec;
  input: Record<string, Tensor>;
  options: Partial<PaneOptions>;
  /** Forward values the spec states. */
  forward?: Record<string, number[]>;
  /** The start mass m. */
  mass?: number;
  /** Flux per tensor (the spec prints P = (T + R) / 2 and N = (T - R) / 2). */
  flux: Record<string, { T: number[]; R: number[] }>;
  /** Absorbed T per node name (makeGraph names nodes `${op}_${index}`). */
  sinks?: Record<string, number>;
}

/** Within this of max(1, |value|) for the float32 backends: a few float32 roundings of small sums. */
export const FLOAT32_GOLDEN = 1e-6;

/** T and R from the spec's P and N. */
function pn(P: number[], N: number[]): { T: number[]; R: number[] } {
  return { T: P.map((p, i) => p + N[i]), R: P.map((p, i) => p - N[i]) };
}

const twoLayer: GraphSpec = {
  inputs: { x: [1, 2] },
  initializers: {
    W1: tensor([3, 2], [1, -1, 2, 1, -1, 3]),
    w2: tensor([1, 3], [3, 1, -0.5]),
    b2: tensor([1], [0.5]),
  },
  nodes: [
    node('Gemm', ['x', 'W1'], ['z1'], { transB: 1 }),
    node('Relu', ['z1'], ['h']),
    node('Gemm', ['h', 'w2', 'b2'], ['zt'], { transB: 1 }),
  ],
  outputs: ['zt'],
};

/** MaxPool (kernel 2, stride 2) over x [1, 1, n], then a Gemm whose contributions are `c` (of y = 5 or 4). */
function pooled(x: number[], weights: number[], fanOut: boolean): GraphSpec {
  const nodes = [
    node('MaxPool', ['x'], ['y'], { kernel_shape: [2], strides: [2] }),
    node('Flatten', ['y'], ['yf']),
  ];
  // A tie pools to one value; reading it twice gives it a flux with |R| < T.
  if (fanOut) nodes.push(node('Concat', ['yf', 'yf'], ['v'], { axis: 1 }));
  nodes.push(node('Gemm', [fanOut ? 'v' : 'yf', 'w'], ['z']));
  return {
    inputs: { x: [1, 1, x.length] },
    initializers: { w: tensor([weights.length, 1], weights) },
    nodes,
    outputs: ['z'],
  };
}

export const GOLDEN: readonly GoldenCase[] = [
  {
    name: '5.1 linear model: x = [1, 2], w = [3, -1], b = 0.5 gives P = [3, 0], N = [0, 2], sink 0.5',
    spec: {
      inputs: { x: [1, 2] },
      initializers: { w: tensor([2, 1], [3, -1]), b: tensor([1], [0.5]) },
      nodes: [node('Gemm', ['x', 'w', 'b'], ['z'])],
      outputs: ['z'],
    },
    input: { x: tensor([1, 2], [1, 2]) },
    options: { startMass: 'excitation' },
    forward: { z: [1.5] },
    mass: 5.5,
    flux: { x: pn([3, 0], [0, 2]) },
    sinks: { Gemm_0: 0.5 },
  },
  {
    name: '5.2 two-layer example, sf with start mass "excitation" (m = G_t = 7)',
    spec: twoLayer,
    input: { x: tensor([1, 2], [1, 2]) },
    options: { rule: 'sf', startMass: 'excitation' },
    forward: { z1: [-1, 4, 5], zt: [2] },
    mass: 7,
    flux: {
      h: pn([0, 4, 0], [0, 0, 2.5]),
      // P = [2.357142857, 2], N = [0, 2.142857143], T = [2.357142857, 4.142857143]
      x: pn([33 / 14, 2], [0, 15 / 7]),
    },
    sinks: { Gemm_2: 0.5 },
  },
  {
    name: '5.2 two-layer example, alphabeta with alpha = 2, beta = 1 and unit mass',
    spec: twoLayer,
    input: { x: tensor([1, 2], [1, 2]) },
    options: { rule: 'alphabeta', alpha: 2, beta: 1, startMass: 'unit' },
    mass: 1,
    flux: {
      h: pn([0, 16 / 9, 0], [0, 0, 1]), // P = [0, 1.777778, 0]
      x: pn([25 / 9, 16 / 9], [0, 2]), // P = [2.777778, 1.777778]
    },
  },
  {
    name: '5.9 MaxPool routing: x = [1, 5, 5, 2], T_y = [1, 2], R_y = [1, -2] gives T_x = [0, 1, 2, 0], R_x = [0, 1, -2, 0]',
    spec: pooled([1, 5, 5, 2], [0.2, -0.4], false),
    input: { x: tensor([1, 1, 4], [1, 5, 5, 2]) },
    options: { rule: 'sf', startMass: 'excitation' },
    mass: 3,
    flux: { y: { T: [1, 2], R: [1, -2] }, x: { T: [0, 1, 2, 0], R: [0, 1, -2, 0] } },
    sinks: { MaxPool_0: 0 },
  },
  {
    name: '5.9 MaxPool routing: a tie [4, 4] shares T_y = 1, R_y = -0.5 equally',
    spec: pooled([4, 4], [0.0625, -0.1875], true),
    input: { x: tensor([1, 1, 2], [4, 4]) },
    options: { rule: 'sf', startMass: 'excitation' },
    mass: 1,
    flux: { y: { T: [1], R: [-0.5] }, x: { T: [0.5, 0.5], R: [-0.25, -0.25] } },
    sinks: { MaxPool_0: 0 },
  },
  {
    name: '5.10 Add split: x1 = [3, -1], x2 = [1, 2], incoming P = [1, 1], N = 0',
    // x = [x1, x2] split in two; y = x1 + x2 = [4, 1] and w = [0.25, 1] make the incoming flux T = R = [1, 1].
    spec: {
      inputs: { x: [1, 4] },
      initializers: { s: tensor([2], [2, 2]), w: tensor([2, 1], [0.25, 1]) },
      nodes: [
        node('Split', ['x', 's'], ['x1', 'x2'], { axis: 1 }),
        node('Add', ['x1', 'x2'], ['y']),
        node('Gemm', ['y', 'w'], ['z']),
      ],
      outputs: ['z'],
    },
    input: { x: tensor([1, 4], [3, -1, 1, 2]) },
    options: { rule: 'sf', startMass: 'excitation' },
    mass: 2,
    flux: {
      y: { T: [1, 1], R: [1, 1] },
      x1: { T: [0.75, 1 / 3], R: [0.75, -1 / 3] },
      x2: { T: [0.25, 2 / 3], R: [0.25, 2 / 3] },
    },
    sinks: { Add_1: 0 },
  },
];

/** Expected values as [label, got, want] triples for one case, for any backend's flux lookup. */
export function goldenDifferences(
  c: GoldenCase,
  fluxOf: (tensor: string) => { T: ArrayLike<number>; R: ArrayLike<number> } | undefined,
): { label: string; diff: number }[] {
  const out: { label: string; diff: number }[] = [];
  for (const [name, want] of Object.entries(c.flux)) {
    const got = fluxOf(name);
    for (const part of ['T', 'R'] as const) {
      want[part].forEach((w, i) => {
        const g = got?.[part][i];
        const diff = g === undefined || got![part].length !== want[part].length ? Infinity : Math.abs(g - w);
        out.push({ label: `${part}(${name})[${i}] = ${w}`, diff: diff / Math.max(1, Math.abs(w)) });
      });
    }
  }
  return out;
}
