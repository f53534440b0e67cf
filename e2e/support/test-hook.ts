/**
 * A read-only window into the running app for the end-to-end tests (window.__panescope): the engine's raw
 * numbers for a view, and what the canvases currently show. It changes nothing. Only the e2e build installs
 * it (e2e/support/main.ts, selected by `vite build --mode e2e`); the app's own build carries none of it.
 */
import type { MapKind } from '../../src/engine/types';
import type { AppController } from '../../src/state/controller';
import type { MethodMaps } from '../../src/state/method-maps';
import type { DisplayMethod } from '../../src/state/methods';
import type { AppStore } from '../../src/state/store';

export interface TestHook {
  /** Resolves when the app has nothing left to compute. */
  idle(): Promise<void>;
  readMap(
    layer: string,
    kind: MapKind,
    size?: { width: number; height: number },
  ): Promise<{ width: number; height: number; signed: boolean; data: number[] }>;
  /** The map of a method for the explanation on screen, as the panes and the grid draw it. */
  methodMap(
    method: DisplayMethod,
  ): Promise<{ width: number; height: number; signed: boolean; data: number[] }>;
  /** Resolves when the baseline maps in the panes are drawn. */
  methodsIdle(): Promise<void>;
  snapshot(): ReturnType<typeof snapshot>;
}

declare global {
  interface Window {
    __panescope?: TestHook;
  }
}

function snapshot(store: AppStore) {
  const s = store.getState();
  const source = s.images.find((i) => i.id === s.currentImageId)?.source;
  return {
    /** The current image: 'demo:ID', or the kind of its source ('url', 'user', 'embedded'). */
    image: source ? (source.kind === 'demo' ? `demo:${source.id}` : source.kind) : null,
    phase: s.phase,
    backend: s.engineInfo?.backend ?? null,
    modelName: s.model?.name ?? null,
    layers: s.model?.layers.map((l) => l.tensor) ?? [],
    layer: s.layer ?? s.model?.layers[0]?.tensor ?? null,
    kind: s.kind,
    gamma: s.gamma,
    finalMap: s.finalMap,
    target: s.explanation?.target ?? null,
    /** The top-5 class indices of the engine's forward pass. */
    top: s.prediction?.top.map((c) => c.index) ?? [],
    /** p(target) of the engine's forward pass. */
    targetProbability: s.explanation && s.prediction ? s.prediction.probs[s.explanation.target] : null,
    main: s.rendered.main,
    compare: s.rendered.compare,
    methodViews: s.methodViews,
    errors: s.errors.map((e) => e.message),
  };
}

export function installTestHook(store: AppStore, controller: AppController, methodMaps: MethodMaps): void {
  window.__panescope = Object.freeze({
    idle: () => controller.whenIdle(),
    readMap: async (layer: string, kind: MapKind, size?: { width: number; height: number }) => {
      // What the view shows: at the input, the current final-map construction.
      const map = await controller.readMap({ layer, kind, finalMap: store.getState().finalMap }, size);
      return { width: map.width, height: map.height, signed: map.signed, data: Array.from(map.data) };
    },
    methodMap: async (method: DisplayMethod) => {
      const map = await methodMaps.map(method);
      return { width: map.width, height: map.height, signed: map.signed, data: Array.from(map.data) };
    },
    methodsIdle: () => methodMaps.whenIdle(),
    snapshot: () => snapshot(store),
  });
}
