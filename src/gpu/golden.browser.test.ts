/**
 * The golden numbers of PANE-SPEC section 5 (tests/corpus/golden.ts) from the WebGPU chain (ModelPlan:
 * excitation, head and chain) on the GPU: the same fixtures the float64 reference meets within 1e-9, here
 * within FLOAT32_GOLDEN of max(1, |value|). The forward values are the reference's (small exact numbers).
 */
import { describe, expect, test } from 'vitest';
import { effectiveOptions } from '../core/pane/options';
import { runForward } from '../core/reference/forward';
import { numel } from '../core/tensor';
import { headSetup } from './head-setup';
import { ModelPlan } from './model-plan';
import { FLUX_BYTES } from './plan/context';
import { makeGraph } from '../../tests/support/testkit';
import { testGpu, unpackFlux, uploadForward, withErrorScopes } from '../../tests/support/gpu-harness';
import { FLOAT32_GOLDEN, GOLDEN, goldenDifferences } from '../../tests/corpus/golden';

describe('the WebGPU chain meets the golden numbers of the spec', () => {
  test.each(GOLDEN.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const gpu = await testGpu();
    await withErrorScopes(gpu.device, async () => {
      const g = makeGraph(c.spec);
      const values = runForward(g, c.input);
      const plan = ModelPlan.build(gpu, g);
      try {
        uploadForward(gpu, plan, values);
        const opts = effectiveOptions(c.options);
        plan.configure(opts, headSetup(values.get(plan.logits)!.data, plan.terminal, opts));
        const encoder = gpu.device.createCommandEncoder();
        plan.recordExcitation(encoder);
        plan.recordChain(encoder);
        const reads = Object.keys(c.flux).map((name) => {
          const f = plan.buffers.flux(name);
          const n = numel(values.get(name)!.dims);
          return [
            name,
            n,
            gpu.readbacks.stage(encoder, f.buffer, f.offset ?? 0, n * FLUX_BYTES, 'test flux'),
          ] as const;
        });
        gpu.submit(encoder.finish());
        const flux = new Map<string, { T: Float64Array; R: Float64Array }>();
        for (const [name, n, read] of reads) flux.set(name, unpackFlux(await read.read(), n));
        const off = goldenDifferences(c, (name) => flux.get(name)).filter((d) => !(d.diff < FLOAT32_GOLDEN));
        expect(off).toEqual([]);
      } finally {
        plan.destroy();
      }
    });
  });
});
