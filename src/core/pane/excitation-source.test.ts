// The rule both engines use for the E+ / E- views of a layer: which affine output's forward excitation it
// shows, on a small graph with every case, and on SqueezeNet 1.1 (placed by scripts/setup-model.mjs).
import { describe, expect, it } from 'vitest';
import { SQUEEZENET_ONNX, readBytes } from '../../../tests/paths';
import { loadGraph } from '../onnx';
import { markGates } from '../onnx/gates';
import { mulberry32 } from '../random';
import { makeGraph, node, normalTensor } from '../../../tests/support/testkit';
import { excitationSource } from './excitation-source';
import { layerList } from './layers';

describe('excitationSource', () => {
  it('follows activations and same-size gates back to an affine output, and stops anywhere else', () => {
    const rng = mulberry32(3);
    const g = markGates(
      makeGraph({
        inputs: { x: [1, 3, 8, 8] },
        initializers: {
          w1: normalTensor(rng, [4, 3, 3, 3]),
          scale: normalTensor(rng, [4]),
          shift: normalTensor(rng, [4]),
          mean: normalTensor(rng, [4]),
          var: { dims: [4], data: Float64Array.of(1, 2, 3, 4) },
          wfc: normalTensor(rng, [64, 5]),
        },
        nodes: [
          node('Conv', ['x', 'w1'], ['c1'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
          node('Relu', ['c1'], ['r1']),
          node('Identity', ['r1'], ['id1']),
          node('MaxPool', ['r1'], ['p1'], { kernel_shape: [2, 2], strides: [2, 2] }),
          node('BatchNormalization', ['p1', 'scale', 'shift', 'mean', 'var'], ['bn']),
          // SiLU: bn * Sigmoid(bn), then HardSwish on top of it.
          node('Sigmoid', ['bn'], ['silu.gate']),
          node('Mul', ['bn', 'silu.gate'], ['silu']),
          node('HardSwish', ['silu'], ['hs']),
          // Squeeze-and-excitation: the [1, 4, 1, 1] gate scales the same-size signal hs.
          node('GlobalAveragePool', ['hs'], ['gap']),
          node('Sigmoid', ['gap'], ['se.gate']),
          node('Mul', ['se.gate', 'hs'], ['se']),
          // A gate whose signal is broadcast: the output's positions are not the signal's.
          node('Sigmoid', ['hs'], ['wide.gate']),
          node('Mul', ['gap', 'wide.gate'], ['wide']),
          node('Add', ['se', 'wide'], ['sum']),
          node('Tanh', ['sum'], ['tanh']),
          node('Relu', ['tanh'], ['tanh.relu']),
          node('Flatten', ['sum'], ['flat']),
          node('Relu', ['flat'], ['flat.relu']),
          node('Gemm', ['flat', 'wfc'], ['logits']),
        ],
        outputs: ['logits', 'tanh.relu', 'flat.relu', 'id1'],
      }),
    );
    const sources = Object.fromEntries(
      [...g.shapes.keys()].filter((t) => !g.initializers.has(t)).map((t) => [t, excitationSource(g, t)]),
    );
    expect(sources).toEqual({
      x: null,
      c1: 'c1',
      r1: 'c1',
      id1: 'c1',
      p1: null,
      bn: 'bn',
      'silu.gate': null,
      silu: 'bn',
      hs: 'bn',
      gap: 'gap',
      'se.gate': null,
      se: 'bn',
      'wide.gate': null,
      wide: null,
      sum: 'sum',
      tanh: null,
      'tanh.relu': null,
      flat: null,
      'flat.relu': null,
      logits: 'logits',
    });
    expect(excitationSource(g, 'no such tensor')).toBeNull();
  });

  it('on SqueezeNet 1.1: every Relu shows its Conv', () => {
    const g = loadGraph(readBytes(SQUEEZENET_ONNX));
    const layers = layerList(g);
    const byOp = new Map<string, [string, string | null][]>();
    for (const l of layers) {
      const list = byOp.get(l.opType) ?? [];
      list.push([l.tensor, excitationSource(g, l.tensor)]);
      byOp.set(l.opType, list);
    }
    expect(layers.slice(0, 6).map((l) => [l.tensor, excitationSource(g, l.tensor)])).toEqual([
      ['input', null],
      ['conv0', 'conv0'],
      ['conv0_relu', 'conv0'],
      ['pool0', null],
      ['conv1', 'conv1'],
      ['conv1_relu', 'conv1'],
    ]);
    const relus = byOp.get('Relu')!;
    expect(relus).toHaveLength(26);
    for (const [tensor, source] of relus) expect(source).toBe(tensor.replace(/_relu$/, ''));
    for (const [tensor, source] of [...byOp.get('Conv')!, ...byOp.get('GlobalAveragePool')!])
      expect(source).toBe(tensor);
    for (const op of ['Input', 'MaxPool', 'Concat', 'Flatten'])
      for (const [, source] of byOp.get(op)!) expect(source).toBeNull();
    expect([...byOp.keys()].sort()).toEqual(
      ['Concat', 'Conv', 'Flatten', 'GlobalAveragePool', 'Input', 'MaxPool', 'Relu'].sort(),
    );
  });
});
