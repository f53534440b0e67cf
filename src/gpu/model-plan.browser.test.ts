/**
 * A whole network on the GPU (ModelPlan: excitation, head, chain in reverse topological order with
 * fan-out, per-layer maps and statistics) against the float64 reference explain(), for every rule, head
 * and start mass. The forward values come from the reference, so only the chain is compared here.
 */
import { describe, expect, test } from 'vitest';
import { layerMaps } from '../core/pane/maps';
import { effectiveOptions, type PaneOptions } from '../core/pane/options';
import { mulberry32 } from '../core/random';
import { explain } from '../core/reference/chain';
import { runForward } from '../core/reference/forward';
import { numel } from '../core/tensor';
import { headSetup } from './head-setup';
import { ModelPlan } from './model-plan';
import { FLUX_BYTES } from './plan/context';
import { smallCnn } from '../../tests/support/gpu-graphs';
import {
  compare,
  testGpu,
  unpackFlux,
  uploadForward,
  withErrorScopes,
} from '../../tests/support/gpu-harness';
import { FLOAT32_TOLERANCE as TOLERANCE } from '../../tests/corpus/cases';

const VARIANTS: Partial<PaneOptions>[] = [
  { rule: 'sf' },
  { rule: 'alphabeta' },
  { rule: 'ebp' },
  { rule: 'sf', head: 'contrast_mean', startMass: 'logit' },
  { rule: 'alphabeta', alpha: 1.5, beta: 0.5, head: 'contrast_softmax', eps: 0.01, target: 2 },
  { rule: 'sf', startMass: 'excitation', biasMode: 'ignore', clipSaturated: 'absorb' },
];

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

describe('whole-graph chain on the GPU', () => {
  test('small CNN with fan-out, residual Add, Concat, BN, pools and Gemm equals the reference', async () => {
    const gpu = await testGpu();
    await withErrorScopes(gpu.device, async () => {
      const rng = mulberry32(11);
      const { g, x } = smallCnn(rng);
      const values = runForward(g, { x });
      const plan = ModelPlan.build(gpu, g);
      try {
        uploadForward(gpu, plan, values);
        let worst = 0;
        for (const variant of VARIANTS) {
          const opts = effectiveOptions(variant);
          const ref = explain(g, values, opts);
          const head = headSetup(values.get(plan.logits)!.data, plan.terminal, opts);
          expect(head.target).toBe(ref.target);
          plan.configure(opts, head);
          const encoder = gpu.device.createCommandEncoder();
          plan.recordExcitation(encoder);
          plan.recordChain(encoder);
          plan.recordMaps(encoder);
          const reads = plan.layers.map((l) =>
            gpu.readbacks.stage(
              encoder,
              plan.buffers.flux(l.tensor).buffer,
              0,
              numel(l.dims) * FLUX_BYTES,
              'test flux',
            ),
          );
          const stats = gpu.readbacks.stage(
            encoder,
            plan.maps.stats,
            0,
            plan.layers.length * 16,
            'test stats',
          );
          gpu.submit(encoder.finish());
          const layerStats = plan.maps.parseStats(await stats.read());
          const sumT0 = ref.flux.get(g.inputs[0].name)!.T.reduce((a, v) => a + v, 0);
          const sinks = [...ref.sinks.values()].reduce((a, v) => a + v.T, 0);
          const total = plan.fluxPlusSinks(
            layerStats.map((l) => l.sumT),
            opts,
          );
          expect(
            Math.abs(total - (sumT0 + sinks)),
            `sum T(input) + sinks, ${JSON.stringify(variant)}`,
          ).toBeLessThan(1e-4 * (sumT0 + sinks));
          for (const [i, layer] of plan.layers.entries()) {
            const f = unpackFlux(await reads[i].read(), numel(layer.dims));
            const r = ref.flux.get(layer.tensor)!;
            for (const [what, a, b] of [
              ['T', f.T, r.T],
              ['R', f.R, r.R],
            ] as const) {
              const { err, scale } = compare(a, b);
              const ratio = scale > 0 ? err / scale : err;
              worst = Math.max(worst, ratio);
              expect(ratio, `${JSON.stringify(variant)} ${what}(${layer.tensor})`).toBeLessThanOrEqual(
                TOLERANCE,
              );
            }
            const m = layerMaps(r, layer.dims);
            const sumT = r.T.reduce((s, v) => s + v, 0);
            const sumR = r.R.reduce((s, v) => s + v, 0);
            const st = layerStats[i];
            expect(Math.abs(st.sumT - sumT)).toBeLessThanOrEqual(
              1e-4 * Math.max(1e-12, Math.abs(sumT)) + 1e-12,
            );
            expect(Math.abs(st.sumR - sumR)).toBeLessThanOrEqual(1e-4 * Math.max(1e-12, sumT));
            if (m.SP.length > 1) expect(Math.abs(st.corrPN - pearson(m.SP, m.SN))).toBeLessThan(1e-3);
          }
        }
        console.log(
          `[gpu] small CNN, ${plan.layers.length} layers x ${VARIANTS.length} variants: max err / max|ref| = ${worst.toExponential(2)}`,
        );
      } finally {
        plan.destroy();
      }
    });
  });
});
