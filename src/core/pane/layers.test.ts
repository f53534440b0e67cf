// The layer list: every tensor that carries chain mass, ordered from the input to the logits.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { explain } from '../reference/chain';
import { runForward } from '../reference/forward';
import { makeGraph, node, randomTensor, smallCnnSpec } from '../../../tests/support/testkit';
import { tensor } from '../tensor';
import { layerList } from './layers';
import { dataValues, fluxInputs, fluxOutputs } from './ops';

describe('layerList', () => {
  it('lists exactly the tensors explain delivers mass to, input first and logits last', () => {
    const rng = mulberry32(9);
    const g = makeGraph(smallCnnSpec(rng, { bias: true, softmax: true }));
    const layers = layerList(g);
    expect(layers[0]).toEqual({
      tensor: 'x',
      node: '',
      opType: 'Input',
      dims: [1, 3, 16, 16],
      layout: 'NCHW',
    });
    expect(layers[layers.length - 1]).toMatchObject({ tensor: 'logits', opType: 'Gemm', dims: [1, 5] });
    expect(layers.map((l) => l.tensor)).not.toContain('probs');
    const values = runForward(g, { x: randomTensor(rng, [1, 3, 16, 16]) });
    expect(layers.map((l) => l.tensor).sort()).toEqual([...explain(g, values).flux.keys()].sort());
    const order = new Map(g.nodes.map((n, i) => [n.name, i]));
    const positions = layers.slice(1).map((l) => order.get(l.node)!);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('skips shape arguments computed from data', () => {
    const g = makeGraph({
      inputs: { x: [1, 2, 3] },
      nodes: [node('Shape', ['x'], ['s']), node('Reshape', ['x', 's'], ['y']), node('Relu', ['y'], ['z'])],
      outputs: ['z'],
    });
    expect(layerList(g).map((l) => l.tensor)).toEqual(['x', 'y', 'z']);
  });
});

describe('op helpers', () => {
  const g = makeGraph({
    inputs: { x: [1, 2] },
    initializers: { k: tensor([1, 2], [1, 2]) },
    nodes: [
      node('Add', ['k', 'k'], ['kk']),
      node('Add', ['x', 'kk'], ['a']),
      node('Concat', ['a', 'x', 'kk'], ['c'], { axis: 1 }),
      node('Split', ['c'], ['s1', 's2'], { axis: 1, split: [3, 3] }),
    ],
    outputs: ['s1'],
  });

  it('data values depend on a graph input; values computed from constants are constants', () => {
    expect([...dataValues(g)].sort()).toEqual(['a', 'c', 's1', 's2', 'x']);
  });

  it('mass enters through data operands of affine ops and Concat, the first input otherwise', () => {
    expect(fluxInputs(g, g.nodes[1])).toEqual([0]);
    expect(fluxInputs(g, g.nodes[2])).toEqual([0, 1]);
    expect(fluxInputs(g, g.nodes[3])).toEqual([0]);
    expect(fluxOutputs(g.nodes[3])).toEqual(['s1', 's2']);
  });
});
