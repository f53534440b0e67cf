// CpuCompute, the CPU engine's work, on a small CNN: the engine contract (prediction, explanation summary,
// maps and pixels of every layer), its chains compiled once per rule and reused, and a model the chain
// cannot traverse still classifying.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from '../core/random';
import { node, randomTensor, smallCnnSpec } from '../../tests/support/testkit';
import { CpuCompute } from './cpu-compute';
import { ChainRunner } from './cpu-graph/chain-runner';
import { modelOf } from '../../tests/support/ort-chain';

const rng = mulberry32(21);
const bytes = modelOf(smallCnnSpec(rng, { bias: true, softmax: true }));
const input = Float32Array.from(randomTensor(rng, [1, 3, 16, 16]).data);

afterEach(() => vi.restoreAllMocks());

describe('CpuCompute', () => {
  it('predicts, explains with every rule, and draws every layer', async () => {
    const compute = new CpuCompute();
    try {
      const info = await compute.loadModel(bytes, 'small.onnx');
      expect(info.canExplain).toBe(true);
      const prediction = await compute.setInput(input);
      expect(prediction.probs.length).toBe(5);
      for (const rule of ['sf', 'alphabeta', 'ebp'] as const) {
        const summary = await compute.explain({ rule, target: 1 });
        expect(summary.target).toBe(1);
        expect(summary.layers.map((l) => l.tensor)).toEqual(info.layers.map((l) => l.tensor));
        if (rule === 'sf') expect(summary.fluxAtInputPlusSinks).toBeCloseTo(summary.mass, 5);
        for (const layer of info.layers) {
          const map = compute.readMap({ layer: layer.tensor, kind: 'net' });
          expect([map.width, map.height]).toEqual([16, 16]);
          expect(map.data.every(Number.isFinite)).toBe(true);
        }
        const view = {
          layer: 'x',
          kind: 'net',
          normalization: 'layer',
          clipPercentile: null,
          colormap: 'auto',
          gamma: 1,
        } as const;
        const pixels = compute.render(view);
        expect(pixels.rgba.length).toBe(16 * 16 * 4);
        expect(pixels.info.scale).toBeGreaterThan(0);
      }
    } finally {
      compute.dispose();
    }
  });

  it('compiles a chain once per rule options and reuses it for other heads, targets and inputs', async () => {
    const create = vi.spyOn(ChainRunner, 'create');
    const compute = new CpuCompute();
    try {
      await compute.loadModel(bytes, 'small.onnx');
      await compute.setInput(input);
      await compute.explain({ rule: 'sf' });
      await compute.explain({ rule: 'alphabeta' });
      await compute.explain({ rule: 'sf', head: 'contrast_mean', target: 3 });
      await compute.setInput(input.map((v) => -v));
      await compute.explain({ rule: 'alphabeta', target: 0 });
      expect(create).toHaveBeenCalledTimes(2);
    } finally {
      compute.dispose();
    }
  });

  it('keeps only the newest chain when the chains are large', async () => {
    const create = vi.spyOn(ChainRunner, 'create');
    vi.spyOn(ChainRunner.prototype, 'modelBytes', 'get').mockReturnValue(100 * 1024 * 1024);
    const dispose = vi.spyOn(ChainRunner.prototype, 'dispose');
    const compute = new CpuCompute();
    try {
      await compute.loadModel(bytes, 'small.onnx');
      await compute.setInput(input);
      await compute.explain({ rule: 'sf' });
      await compute.explain({ rule: 'ebp' });
      expect(dispose).toHaveBeenCalledTimes(1);
      await compute.explain({ rule: 'sf' });
      expect(create).toHaveBeenCalledTimes(3);
    } finally {
      compute.dispose();
    }
  });

  it('classifies a model the chain cannot traverse, and says so when asked to explain it', async () => {
    const model = modelOf({
      inputs: { x: [1, 3, 4, 4] },
      nodes: [node('Tanh', ['x'], ['t']), node('Flatten', ['t'], ['logits'])],
      outputs: ['logits'],
    });
    const compute = new CpuCompute();
    try {
      const info = await compute.loadModel(model, 'tanh.onnx');
      expect(info.canExplain).toBe(false);
      expect((await compute.setInput(new Float32Array(48))).probs.length).toBe(48);
      await expect(compute.explain({})).rejects.toThrow(/cannot traverse/);
    } finally {
      compute.dispose();
    }
  });
});
