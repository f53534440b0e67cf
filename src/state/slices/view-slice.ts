import type { MapKind } from '../../engine/types';
import type { DisplayMethod } from '../methods';
import type { CompareSpec } from '../types';
import {
  defaultViewSettings,
  normalizeSetting,
  VIEW_SETTINGS,
  type ViewSettingName,
  type ViewSettings,
} from '../view-settings';
import { shownFinalMap } from '../shown-view';
import type { SliceCreator } from './slice';

/** The view: the settings of the table (view-settings.ts) plus the class, the layer and the compare pane. */
export interface ViewSlice extends ViewSettings {
  /** Class to explain; null = the top-1 class of the current image. */
  target: number | null;
  /** Layer tensor; null = layer 0 (the input, where the final saliency map lives). */
  layer: string | null;
  compare: CompareSpec | null;
  /** The layer animation (logits down to the pixels) is running. */
  playing: boolean;
  /** Sets any view settings at once; each value is checked against its row of the table. */
  setView(patch: Partial<ViewSettings>): void;
  setTarget(target: number | null): void;
  setAlphaBeta(alpha: number, beta: number): void;
  setLayer(layer: string | null): void;
  /** Moves the layer by `delta` along the model's layer list (clamped). */
  stepLayer(delta: number): void;
  /**
   * A view toggle (button or key 1-5). Where the main pane shows a final map, which no toggle picks, the
   * construction gives way to the chosen view at the pixels (final map 'pixel'), so the choice shows.
   */
  chooseKind(kind: MapKind): void;
  setMethod(method: DisplayMethod): void;
  setOpacity(opacity: number): void;
  setClipPercentile(clipPercentile: number | null): void;
  setCompare(compare: CompareSpec | null): void;
  setPlaying(playing: boolean): void;
}

export const DEFAULT_CLIP_PERCENTILE = VIEW_SETTINGS.clipPercentile.default;

export const createViewSlice: SliceCreator<ViewSlice> = (set, get) => {
  const setView = (patch: Partial<ViewSettings>) =>
    set((s) => {
      const next: Partial<Record<ViewSettingName, unknown>> = {};
      for (const name of Object.keys(patch) as ViewSettingName[]) {
        if (!Object.hasOwn(VIEW_SETTINGS, name)) continue;
        next[name] = normalizeSetting(name, patch[name], s[name]);
      }
      return next as Partial<ViewSettings>;
    });
  return {
    ...defaultViewSettings(),
    target: null,
    layer: null,
    compare: null,
    playing: false,
    setView,
    setTarget: (target) => set({ target }),
    setAlphaBeta: (alpha, beta) => setView({ alpha, beta }),
    setLayer: (layer) => set({ layer }),
    stepLayer: (delta) => {
      const layers = get().model?.layers ?? [];
      if (layers.length === 0) return;
      const index = Math.min(layers.length - 1, Math.max(0, currentLayerIndex(get()) + delta));
      set({ layer: layers[index].tensor });
    },
    chooseKind: (kind) => setView(shownFinalMap(get(), 'main') ? { kind, finalMap: 'pixel' } : { kind }),
    setMethod: (method) => setView({ method }),
    setOpacity: (opacity) => setView({ opacity }),
    setClipPercentile: (clipPercentile) => setView({ clipPercentile }),
    setCompare: (compare) => set({ compare }),
    setPlaying: (playing) => set({ playing }),
  };
};

/** Index of the selected layer in the model's list (0 when none or unknown). */
export function currentLayerIndex(
  s: Pick<ViewSlice, 'layer'> & { model: { layers: { tensor: string }[] } | null },
) {
  if (!s.model || s.layer === null) return 0;
  const i = s.model.layers.findIndex((l) => l.tensor === s.layer);
  return i < 0 ? 0 : i;
}
