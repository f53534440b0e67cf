/**
 * From one explanation to what the app shows, on the CPU: the map of a view (layer x kind), its display
 * scale and colours, and the per-layer statistics of the chart. The GPU engine computes the same things in
 * WGSL; its tests compare against these functions.
 */
import type { IrGraph, IrNode } from '../core/onnx/ir';
import { tensorLayout } from '../core/onnx/layout';
import type { PaneResult } from '../core/pane/types';
import { channelSum, mapSize, percentile, upsampleBilinear } from '../core/pane/maps';
import { chainOpKind, gateSignalInput, isChainOp } from '../core/pane/ops';
import { numel } from '../core/tensor';
import { colormapLut, lutIndex, overlayAlpha } from '../core/colormap';
import type { ColormapName, LayerStats, MapKind, RenderInfo, ViewSpec } from './types';

/** Ops whose output has the same values' polarity as its input tensor: a layer after them shows its producer's PANE. */
const ACTIVATIONS = new Set(['Relu', 'LeakyRelu', 'Clip', 'Dropout', 'Identity']);

/** The input a layer looks through to find its excitation: an activation's, or a gate's signal of the same shape. */
function passedThrough(g: IrGraph, node: IrNode): string | null {
  if (ACTIVATIONS.has(node.opType)) return node.inputs[0];
  if (chainOpKind(node) !== 'gate') return null;
  const signal = node.inputs[gateSignalInput(node)];
  const sameShape = numel(g.shapes.get(signal) ?? []) === numel(g.shapes.get(node.outputs[0]) ?? []);
  return sameShape ? signal : null;
}

/**
 * The tensor whose forward excitation a layer shows: the layer itself when an affine node produced it, or
 * the affine output an activation or a gate was applied to (Conv -> Relu, Conv -> SiLU and a
 * squeeze-and-excitation scaling show the Conv's E+ / E-). Null otherwise.
 */
export function excitationSource(g: IrGraph, result: PaneResult | null, tensor: string): string | null {
  let name: string | null = tensor;
  while (name !== null) {
    const producer = g.nodes.find((n) => n.outputs[0] === name);
    if (!producer || !isChainOp(producer)) return null;
    if (chainOpKind(producer) === 'affine')
      return result === null || result.excitation.has(name) ? name : null;
    name = passedThrough(g, producer);
  }
  return null;
}

export interface ViewMap {
  h: number;
  w: number;
  data: Float64Array;
  signed: boolean;
}

export function isSigned(kind: MapKind): boolean {
  return kind === 'net';
}

/** The channel-summed map of one view at the layer's own resolution. */
export function viewMap(g: IrGraph, result: PaneResult, layer: string, kind: MapKind): ViewMap {
  const dims = g.shapes.get(layer);
  if (!dims) throw new Error(`unknown layer '${layer}'`);
  // NHWC tensors (a TensorFlow input and what is computed element-wise from it) sum the last axis.
  const layout = tensorLayout(g, layer);
  const { h, w } = mapSize(dims, layout);
  const signed = isSigned(kind);
  if (kind === 'excitation-positive' || kind === 'excitation-negative') {
    const source = excitationSource(g, result, layer);
    if (!source) return { h, w, data: new Float64Array(h * w), signed };
    const e = result.excitation.get(source)!;
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

function magnitudeScale(map: Float64Array, clipPercentile: number | null): number {
  const mags = map.map(Math.abs);
  if (clipPercentile !== null) return percentile(mags, clipPercentile);
  let max = 0;
  for (const v of mags) if (v > max) max = v;
  return max;
}

/**
 * The value that maps to full colour. 'shared' puts net, positive and negative of a layer on the scale of
 * the larger of P and N (|S| <= max(S_P, S_N) everywhere), so the three views can be compared directly.
 */
export function viewScale(g: IrGraph, result: PaneResult, view: ViewSpec): number {
  const own = magnitudeScale(viewMap(g, result, view.layer, view.kind).data, view.clipPercentile);
  if (view.normalization === 'layer') return own;
  return Math.max(
    ...shareGroup(view.kind).map((k) =>
      magnitudeScale(viewMap(g, result, view.layer, k).data, view.clipPercentile),
    ),
  );
}

export function resolveColormap(view: Pick<ViewSpec, 'colormap' | 'kind'>): ColormapName {
  if (view.colormap !== 'auto') return view.colormap;
  return isSigned(view.kind) ? 'diverging' : 'sequential';
}

/**
 * RGBA pixels of a view at width x height: the map upsampled bilinearly, divided by the scale, coloured,
 * with alpha = overlayAlpha (not premultiplied). The UI's opacity applies on top (the canvas sits over the
 * picture).
 */
export function renderView(
  g: IrGraph,
  result: PaneResult,
  view: ViewSpec,
  width: number,
  height: number,
): { rgba: Uint8ClampedArray; info: RenderInfo } {
  const m = viewMap(g, result, view.layer, view.kind);
  const up = upsampleBilinear(m.data, m.h, m.w, height, width);
  const scale = viewScale(g, result, view);
  const colormap = resolveColormap(view);
  const lut = colormapLut(colormap);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < up.length; i++) {
    const v = scale > 0 ? up[i] / scale : 0;
    const k = 4 * lutIndex(v, m.signed);
    rgba[4 * i] = lut[k];
    rgba[4 * i + 1] = lut[k + 1];
    rgba[4 * i + 2] = lut[k + 2];
    rgba[4 * i + 3] = Math.round(255 * overlayAlpha(v, m.signed));
  }
  return { rgba, info: { signed: m.signed, scale, colormap } };
}

/** Pearson correlation; 0 when either side is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** corr(S_P, S_N) over spatial positions and |sum R| / sum T, for every layer that received mass. */
export function layerStats(g: IrGraph, result: PaneResult, layers: readonly string[]): LayerStats[] {
  return layers.map((tensor) => {
    const flux = result.flux.get(tensor);
    if (!flux) return { tensor, corrPN: 0, netRatio: 0, sumT: 0, sumR: 0 };
    let sumT = 0;
    let sumR = 0;
    for (let i = 0; i < flux.T.length; i++) {
      sumT += flux.T[i];
      sumR += flux.R[i];
    }
    const sp = viewMap(g, result, tensor, 'positive').data;
    const sn = viewMap(g, result, tensor, 'negative').data;
    return { tensor, corrPN: pearson(sp, sn), netRatio: sumT > 0 ? Math.abs(sumR) / sumT : 0, sumT, sumR };
  });
}
