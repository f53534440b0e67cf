// LRP-epsilon compiled into the gradient graph (gradient.ts with lrpEpsilon) against the float64 relevance
// steps (core/baselines/adjoints relevanceStep) on the same float32 forward values: a network with biases,
// a fire module's Concat, unfolded BN, a residual Add, max and average pooling and a Gemm head.
import { describe, expect, it } from 'vitest';
import { inputGradient } from '../../core/baselines/backprop';
import type { Tensor } from '../../core/tensor';
import { mulberry32 } from '../../core/random';
import { randomTensor, smallCnnSpec } from '../../../tests/support/testkit';
import { forwardOnOrt, relError } from '../../../tests/support/ort-chain';
import { GradientRunner } from './gradient-runner';

describe('LRP-epsilon as a compiled graph == the float64 relevance steps', () => {
  it('for two classes and two stabilisers', async () => {
    const rng = mulberry32(5);
    const { g, forward } = await forwardOnOrt(smallCnnSpec(rng, { bias: true }), {
      x: randomTensor(rng, [1, 3, 16, 16]),
    });
    const values = new Map<string, Tensor>(g.initializers);
    for (const [k, t] of forward) values.set(k, { dims: t.dims, data: Float64Array.from(t.data) });
    const logits = forward.get('logits')!.data;
    for (const epsilon of [0.25, 0.01]) {
      const runner = await GradientRunner.create(g, { backend: 'wasm', tensors: ['x'], lrpEpsilon: epsilon });
      try {
        for (const target of [1, 4]) {
          const seed = new Float64Array(logits.length);
          seed[target] = logits[target];
          const got = (await runner.gradients(forward, seed)).get('x')!;
          const want = inputGradient(g, values, new Map([['logits', seed]]), {
            kind: 'lrp-epsilon',
            epsilon,
          });
          expect(want.some((v) => v !== 0)).toBe(true);
          expect(relError(got, want)).toBeLessThan(1e-4);
        }
      } finally {
        runner.dispose();
      }
    }
  });
});
