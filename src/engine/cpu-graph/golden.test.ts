// The golden numbers of PANE-SPEC section 5 (tests/corpus/golden.ts) from the compiled float32 chain on
// onnxruntime's forward values: the same fixtures the float64 reference meets within 1e-9, here within
// FLOAT32_GOLDEN of max(1, |value|).
import { describe, expect, it } from 'vitest';
import { ChainRunner } from './chain-runner';
import { forwardOnOrt } from '../../../tests/support/ort-chain';
import { FLOAT32_GOLDEN, GOLDEN, goldenDifferences } from '../../../tests/corpus/golden';

describe('the float32 chain graph meets the golden numbers of the spec', () => {
  it.each(GOLDEN.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const { g, forward } = await forwardOnOrt(c.spec, c.input);
    const chain = await ChainRunner.create(g, c.options);
    try {
      const r = await chain.explain(forward, c.options);
      if (c.mass !== undefined)
        expect(Math.abs(r.mass - c.mass)).toBeLessThan(FLOAT32_GOLDEN * Math.max(1, c.mass));
      const off = goldenDifferences(c, (name) => r.flux.get(name)).filter((d) => !(d.diff < FLOAT32_GOLDEN));
      expect(off).toEqual([]);
    } finally {
      chain.dispose();
    }
  });
});
