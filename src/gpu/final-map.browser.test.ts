/**
 * Final-map constructions on the GPU (final-map.ts: fuse_norm, fuse_rank, fuse_accumulate, fuse_detail,
 * read through the view kernels as the engines show them) against their definition on the float64 reference's explanation (core/pane/final-maps finalMapOf), on
 * random CNNs of several input sizes (so several stages of different resolutions) and rules.
 */
import { describe, expect, test } from 'vitest';
import { FINAL_MAP_NAMES, finalMapOf } from '../core/pane/final-maps';
import { effectiveOptions, type PaneOptions } from '../core/pane/options';
import { mulberry32 } from '../core/random';
import { explain } from '../core/reference/chain';
import { runForward } from '../core/reference/forward';
import { pearson } from '../core/eval/correlation';
import { finalMapSlot } from './final-map';
import { headSetup } from './head-setup';
import { ModelPlan } from './model-plan';
import { F32 } from './plan/context';
import { MapViews } from './views';
import { smallCnn } from '../../tests/support/gpu-graphs';
import { testGpu, uploadForward, withErrorScopes } from '../../tests/support/gpu-harness';

const CASES: { size: number; seed: number; options: Partial<PaneOptions> }[] = [
  { size: 9, seed: 11, options: { rule: 'sf' } },
  { size: 13, seed: 12, options: { rule: 'alphabeta', alpha: 2, beta: 1 } },
  { size: 17, seed: 13, options: { rule: 'sf' } },
  { size: 22, seed: 14, options: { rule: 'ebp' } },
];

describe('final maps on the GPU', () => {
  test('every construction equals the float64 definition on random CNNs', async () => {
    const gpu = await testGpu();
    await withErrorScopes(gpu.device, async () => {
      let worst = 0;
      let compared = 0;
      for (const c of CASES) {
        const { g, x } = smallCnn(mulberry32(c.seed), { size: c.size });
        const values = runForward(g, { x });
        const plan = ModelPlan.build(gpu, g);
        const views = new MapViews(gpu);
        try {
          uploadForward(gpu, plan, values);
          const opts = effectiveOptions(c.options);
          const ref = explain(g, values, opts);
          plan.configure(opts, headSetup(values.get(plan.logits)!.data, plan.terminal, opts));
          let encoder = gpu.device.createCommandEncoder();
          plan.recordExcitation(encoder);
          plan.recordChain(encoder);
          plan.recordMaps(encoder);
          const statsRead = gpu.readbacks.stage(
            encoder,
            plan.maps.stats,
            0,
            plan.layers.length * 4 * F32,
            'test',
          );
          gpu.submit(encoder.finish());
          const stats = plan.maps.parseStats(await statsRead.read());
          for (const name of FINAL_MAP_NAMES) {
            const final = finalMapSlot(gpu, plan.maps.slots, name);
            try {
              // Read as the engines show it: the final slot's view at its own size (bilinear at scale 1 is
              // the identity).
              const { h, w } = final.slot;
              const view = views.get({
                slot: final.slot,
                kind: final.view,
                width: w,
                height: h,
                clipPercentile: null,
                shared: false,
                finalMap: name,
              });
              encoder = gpu.device.createCommandEncoder();
              final.record(encoder, 1, stats);
              view.record(encoder);
              const read = gpu.readbacks.stage(encoder, view.values.buffer, 0, view.values.size, 'test');
              gpu.submit(encoder.finish());
              const got = Float64Array.from(await read.read());
              const want = finalMapOf(g, ref, name).map;
              expect(got.length, name).toBe(want.length);
              const max = want.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
              expect(max, `${name} size ${c.size}: the map is not all zero`).toBeGreaterThan(0);
              const err = got.reduce((a, v, i) => Math.max(a, Math.abs(v - want[i])), 0) / max;
              worst = Math.max(worst, err);
              // Ranks of float32 values may order near-ties differently from float64 ones.
              const tolerance = name === 'fused-rank' ? 5e-2 : 1e-4;
              expect(err, `${name} size ${c.size} ${c.options.rule}`).toBeLessThanOrEqual(tolerance);
              expect(pearson(got, want), `${name} size ${c.size}`).toBeGreaterThanOrEqual(0.9999);
              compared++;
            } finally {
              final.destroy();
            }
          }
        } finally {
          views.clear();
          plan.destroy();
        }
      }
      console.log(`[gpu] final maps: ${compared} maps, max err / max|ref| = ${worst.toExponential(2)}`);
      expect(compared).toBe(CASES.length * FINAL_MAP_NAMES.length);
    });
  });
});
