/**
 * Views on the GPU (upsample.wgsl, map_range.wgsl, colormap.wgsl) against the float64 map helpers of
 * core/pane/maps and the colour tables of core/colormap: resampled maps, display scales with and without a
 * percentile clip and shared normalisation, and the pixels drawn into a canvas.
 */
import { describe, expect, test } from 'vitest';
import { applyContrast, colormapLut, lutIndex, overlayAlpha } from '../core/colormap';
import { channelSum, mapSize, percentile, upsampleBilinear } from '../core/pane/maps';
import { effectiveOptions } from '../core/pane/options';
import type { Flux } from '../core/pane/types';
import { mulberry32 } from '../core/random';
import { explain } from '../core/reference/chain';
import { runForward } from '../core/reference/forward';
import { CanvasRenderer } from './canvas-renderer';
import { headSetup } from './head-setup';
import { ModelPlan } from './model-plan';
import { smallCnn } from '../../tests/support/gpu-graphs';
import { testGpu, uploadForward, withErrorScopes } from '../../tests/support/gpu-harness';
import { displayScale, MapViews, shareGroup, type ViewKind } from './views';

const KINDS: ViewKind[] = [
  'net',
  'positive',
  'negative',
  'excitation-positive',
  'excitation-negative',
  'total',
];

function viewOf(
  kind: ViewKind,
  flux: Flux,
  exc: { Epos: Float64Array; Eneg: Float64Array } | undefined,
  dims: readonly number[],
) {
  const zeros = new Float64Array(mapSize(dims).h * mapSize(dims).w);
  switch (kind) {
    case 'net':
      return channelSum(flux.R, dims);
    case 'positive':
      return channelSum(
        flux.T.map((t, i) => (t + flux.R[i]) / 2),
        dims,
      );
    case 'negative':
      return channelSum(
        flux.T.map((t, i) => (t - flux.R[i]) / 2),
        dims,
      );
    case 'excitation-positive':
      return exc ? channelSum(exc.Epos, dims) : zeros;
    case 'excitation-negative':
      return exc ? channelSum(exc.Eneg, dims) : zeros;
    case 'total':
      return channelSum(flux.T, dims);
  }
}

function scaleOf(map: Float64Array, clip: number | null): number {
  const mags = map.map(Math.abs);
  return clip === null ? mags.reduce((m, v) => Math.max(m, v), 0) : percentile(mags, clip);
}

describe('map views and canvas rendering', () => {
  test('resampled maps, scales and canvas pixels equal the CPU definitions', async () => {
    const gpu = await testGpu();
    await withErrorScopes(gpu.device, async () => {
      const { g, x } = smallCnn(mulberry32(5), { size: 13 });
      const values = runForward(g, { x });
      const plan = ModelPlan.build(gpu, g);
      const views = new MapViews(gpu);
      const renderer = new CanvasRenderer(gpu);
      try {
        uploadForward(gpu, plan, values);
        const opts = effectiveOptions({ rule: 'sf' });
        const ref = explain(g, values, opts);
        plan.configure(opts, headSetup(values.get(plan.logits)!.data, plan.terminal, opts));
        const encoder = gpu.device.createCommandEncoder();
        plan.recordExcitation(encoder);
        plan.recordChain(encoder);
        plan.recordMaps(encoder);
        gpu.submit(encoder.finish());

        let worstMap = 0;
        let worstScale = 0;
        for (const slot of plan.maps.slots) {
          const dims = slot.layer.dims;
          const exc = slot.hasExcitation ? excitationBehind(g, ref, slot.layer.tensor) : undefined;
          for (const kind of KINDS) {
            for (const [clip, shared, W, H] of [
              [null, false, 17, 9],
              [99.5, false, 13, 13],
              [90, true, 5, 7],
            ] as const) {
              const view = views.get({ slot, kind, width: W, height: H, clipPercentile: clip, shared });
              const enc = gpu.device.createCommandEncoder();
              view.record(enc);
              const vals = gpu.readbacks.stage(enc, view.values.buffer, 0, view.values.size, 'test');
              const range = gpu.readbacks.stage(enc, view.range.buffer, 0, 32, 'test');
              gpu.submit(enc.finish());
              const map = viewOf(kind, ref.flux.get(slot.layer.tensor)!, exc, dims);
              const want = upsampleBilinear(map, slot.h, slot.w, H, W);
              const got = await vals.read();
              const max = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
              const err = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
              worstMap = Math.max(worstMap, max > 0 ? err / max : err);
              expect(max > 0 ? err / max : err, `${kind} ${slot.layer.tensor}`).toBeLessThanOrEqual(1e-4);
              const kinds = shared ? shareGroup(kind) : [kind];
              const wantScale = Math.max(
                ...kinds.map((k) => scaleOf(viewOf(k, ref.flux.get(slot.layer.tensor)!, exc, dims), clip)),
              );
              const gotScale = displayScale(await range.read(), view.scaleSlots);
              const scaleErr = Math.abs(gotScale - wantScale) / Math.max(wantScale, 1e-30);
              worstScale = Math.max(worstScale, wantScale > 0 ? scaleErr : Math.abs(gotScale));
              expect(
                wantScale > 0 ? scaleErr : Math.abs(gotScale),
                `scale ${kind} ${slot.layer.tensor} clip ${clip}`,
              ).toBeLessThanOrEqual(1e-4);
            }
          }
        }
        console.log(
          `[gpu] views: max map err ${worstMap.toExponential(2)}, max scale err ${worstScale.toExponential(2)}`,
        );

        // Pixels: net and positive maps of the first layers at 19 x 11, as the CPU engine's renderView
        // colours them (contrast by applyContrast, LUT entry by lutIndex, alpha by overlayAlpha), linear
        // for the net map and gamma 0.5 for the positive one. The image target is used: this headless
        // browser cannot present WebGPU canvases.
        const [W, H] = [19, 11];
        let pixelsChecked = 0;
        for (const slot of plan.maps.slots.slice(0, 3)) {
          for (const kind of ['net', 'positive'] as const) {
            const signed = kind === 'net';
            const gamma = signed ? 1 : 0.5;
            const colormap = signed ? 'diverging' : 'sequential';
            const view = views.get({ slot, kind, width: W, height: H, clipPercentile: null, shared: false });
            const enc = gpu.device.createCommandEncoder();
            view.record(enc);
            const image = renderer.drawToImage(enc, W, H, {
              view,
              mapWidth: W,
              mapHeight: H,
              signed,
              colormap,
              gamma,
            });
            gpu.submit(enc.finish());
            const pixels = await image.read();
            const map = viewOf(kind, ref.flux.get(slot.layer.tensor)!, undefined, slot.layer.dims);
            const up = upsampleBilinear(map, slot.h, slot.w, H, W);
            const scale = scaleOf(map, null);
            const lut = colormapLut(colormap);
            for (let i = 0; i < up.length; i++) {
              const v = applyContrast(scale > 0 ? up[i] / scale : 0, gamma);
              const k = 4 * lutIndex(v, signed);
              const want = [lut[k], lut[k + 1], lut[k + 2], 255 * overlayAlpha(v, signed)];
              for (let c = 0; c < 4; c++) {
                expect(
                  Math.abs(pixels[4 * i + c] - want[c]),
                  `${kind} ${slot.layer.tensor} pixel ${i}.${c}`,
                ).toBeLessThanOrEqual(1);
              }
              pixelsChecked++;
            }
          }
        }
        expect(pixelsChecked).toBe(3 * 2 * W * H);
      } finally {
        views.clear();
        renderer.destroy();
        plan.destroy();
      }
    });
  });
});

/** The excitation of a layer: its own, or its producer's behind activations (Conv -> Relu). */
function excitationBehind(
  g: ReturnType<typeof smallCnn>['g'],
  ref: ReturnType<typeof explain>,
  tensor: string,
) {
  let name = tensor;
  for (;;) {
    const node = g.nodes.find((n) => n.outputs[0] === name);
    if (!node) return undefined;
    if (ref.excitation.has(name)) return ref.excitation.get(name);
    name = node.inputs[0];
  }
}
