// Contrastive EB on compiled EB chains (the dual pass and the pass down from the contrast layer) against the
// float64 reference's walk (core/baselines/chain-methods contrastiveEb) on the same float32 forward values:
// with a Gemm classifier (contrast at a flat vector) and a Conv classifier as SqueezeNet's (contrast at a
// 4-D feature map).
import { describe, expect, it } from 'vitest';
import { contrastiveEb } from '../../core/baselines/chain-methods';
import type { Tensor } from '../../core/tensor';
import { mulberry32 } from '../../core/random';
import { randomTensor, smallCnnSpec, type GraphSpec } from '../../../tests/support/testkit';
import { forwardOnOrt, referenceOn, relError } from '../../../tests/support/ort-chain';
import { ChainRunner } from './chain-runner';
import { ContrastRunner } from './contrast-runner';

/** smallCnnSpec's network without its Gemm: the last Conv is the classifier, its GAP the logits. */
function convClassifier(spec: GraphSpec): GraphSpec {
  const nodes = spec.nodes.slice(0, -1);
  const flat = nodes[nodes.length - 1];
  nodes[nodes.length - 1] = { ...flat, outputs: ['logits'] };
  const initializers = Object.fromEntries(
    Object.entries(spec.initializers ?? {}).filter(([k]) => k !== 'head.w'),
  );
  return { ...spec, initializers, nodes, outputs: ['logits'] };
}

describe('contrastive EB on compiled chains == the float64 reference', () => {
  const cases: [string, (rng: () => number) => GraphSpec][] = [
    ['Gemm classifier, with biases', (rng) => smallCnnSpec(rng, { bias: true })],
    ['Conv classifier', (rng) => convClassifier(smallCnnSpec(rng))],
  ];
  it.each(cases)('%s', async (_, spec) => {
    const rng = mulberry32(11);
    const { g, forward } = await forwardOnOrt(spec(rng), { x: randomTensor(rng, [1, 3, 16, 16]) });
    const values = new Map<string, Tensor>(g.initializers);
    for (const [k, t] of forward) values.set(k, { dims: t.dims, data: Float64Array.from(t.data) });
    const ebpChain = await ChainRunner.create(g, { rule: 'ebp' });
    const runner = await ContrastRunner.create(g, 'wasm');
    try {
      for (const target of [0, 3]) {
        const ebp = await ebpChain.explain(forward, { rule: 'ebp', target });
        const got = await runner.map(forward, ebp);
        const want = contrastiveEb(g, values, target, referenceOn(g, forward, { rule: 'ebp', target }));
        expect(want.some((v) => v > 0)).toBe(true);
        expect(relError(got, want)).toBeLessThan(1e-4);
      }
    } finally {
      ebpChain.dispose();
      runner.dispose();
    }
  });
});
