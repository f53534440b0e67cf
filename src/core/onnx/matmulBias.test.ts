// MatMul + constant Add -> Gemm with bias (PANE-SPEC 4.3: the constant Add is the MatMul's bias).
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { explain } from '../reference/chain';
import { runForward } from '../reference/forward';
import { maxRelDiff, randomTensor } from '../../../tests/support/testkit';
import { buildModel, type BuildNode, type ModelSpec } from './build';
import { loadGraph } from './index';

const rng = mulberry32(31);
const W = Array.from(randomTensor(rng, [6, 4]).data);
const B = Array.from(randomTensor(rng, [4]).data);

function head(nodes: BuildNode[], extra: Partial<ModelSpec> = {}): ModelSpec {
  return {
    inputs: [{ name: 'x', shape: [1, 6, 1, 1] }],
    outputs: [{ name: 'y' }],
    initializers: {
      W: { dims: [6, 4], data: W },
      B: { dims: [4], data: B },
      Wt: { dims: [4, 6], data: transpose(W) },
    },
    nodes: [
      { op: 'Flatten', inputs: ['x'], outputs: ['f'] },
      { op: 'Relu', inputs: ['f'], outputs: ['h'] },
      ...nodes,
    ],
    ...extra,
  };
}

function transpose(w: number[]): number[] {
  return Array.from({ length: 24 }, (_, i) => w[(i % 6) * 4 + Math.floor(i / 6)]);
}

describe('fuseMatMulBias', () => {
  const fused = loadGraph(
    buildModel(
      head([
        { op: 'MatMul', name: 'dense', inputs: ['h', 'W'], outputs: ['mm'] },
        { op: 'Add', name: 'bias_add', inputs: ['B', 'mm'], outputs: ['y'] },
      ]),
    ),
  );
  const gemm = loadGraph(
    buildModel(
      head([{ op: 'Gemm', name: 'fc', inputs: ['h', 'Wt', 'B'], outputs: ['y'], attrs: { transB: 1 } }]),
    ),
  );

  it('makes one Gemm named after the MatMul that writes the Add output', () => {
    expect(fused.nodes.map((n) => [n.opType, n.name, n.outputs[0]])).toEqual([
      ['Flatten', 'Flatten_0', 'f'],
      ['Relu', 'Relu_1', 'h'],
      ['Gemm', 'dense', 'y'],
    ]);
  });

  it('gives the forward values and the maps of a Gemm with bias, for every rule', () => {
    const x = randomTensor(rng, [1, 6, 1, 1]);
    const [va, vb] = [runForward(fused, { x }), runForward(gemm, { x })];
    expect(maxRelDiff(va.get('y')!.data, vb.get('y')!.data)).toBeLessThan(1e-15);
    for (const rule of ['sf', 'alphabeta', 'ebp'] as const) {
      const [a, b] = [explain(fused, va, { rule }), explain(gemm, vb, { rule })];
      expect(maxRelDiff(a.flux.get('x')!.R, b.flux.get('x')!.R)).toBeLessThan(1e-14);
      expect(maxRelDiff(a.flux.get('x')!.T, b.flux.get('x')!.T)).toBeLessThan(1e-14);
      expect(a.sinks.get('dense')).toEqual(b.sinks.get('fc'));
    }
  });

  it('leaves the pair alone when the product has another reader, is an output, or the Add is not a bias', () => {
    const ops = (spec: ModelSpec) => loadGraph(buildModel(spec)).nodes.map((n) => n.opType);
    const mm: BuildNode = { op: 'MatMul', inputs: ['h', 'W'], outputs: ['mm'] };
    expect(
      ops(
        head([
          mm,
          { op: 'Add', inputs: ['mm', 'B'], outputs: ['a'] },
          { op: 'Sub', inputs: ['a', 'mm'], outputs: ['y'] },
        ]),
      ),
    ).toEqual(['Flatten', 'Relu', 'MatMul', 'Add', 'Sub']);
    expect(
      ops(
        head([mm, { op: 'Add', inputs: ['mm', 'B'], outputs: ['y'] }], {
          outputs: [{ name: 'y' }, { name: 'mm' }],
        }),
      ),
    ).toEqual(['Flatten', 'Relu', 'MatMul', 'Add']);
    expect(ops(head([mm, { op: 'Add', inputs: ['mm', 'mm'], outputs: ['y'] }]))).toEqual([
      'Flatten',
      'Relu',
      'MatMul',
      'Add',
    ]);
  });
});
