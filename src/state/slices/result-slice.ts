import { escapeControls } from '../../core/text';
import type { PaneOptions } from '../../core/pane/options';
import type { Backend, ClassScore, LayerStats, RenderInfo } from '../../engine/types';
import type { MapProgress } from '../../engine/eval-session';
import type { MapSource } from '../map-placement';
import type { BaselineMethod } from '../methods';
import type { SliceCreator } from './slice';

export interface EngineInfo {
  /** Bumped for every new engine; canvases are keyed by it (a canvas keeps the context type it got first). */
  generation: number;
  backend: Backend;
  description: string;
}

export interface PredictionResult {
  /** Which input (image, crop, preprocessing) these numbers belong to. */
  inputKey: string;
  top: ClassScore[];
  probs: number[];
}

export interface ExplanationResult {
  key: string;
  target: number;
  options: PaneOptions;
  layers: LayerStats[];
  mass: number;
  fluxAtInputPlusSinks: number;
  timingsMs: Record<string, number>;
}

/** What a canvas shows right now; `key` names the view so that tests and the UI can tell views apart. */
export interface RenderedView {
  key: string;
  layer: string;
  /** The colour-bar scale; null when nothing could be drawn (then `message` says why). */
  info: RenderInfo | null;
  message: string | null;
}

export type CanvasSlot = 'main' | 'compare';

/** A baseline method's map in a pane (state/method-maps.ts computes and draws it). */
export interface MethodView {
  method: BaselineMethod;
  /** Image, class and method: changes when the map does. */
  key: string;
  status: 'computing' | 'ready' | 'failed';
  /** Gradients done, for the many-gradient methods while they compute. */
  progress: MapProgress | null;
  /** The colour-bar scale once drawn. */
  info: RenderInfo | null;
  message: string | null;
  /** Which backend computes (computing) or computed (ready) the map; null until one starts. */
  source: MapSource | null;
}

export interface ResultSlice {
  engineInfo: EngineInfo | null;
  prediction: PredictionResult | null;
  explanation: ExplanationResult | null;
  /** Why the current model/class cannot be explained (null when it can). */
  explainBlocked: string | null;
  rendered: Record<CanvasSlot, RenderedView | null>;
  /** Non-null where a pane shows a baseline method instead of PANE. */
  methodViews: Record<CanvasSlot, MethodView | null>;
  /** Bumped whenever the model-input preview (registry) changes. */
  inputVersion: number;
  /** Bumped whenever the layer-strip thumbnails (registry) change. */
  stripVersion: number;
  setEngineInfo(info: EngineInfo | null): void;
  setPrediction(p: PredictionResult | null): void;
  setExplanation(e: ExplanationResult | null, blocked?: string | null): void;
  setRendered(slot: CanvasSlot, view: RenderedView | null): void;
  setMethodView(slot: CanvasSlot, view: MethodView | null): void;
  bumpInput(): void;
  bumpStrip(): void;
}

export const createResultSlice: SliceCreator<ResultSlice> = (set) => ({
  engineInfo: null,
  prediction: null,
  explanation: null,
  explainBlocked: null,
  rendered: { main: null, compare: null },
  methodViews: { main: null, compare: null },
  inputVersion: 0,
  stripVersion: 0,
  setEngineInfo: (engineInfo) => set({ engineInfo }),
  setPrediction: (prediction) => set({ prediction }),
  // Messages carry model, node and file names: control characters are escaped as in every other message.
  setExplanation: (explanation, blocked = null) =>
    set({ explanation, explainBlocked: blocked === null ? null : escapeControls(blocked) }),
  setRendered: (slot, view) =>
    set((s) => ({
      rendered: {
        ...s.rendered,
        [slot]: view?.message ? { ...view, message: escapeControls(view.message) } : view,
      },
    })),
  setMethodView: (slot, view) =>
    set((s) => ({
      methodViews: {
        ...s.methodViews,
        [slot]: view?.message ? { ...view, message: escapeControls(view.message) } : view,
      },
    })),
  bumpInput: () => set((s) => ({ inputVersion: s.inputVersion + 1 })),
  bumpStrip: () => set((s) => ({ stripVersion: s.stripVersion + 1 })),
});
