import { DEFAULT_OPTIONS, type Head, type Rule } from '../../core/pane/options';
import type { MapKind, Normalization } from '../../engine/types';
import type { ColormapChoice, CompareSpec } from '../types';
import type { SliceCreator } from './slice';

export interface ViewSlice {
  /** Class to explain; null = the top-1 class of the current image. */
  target: number | null;
  rule: Rule;
  alpha: number;
  beta: number;
  head: Head;
  /** Layer tensor; null = layer 0 (the input, where the final saliency map lives). */
  layer: string | null;
  kind: MapKind;
  opacity: number;
  colormap: ColormapChoice;
  normalization: Normalization;
  /** Clip |map| at this percentile before scaling, or null (scale by the maximum). */
  clipPercentile: number | null;
  /** Display contrast (core/colormap CONTRASTS): 1 linear, smaller lifts weak evidence. */
  gamma: number;
  compare: CompareSpec | null;
  /** The layer animation (logits down to the pixels) is running. */
  playing: boolean;
  setTarget(target: number | null): void;
  setRule(rule: Rule): void;
  setAlphaBeta(alpha: number, beta: number): void;
  setHead(head: Head): void;
  setLayer(layer: string | null): void;
  /** Moves the layer by `delta` along the model's layer list (clamped). */
  stepLayer(delta: number): void;
  setKind(kind: MapKind): void;
  setOpacity(opacity: number): void;
  setColormap(colormap: ColormapChoice): void;
  setNormalization(normalization: Normalization): void;
  setClipPercentile(clipPercentile: number | null): void;
  setGamma(gamma: number): void;
  setCompare(compare: CompareSpec | null): void;
  setPlaying(playing: boolean): void;
}

export const DEFAULT_OPACITY = 0.7;
/**
 * The display starts clipped at the 99.5th percentile (PANE-SPEC 4.5's option) and at contrast |v|^0.5:
 * pixel-level maps are sparse (on SqueezeNet half the input pixels are below 1e-3 of the largest), so the
 * linear, unclipped display shows only a few dots. Linear and unclipped are one click away.
 */
export const DEFAULT_CLIP_PERCENTILE = 99.5;
export const DEFAULT_GAMMA = 0.5;

export const createViewSlice: SliceCreator<ViewSlice> = (set, get) => ({
  target: null,
  rule: DEFAULT_OPTIONS.rule,
  alpha: DEFAULT_OPTIONS.alpha,
  beta: DEFAULT_OPTIONS.beta,
  head: DEFAULT_OPTIONS.head,
  layer: null,
  kind: 'net',
  opacity: DEFAULT_OPACITY,
  colormap: 'auto',
  normalization: 'layer',
  clipPercentile: DEFAULT_CLIP_PERCENTILE,
  gamma: DEFAULT_GAMMA,
  compare: null,
  playing: false,
  setTarget: (target) => set({ target }),
  setRule: (rule) => set({ rule }),
  setAlphaBeta: (alpha, beta) => set({ alpha, beta }),
  setHead: (head) => set({ head }),
  setLayer: (layer) => set({ layer }),
  stepLayer: (delta) => {
    const layers = get().model?.layers ?? [];
    if (layers.length === 0) return;
    const index = Math.min(layers.length - 1, Math.max(0, currentLayerIndex(get()) + delta));
    set({ layer: layers[index].tensor });
  },
  setKind: (kind) => set({ kind }),
  setOpacity: (opacity) => set({ opacity: Math.min(1, Math.max(0, opacity)) }),
  setColormap: (colormap) => set({ colormap }),
  setNormalization: (normalization) => set({ normalization }),
  setClipPercentile: (clipPercentile) => set({ clipPercentile }),
  setGamma: (gamma) => set({ gamma }),
  setCompare: (compare) => set({ compare }),
  setPlaying: (playing) => set({ playing }),
});

/** Index of the selected layer in the model's list (0 when none or unknown). */
export function currentLayerIndex(
  s: Pick<ViewSlice, 'layer'> & { model: { layers: { tensor: string }[] } | null },
) {
  if (!s.model || s.layer === null) return 0;
  const i = s.model.layers.findIndex((l) => l.tensor === s.layer);
  return i < 0 ? 0 : i;
}
