/**
 * Final-map constructions: how the chain's per-layer maps become the one saliency map a user sees and the
 * evaluation scores. Our extension of PANE-SPEC (docs/final-maps.md has the formulas and the evaluation
 * that chose the default): the paper credits its results to "complete layer-by-layer information
 * utilization", yet the spec's map is the chain at the pixels only, where P and N nearly cancel.
 *
 * Every engine computes the same definitions: the float64 reference and the float32 CPU graph through
 * finalMap() below, the WebGPU engine in WGSL (gpu/final-map.ts), tested against finalMap().
 */
import type { IrGraph } from '../onnx/ir';
import { layerList, type ChainLayer } from './layers';
import { layerMaps, mapSize, upsampleBilinear } from './maps';
import type { Flux, PaneResult } from './types';

/** Which chain a fused map sums: net S = P - N, positive P, or total T = P + N. */
export type FusedChain = 'net' | 'positive' | 'total';
/** Every spatial layer, the last layer of each spatial resolution (stage), or the deepest stage's layers. */
export type LayerSet = 'all' | 'stage' | 'deepest';
/** Per layer, before upsampling: v / max|v|, v / mean|v|, or the average rank in [0, 1]. */
export type LayerNormalisation = 'max' | 'sum' | 'rank';
/** Layer weights: equal, growing with depth (k / L), or the layer's share of the chain's mass. */
export type LayerWeights = 'uniform' | 'depth' | 'mass';

export interface FusedSpec {
  chain: FusedChain;
  layers: LayerSet;
  normalisation: LayerNormalisation;
  weights: LayerWeights;
}

/**
 * Fused coverage with pixel detail: C (floor + (|D| / max|D|)^exponent) with C = max(F, 0) / max F and D
 * the chosen chain at the pixels, so the layers say where the evidence is and the pixels which pixels
 * within it carry the most. The floor keeps the whole covered region above the background.
 */
export interface DetailSpec {
  kind: 'detail';
  fused: FusedSpec;
  pixel: FusedChain;
  floor: number;
  exponent: number;
}

export type FinalMapSpec =
  /** A chain at the pixels: net is the spec's map S (PANE-SPEC 4.5); total is T = P + N there. */
  | { kind: 'pixel'; chain: FusedChain }
  /** F = sum_l w_l up(norm(M_l)) over a layer set (upsampling: bilinear, half-pixel centres). */
  | { kind: 'fused'; fused: FusedSpec }
  | DetailSpec
  /**
   * The pixels with the most mass first: the `fraction` of all pixels with the largest |D| (D the chosen
   * chain at the pixels) rank above every other pixel, in the order of |D|; the others keep the order of a
   * detail map. The pixel chain picks the few pixels that carry the most (what deleting or perturbing the
   * top pixels hits hardest); the detail map orders the rest (what keeping or removing whole regions needs).
   */
  | { kind: 'lead'; pixel: FusedChain; fraction: number; rest: DetailSpec };

const FUSED_POSITIVE: FusedSpec = {
  chain: 'positive',
  layers: 'all',
  normalisation: 'max',
  weights: 'uniform',
};

/** The named constructions a user can pick (CLI --map, the app's Final map control, evaluate's methods). */
const DETAIL: DetailSpec = { kind: 'detail', fused: FUSED_POSITIVE, pixel: 'total', floor: 0.5, exponent: 1 };

export const FINAL_MAPS = {
  lead: { kind: 'lead', pixel: 'total', fraction: 0.1, rest: DETAIL },
  detail: DETAIL,
  fused: { kind: 'fused', fused: FUSED_POSITIVE },
  'fused-net': { kind: 'fused', fused: { ...FUSED_POSITIVE, chain: 'net' } },
  'fused-stage': { kind: 'fused', fused: { ...FUSED_POSITIVE, layers: 'stage' } },
  'fused-deepest': { kind: 'fused', fused: { ...FUSED_POSITIVE, layers: 'deepest' } },
  'fused-rank': { kind: 'fused', fused: { ...FUSED_POSITIVE, normalisation: 'rank' } },
  'fused-depth': { kind: 'fused', fused: { ...FUSED_POSITIVE, weights: 'depth' } },
  'fused-mass': { kind: 'fused', fused: { ...FUSED_POSITIVE, weights: 'mass' } },
  'pixel-total': { kind: 'pixel', chain: 'total' },
  pixel: { kind: 'pixel', chain: 'net' },
} as const satisfies Record<string, FinalMapSpec>;

export type FinalMapName = keyof typeof FINAL_MAPS;

/** What each construction is, in a few words (the app's control, reports). */
export const FINAL_MAP_LABELS: Readonly<Record<FinalMapName, string>> = {
  lead: 'top 10% pixels, then layers × detail',
  detail: 'all layers × pixel detail',
  fused: 'all layers (positive chain)',
  'fused-net': 'all layers (net chain)',
  'fused-stage': 'one layer per stage',
  'fused-deepest': 'deepest stage',
  'fused-rank': 'all layers, rank-normalised',
  'fused-depth': 'all layers, deeper weigh more',
  'fused-mass': 'all layers, weighted by mass',
  'pixel-total': 'pixels, total chain (P + N)',
  pixel: 'pixel (the chain at the input)',
};

export const FINAL_MAP_NAMES = Object.keys(FINAL_MAPS) as FinalMapName[];

/** The final map of the app, the CLI and evaluate's 'pane' (docs/final-maps.md says how it was chosen). */
export const DEFAULT_FINAL_MAP: FinalMapName = 'detail';

/** Whether the construction's values can be negative (net chains): the app picks a diverging colormap. */
export function finalMapSigned(name: FinalMapName): boolean {
  const spec: FinalMapSpec = FINAL_MAPS[name];
  if (spec.kind === 'pixel') return spec.chain === 'net';
  return spec.kind === 'fused' && spec.fused.chain === 'net';
}

/** One layer's channel-summed chains at its own resolution (per position, row-major). */
export interface LayerChains {
  layer: ChainLayer;
  /**
   * The net chain S = sum_c R, propagated on its own (PANE-SPEC 4.1): the spec's map at the pixels and the
   * app's net view. P - N equals it only up to rounding, and near the pixels S is about 1e-8 of P.
   */
  S: ArrayLike<number>;
  /** The positive chain S_P = sum_c (T + R) / 2. */
  P: ArrayLike<number>;
  /** The negative chain S_N = sum_c (T - R) / 2. */
  N: ArrayLike<number>;
}

/**
 * The layers a fused map uses, in chain order (input side first): every layer with a spatial map larger
 * than 1 x 1 other than the graph input itself; 'stage' keeps the last layer of each run of equal map sizes,
 * 'deepest' the layers of the last run.
 */
export function fusedLayers<T extends { layer: ChainLayer }>(layers: readonly T[], set: LayerSet): T[] {
  const spatial = layers.filter((l) => {
    if (l.layer.opType === 'Input') return false;
    const { h, w } = mapSize(l.layer.dims, l.layer.layout);
    return h * w > 1;
  });
  const sizeKey = (l: T) => {
    const { h, w } = mapSize(l.layer.dims, l.layer.layout);
    return `${h}x${w}`;
  };
  if (set === 'all') return spatial;
  if (set === 'deepest') {
    const last = spatial.at(-1);
    return last ? spatial.filter((l) => sizeKey(l) === sizeKey(last)) : [];
  }
  return spatial.filter((l, i) => i === spatial.length - 1 || sizeKey(spatial[i + 1]) !== sizeKey(l));
}

/** The chain a fused map reads, per position. */
function chainValues(chains: Pick<LayerChains, 'S' | 'P' | 'N'>, chain: FusedChain): Float64Array {
  const { S, P, N } = chains;
  const out = new Float64Array(P.length);
  for (let i = 0; i < out.length; i++)
    out[i] = chain === 'positive' ? P[i] : chain === 'net' ? S[i] : P[i] + N[i];
  return out;
}

/** Average ranks (ties share the mean of their ranks) scaled to [0, 1]; a one-value map is 0. */
export function rankNormalise(v: Float64Array): Float64Array {
  const n = v.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const out = new Float64Array(n);
  if (n < 2) return out;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && v[order[j + 1]] === v[order[i]]) j++;
    const r = (i + j) / 2 / (n - 1);
    for (let k = i; k <= j; k++) out[order[k]] = r;
    i = j + 1;
  }
  return out;
}

/** Per-layer normalisation (before upsampling); an all-zero map stays zero. */
export function normaliseLayer(v: Float64Array, how: LayerNormalisation): Float64Array {
  if (how === 'rank') return rankNormalise(v);
  let s = 0;
  for (const x of v) s = how === 'max' ? Math.max(s, Math.abs(x)) : s + Math.abs(x);
  if (how === 'sum') s /= v.length;
  return s > 0 ? v.map((x) => x / s) : v;
}

/** The layer weights w_l of a fused map (they sum to 1). */
export function layerWeights(values: readonly Float64Array[], how: LayerWeights): Float64Array {
  const L = values.length;
  const w = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    if (how === 'uniform') w[l] = 1;
    else if (how === 'depth') w[l] = l + 1;
    else for (const x of values[l]) w[l] += x;
  }
  let total = 0;
  for (const x of w) total += x;
  return total !== 0 && Number.isFinite(total) ? w.map((x) => x / total) : w.fill(L ? 1 / L : 0);
}

/** F = sum_l w_l up(norm(M_l)), H x W. */
function fusedMap(layers: readonly LayerChains[], spec: FusedSpec, H: number, W: number): Float64Array {
  const used = fusedLayers(layers, spec.layers);
  const values = used.map((l) => chainValues(l, spec.chain));
  const weights = layerWeights(values, spec.weights);
  const out = new Float64Array(H * W);
  used.forEach((l, i) => {
    const { h, w } = mapSize(l.layer.dims, l.layer.layout);
    const up = upsampleBilinear(normaliseLayer(values[i], spec.normalisation), h, w, H, W);
    for (let p = 0; p < out.length; p++) out[p] += weights[i] * up[p];
  });
  return out;
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/**
 * The final map of a construction at H x W (the input's resolution). `layers` are the chain layers with
 * their chains (the graph input's among them: its net map is the pixel map).
 */
export function finalMap(
  name: FinalMapName,
  layers: readonly LayerChains[],
  H: number,
  W: number,
): Float64Array {
  const spec: FinalMapSpec = FINAL_MAPS[name];
  const input = layers.find((l) => l.layer.opType === 'Input');
  const pixel = (chain: FusedChain) => {
    if (!input) throw new Error('final map: the chain has no graph input layer');
    const { h, w } = mapSize(input.layer.dims, input.layer.layout);
    const S = chainValues(input, chain);
    return h === H && w === W ? S : upsampleBilinear(S, h, w, H, W);
  };
  if (spec.kind === 'pixel') return pixel(spec.chain);
  if (spec.kind === 'fused') return fusedMap(layers, spec.fused, H, W);
  const detail = (d: DetailSpec) => {
    const F = fusedMap(layers, d.fused, H, W);
    const D = pixel(d.pixel);
    const fMax = maxAbs(F.map((v) => Math.max(v, 0)));
    const dMax = maxAbs(D);
    return F.map((v, p) =>
      fMax > 0 && dMax > 0
        ? (Math.max(v, 0) / fMax) * (d.floor + Math.pow(Math.abs(D[p]) / dMax, d.exponent))
        : 0,
    );
  };
  if (spec.kind === 'detail') return detail(spec);
  return leadMap(pixel(spec.pixel), detail(spec.rest), spec.fraction);
}

/**
 * 'lead': with a = |D|, the k = round(fraction n) largest a (ties at the k-th value included) become
 * 1 + a / max a, every other pixel B / max B (B >= 0, the rest's map), so that the leading pixels rank first
 * in the order of a and the rest in the order of B. Without lead (k = 0 or a all 0) it is B / max B.
 */
export function leadMap(D: Float64Array, B: Float64Array, fraction: number): Float64Array {
  const a = D.map(Math.abs);
  const k = Math.round(fraction * a.length);
  const aMax = maxAbs(a);
  const bMax = maxAbs(B);
  const rest = (p: number) => (bMax > 0 ? B[p] / bMax : 0);
  if (k === 0 || aMax === 0) return a.map((_, p) => rest(p));
  const tau = Float64Array.from(a).sort()[a.length - k];
  return a.map((v, p) => (v >= tau && v > 0 ? 1 + v / aMax : rest(p)));
}

/** What a backend gives per chain tensor: its (T, R), or nothing when no mass reached it. */
export type FluxLookup = (tensor: string) => Flux | null | undefined;
/** The same, for backends that read a tensor back (the CLI's ONNX Runtime and WebGPU backends). */
export type AsyncFluxLookup = (tensor: string) => Promise<Flux | null | undefined>;

/** One chain layer's channel-summed chains from its (T, R); a layer without mass is all zero. */
export function layerChains(layer: ChainLayer, flux: Flux | null | undefined): LayerChains {
  const { h, w } = mapSize(layer.dims, layer.layout);
  if (!flux) {
    const zero = new Float64Array(h * w);
    return { layer, S: zero, P: zero, N: zero };
  }
  const { S, SP, SN } = layerMaps(flux, layer.dims, layer.layout);
  return { layer, S, P: SP, N: SN };
}

/**
 * Every chain layer's channel-summed chains (input side first), one layer at a time: with an async lookup
 * only one layer's (T, R) is held at once.
 */
export function layerChainsOf(g: IrGraph, flux: FluxLookup): LayerChains[];
export function layerChainsOf(g: IrGraph, flux: AsyncFluxLookup): Promise<LayerChains[]>;
export function layerChainsOf(
  g: IrGraph,
  flux: FluxLookup | AsyncFluxLookup,
): LayerChains[] | Promise<LayerChains[]> {
  const layers = layerList(g);
  const out: LayerChains[] = [];
  const from = (start: number): LayerChains[] | Promise<LayerChains[]> => {
    for (let i = start; i < layers.length; i++) {
      const layer = layers[i];
      const f = flux(layer.tensor);
      if (f instanceof Promise)
        return f.then((v) => {
          out.push(layerChains(layer, v));
          return from(i + 1);
        });
      out.push(layerChains(layer, f));
    }
    return out;
  };
  return from(0);
}

/** A construction at the graph input's resolution, from every chain layer's chains (the input's among them). */
export function finalMapAtInput(
  name: FinalMapName,
  layers: readonly LayerChains[],
): { map: Float64Array; h: number; w: number } {
  const input = layers.find((l) => l.layer.opType === 'Input');
  if (!input) throw new Error('final map: the chain has no graph input layer');
  const { h, w } = mapSize(input.layer.dims, input.layer.layout);
  return { map: finalMap(name, layers, h, w), h, w };
}

/** A construction of an explanation at the graph input's resolution. */
export function finalMapOf(
  g: IrGraph,
  result: PaneResult,
  name: FinalMapName,
): { map: Float64Array; h: number; w: number } {
  return finalMapAtInput(
    name,
    layerChainsOf(g, (t) => result.flux.get(t)),
  );
}
