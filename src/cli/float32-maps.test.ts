// The float32 maps' contrastive EB keeps the float64 walk where its compiled passes cannot be built, as
// LRP-epsilon does: here a classifier whose weight the graph computes (Identity of an initializer), which
// ContrastRunner cannot negate once per model, still gets the float64 walk's map instead of an error.
import { describe, expect, it } from 'vitest';
import { DEFAULT_METHOD_SETTINGS, SharedWork, type ExplainedImage } from '../core/baselines/methods';
import { mulberry32 } from '../core/random';
import { runForward } from '../core/reference/forward';
import type { Tensor } from '../core/tensor';
import { ContrastRunner, ContrastRunnerError } from '../engine/cpu-graph/contrast-runner';
import type { ForwardValues } from '../engine/cpu-graph/head';
import { makeGraph, node, randomTensor, smallCnnSpec, type GraphSpec } from '../../tests/support/testkit';
import { PreparedWork } from './float32-maps';

/** smallCnnSpec's network whose Gemm reads its weight through an Identity node. */
function computedWeight(spec: GraphSpec): GraphSpec {
  const { 'head.w': w, ...rest } = spec.initializers ?? {};
  return {
    ...spec,
    initializers: { ...rest, 'head.w0': w },
    nodes: [node('Identity', ['head.w0'], ['head.w']), ...spec.nodes],
  };
}

describe('float32 maps: contrastive EB without its compiled passes', () => {
  it('falls back to the float64 walk when ContrastRunner cannot compile the model', async () => {
    const rng = mulberry32(11);
    const g = makeGraph(computedWeight(smallCnnSpec(rng, { bias: true })));
    const x = randomTensor(rng, [1, 3, 16, 16]);
    const values = runForward(g, { x });
    const img: ExplainedImage = {
      g,
      x,
      values,
      target: 0,
      baseline: { dims: x.dims, data: new Float64Array(x.data.length) },
      forward: (t: Tensor) => runForward(g, { x: t }),
      seed: 1,
    };
    await expect(ContrastRunner.create(g, 'wasm')).rejects.toBeInstanceOf(ContrastRunnerError);
    const float64 = new SharedWork(img, DEFAULT_METHOD_SETTINGS);
    const want = await float64.contrastiveEb();
    expect(want.some((v) => v > 0)).toBe(true);
    const prepared = new PreparedWork(img, DEFAULT_METHOD_SETTINGS, new Map([['ebp', float64.pane('ebp')]]), {
      contrastiveEb: async (ebp) =>
        (await ContrastRunner.create(g, 'wasm')).map(new Map() as ForwardValues, ebp),
      lrpEpsilonRelevance: () => Promise.reject(new Error('not asked')),
    });
    expect([...(await prepared.contrastiveEb())]).toEqual([...want]);
  });
});
