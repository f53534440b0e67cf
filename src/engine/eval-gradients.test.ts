// Grad-CAM on the compiled gradients reads its feature tensor's gradient only where that tensor was
// compiled: a layer the graph does not reach is an error, not a missing gradient that would make an
// all-zero map; the compiled one gives a gradient of the tensor's size.
import { describe, expect, it } from 'vitest';
import { lastConvLayer } from '../core/baselines/gradcam';
import { mulberry32 } from '../core/random';
import { numel, type Tensor } from '../core/tensor';
import { forwardOnOrt } from '../../tests/support/ort-chain';
import { randomTensor, smallCnnSpec } from '../../tests/support/testkit';
import { GradientRunner } from './cpu-graph/gradient-runner';
import { CompiledGradients } from './eval-gradients';

describe('CompiledGradients.feature', () => {
  it('throws for a layer the compiled gradient does not reach', async () => {
    const rng = mulberry32(3);
    const x = randomTensor(rng, [1, 3, 16, 16]);
    const { g, forward } = await forwardOnOrt(smallCnnSpec(rng), { x });
    const values = new Map<string, Tensor>();
    for (const [k, t] of forward) values.set(k, { dims: t.dims, data: Float64Array.from(t.data) });
    const feature = lastConvLayer(g);
    const inputOnly = await GradientRunner.create(g, { backend: 'wasm', tensors: ['x'] });
    const withFeature = await GradientRunner.create(g, { backend: 'wasm' });
    try {
      const x32 = Float32Array.from(x.data);
      const missing = new CompiledGradients(inputOnly, x32, 1, values, forward);
      await expect(missing.feature(feature)).rejects.toThrow(`does not reach '${feature}'`);
      const compiled = new CompiledGradients(withFeature, x32, 1, values, forward);
      await expect(compiled.feature('conv0')).rejects.toThrow("does not reach 'conv0'");
      const got = await compiled.feature(feature);
      expect(got.gradient?.length).toBe(numel(g.shapes.get(feature)!));
      expect(Array.from(got.gradient!).some((v) => v !== 0)).toBe(true);
    } finally {
      inputOnly.dispose();
      withFeature.dispose();
    }
  });
});
