// The golden numbers of PANE-SPEC section 5 (items 1, 2, 9 and 10, tests/corpus/golden.ts), within 1e-9:
// the forward values, the start mass, the flux at every tensor the spec names and the sinks it states. The
// float32 chain graph and the WebGPU chain meet the same fixtures (engine/cpu-graph/golden.test.ts,
// gpu/golden.browser.test.ts).
import { describe, expect, it } from 'vitest';
import { explain } from './chain';
import { runForward } from './forward';
import { makeGraph } from '../../../tests/support/testkit';
import { GOLDEN, goldenDifferences } from '../../../tests/corpus/golden';

describe.each(GOLDEN.map((c) => [c.name, c] as const))('%s', (_, c) => {
  const g = makeGraph(c.spec);
  const values = runForward(g, c.input);

  it('has the forward values of the spec', () => {
    for (const [name, want] of Object.entries(c.forward ?? {}))
      want.forEach((w, i) => expect(Math.abs(values.get(name)!.data[i] - w), name).toBeLessThan(1e-12));
  });

  it('the float64 reference meets the flux, mass and sinks of the spec', () => {
    const r = explain(g, values, c.options);
    if (c.mass !== undefined) expect(r.mass).toBeCloseTo(c.mass, 12);
    const off = goldenDifferences(c, (name) => r.flux.get(name)).filter((d) => !(d.diff < 1e-9));
    expect(off).toEqual([]);
    for (const [node, sink] of Object.entries(c.sinks ?? {}))
      expect(r.sinks.get(node)!.T, node).toBeCloseTo(sink, 12);
    // sum(P - N) + bias = z for the linear model: R at the input adds up to the logit less the bias.
    if (c.name.startsWith('5.1 ')) {
      const x = r.flux.get('x')!;
      expect(x.R[0] + x.R[1] + 0.5).toBeCloseTo(values.get('z')!.data[0], 12);
    }
  });
});
