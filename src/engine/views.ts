/**
 * From one explanation to what the app shows, on the CPU: the map of a view (layer x kind), its display
 * scale and colours, and the per-layer statistics of the chart. The GPU engine computes the same things in
 * WGSL; its tests compare against these functions.
 */
import type { IrGraph } from '../core/onnx/ir';
import { tensorLayout, type ImageLayout } from '../core/onnx/layout';
import type { Flux, PaneResult } from '../core/pane/types';
import { numel } from '../core/tensor';
import { channelSum, mapSize, percentile, upsampleBilinear } from '../core/pane/maps';
import { excitationSource } from '../core/pane/excitation-source';
import { applyContrast, colormapLut, lutIndex, overlayAlpha } from '../core/colormap';
import { pearson } from '../core/eval/correlation';
import {
  FINAL_MAPS,
  finalMapAtInput,
  finalMapSigned,
  layerChainsOf,
  type FinalMapName,
  type FinalMapSpec,
  type LayerChains,
} from '../core/pane/final-maps';
import type { ColormapName, LayerStats, MapData, MapKind, RenderInfo, ViewSpec } from './types';

export interface ViewMap {
  h: number;
  w: number;
  data: Float64Array;
  signed: boolean;
  /** A final-map construction rather than a layer's own map. */
  final?: boolean;
}

export function isSigned(kind: MapKind): boolean {
  return kind === 'net';
}

/**
 * Whether a construction is a layer's own map: the net chain at the pixels is what the input layer's net view
 * already shows (PANE-SPEC 4.5), so under it the input keeps its own maps and the chain toggles apply there.
 */
function isOwnChainMap(name: FinalMapName): boolean {
  const spec: FinalMapSpec = FINAL_MAPS[name];
  return spec.kind === 'pixel' && spec.chain === 'net';
}

/**
 * Whether a view shows a final-map construction: at the graph input (the layer whose map is the final
 * saliency map) with a construction that is not the input's own chain map; every other layer shows its own
 * maps.
 */
export function isFinalView(
  layer: { opType: string },
  finalMap: FinalMapName | undefined,
): finalMap is FinalMapName {
  return finalMap !== undefined && !isOwnChainMap(finalMap) && layer.opType === 'Input';
}

/** Per explanation: its layers' chains and each construction computed so far (a view change redoes none). */
const finalCache = new WeakMap<PaneResult, { chains: LayerChains[]; maps: Map<FinalMapName, ViewMap> }>();

function finalView(g: IrGraph, result: PaneResult, name: FinalMapName): ViewMap {
  let entry = finalCache.get(result);
  if (!entry)
    finalCache.set(
      result,
      (entry = { chains: layerChainsOf(g, (t) => result.flux.get(t)), maps: new Map() }),
    );
  let m = entry.maps.get(name);
  if (!m) {
    const { map: data, h, w } = finalMapAtInput(name, entry.chains);
    entry.maps.set(name, (m = { h, w, data, signed: finalMapSigned(name), final: true }));
  }
  return m;
}

/**
 * The channel-summed map of one view at the layer's own resolution; at the graph input with a final map
 * that is not the input's own chain map (isOwnChainMap), that construction (docs/final-maps.md) at the
 * input's resolution.
 */
export function viewMap(
  g: IrGraph,
  result: PaneResult,
  layer: string,
  kind: MapKind,
  finalMap?: FinalMapName,
): ViewMap {
  if (finalMap && isFinalView({ opType: g.inputs.some((v) => v.name === layer) ? 'Input' : '' }, finalMap))
    return finalView(g, result, finalMap);
  const dims = g.shapes.get(layer);
  if (!dims) throw new Error(`unknown layer '${layer}'`);
  // NHWC tensors (a TensorFlow input and what is computed element-wise from it) sum the last axis.
  const layout = tensorLayout(g, layer);
  const { h, w } = mapSize(dims, layout);
  const signed = isSigned(kind);
  if (kind === 'excitation-positive' || kind === 'excitation-negative') {
    const source = excitationSource(g, layer);
    const e = source === null ? undefined : result.excitation.get(source);
    if (!e) return { h, w, data: new Float64Array(h * w), signed };
    return { h, w, data: channelSum(kind === 'excitation-positive' ? e.Epos : e.Eneg, dims, layout), signed };
  }
  const flux = result.flux.get(layer);
  if (!flux) return { h, w, data: new Float64Array(h * w), signed };
  if (kind === 'net') return { h, w, data: channelSum(flux.R, dims, layout), signed };
  const sign = kind === 'positive' ? 1 : -1;
  const half = flux.T.map((t, i) => (t + sign * flux.R[i]) / 2);
  return { h, w, data: channelSum(half, dims, layout), signed };
}

/** The views that share a scale with `kind` under 'shared' normalisation. */
function shareGroup(kind: MapKind): MapKind[] {
  return kind === 'excitation-positive' || kind === 'excitation-negative'
    ? ['excitation-positive', 'excitation-negative']
    : ['positive', 'negative'];
}

function magnitudeScale(map: ArrayLike<number>, clipPercentile: number | null): number {
  const mags = Float64Array.from(map, Math.abs);
  if (clipPercentile !== null) return percentile(mags, clipPercentile);
  let max = 0;
  for (const v of mags) if (v > max) max = v;
  return max;
}

/**
 * The value that maps to full colour. 'shared' puts net, positive and negative of a layer on the scale of
 * the larger of P and N (|S| <= max(S_P, S_N) everywhere), so the three views can be compared directly.
 */
function viewScale(g: IrGraph, result: PaneResult, view: ViewSpec): number {
  const m = viewMap(g, result, view.layer, view.kind, view.finalMap);
  const own = magnitudeScale(m.data, view.clipPercentile);
  // A final map is one map: it has no P / N pair to share a scale with.
  if (view.normalization === 'layer' || m.final) return own;
  return Math.max(
    ...shareGroup(view.kind).map((k) =>
      magnitudeScale(viewMap(g, result, view.layer, k).data, view.clipPercentile),
    ),
  );
}

export function resolveColormap(view: { colormap: ViewSpec['colormap']; signed: boolean }): ColormapName {
  if (view.colormap !== 'auto') return view.colormap;
  return view.signed ? 'diverging' : 'sequential';
}

/**
 * RGBA pixels of a view at width x height: the map upsampled bilinearly, divided by the scale, put through
 * the display contrast, coloured, with alpha = overlayAlpha (not premultiplied). The UI's opacity applies on top (the canvas sits over the
 * picture).
 */
export function renderView(
  g: IrGraph,
  result: PaneResult,
  view: ViewSpec,
  width: number,
  height: number,
): { rgba: Uint8ClampedArray; info: RenderInfo } {
  const m = viewMap(g, result, view.layer, view.kind, view.finalMap);
  const up = upsampleBilinear(m.data, m.h, m.w, height, width);
  return colourMap(up, m.signed, viewScale(g, result, view), view);
}

/**
 * RGBA pixels of a map already at the canvas resolution (a baseline method's, at the model's input size),
 * with the display of renderView: scaled by its own maximum or clip percentile, the contrast, the colours and
 * the coverage alpha. The views of one method share no scale with another, so normalisation is per map.
 */
export function renderMapData(
  map: MapData,
  display: Pick<ViewSpec, 'clipPercentile' | 'colormap' | 'gamma'>,
): { rgba: Uint8ClampedArray; info: RenderInfo } {
  return colourMap(map.data, map.signed, magnitudeScale(map.data, display.clipPercentile), display);
}

/** The one colouring of every CPU-drawn map: divided by the scale, through the contrast, coloured. */
function colourMap(
  values: ArrayLike<number>,
  signed: boolean,
  scale: number,
  display: Pick<ViewSpec, 'colormap' | 'gamma'>,
): { rgba: Uint8ClampedArray; info: RenderInfo } {
  const colormap = resolveColormap({ colormap: display.colormap, signed });
  const lut = colormapLut(colormap);
  const rgba = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = applyContrast(scale > 0 ? values[i] / scale : 0, display.gamma);
    const k = 4 * lutIndex(v, signed);
    rgba[4 * i] = lut[k];
    rgba[4 * i + 1] = lut[k + 1];
    rgba[4 * i + 2] = lut[k + 2];
    rgba[4 * i + 3] = Math.round(255 * overlayAlpha(v, signed));
  }
  return { rgba, info: { signed, scale, colormap } };
}

/**
 * The chart's numbers of one layer from a single pass over its (T, R): sum T, sum R and the channel sums
 * S_P, S_N (what viewMap's 'positive' / 'negative' give, summed in the same order, so the values are the
 * same to the bit). Only the two maps are allocated: the chart is recomputed after every explanation and
 * per-statistic arrays over every element cost more than the float32 chain itself.
 */
function chainStats(
  flux: Flux,
  dims: readonly number[],
  layout: ImageLayout,
): { sumT: number; sumR: number; sp: Float64Array; sn: Float64Array } {
  // channelSum's preconditions: maps are per image.
  if (dims.length >= 2 && dims[0] !== 1) throw new Error(`layerStats: batch ${dims[0]}; maps are per image`);
  const { T, R } = flux;
  if (T.length !== numel(dims)) throw new Error(`layerStats: ${T.length} values for [${dims.join(',')}]`);
  const { h, w } = mapSize(dims, layout);
  const positions = h * w;
  const sp = new Float64Array(positions);
  const sn = new Float64Array(positions);
  let sumT = 0;
  let sumR = 0;
  // One walk in memory order. The position p of element i is kept as a counter rather than a division:
  // NCHW-like tensors hold one element per position and repeat the positions once per channel
  // (i = c * positions + p), NHWC ones hold each position's channels together (i = p * channels + c).
  const perPosition = layout === 'NHWC' && dims.length === 4 ? T.length / positions : 1;
  let p = 0;
  let k = 0;
  for (let i = 0; i < T.length; i++) {
    const t = T[i];
    const r = R[i];
    sumT += t;
    sumR += r;
    sp[p] += (t + r) / 2;
    sn[p] += (t - r) / 2;
    if (++k === perPosition) {
      k = 0;
      if (++p === positions) p = 0;
    }
  }
  return { sumT, sumR, sp, sn };
}

/** corr(S_P, S_N) over spatial positions and |sum R| / sum T, for every layer that received mass. */
export function layerStats(g: IrGraph, result: PaneResult, layers: readonly string[]): LayerStats[] {
  return layers.map((tensor) => {
    const flux = result.flux.get(tensor);
    if (!flux) return { tensor, corrPN: 0, netRatio: 0, sumT: 0, sumR: 0 };
    const dims = g.shapes.get(tensor);
    if (!dims) throw new Error(`unknown layer '${tensor}'`);
    const { sumT, sumR, sp, sn } = chainStats(flux, dims, tensorLayout(g, tensor));
    return {
      tensor,
      corrPN: pearson(sp, sn) ?? 0,
      netRatio: sumT > 0 ? Math.abs(sumR) / sumT : 0,
      sumT,
      sumR,
    };
  });
}
