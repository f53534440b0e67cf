/**
 * The app's one zustand store, built from typed slices. It holds what the user asked for (model, image,
 * crop, class, view settings) and what the engine answered (model summary, prediction, per-layer numbers,
 * status): ids, shapes, numbers and short strings. Pixels and GPU objects live outside (registry.ts, the
 * engine). Side effects are not here: the controller subscribes to the store and drives the engine.
 */
import { createStore } from 'zustand/vanilla';
import { subscribeWithSelector } from 'zustand/middleware';
import { createImageSlice, type ImageSlice } from './slices/image-slice';
import { createLinkSlice, type LinkSlice } from './slices/link-slice';
import { createModelSlice, type ModelSlice } from './slices/model-slice';
import { createResultSlice, type ResultSlice } from './slices/result-slice';
import { createStatusSlice, type StatusSlice } from './slices/status-slice';
import { createViewSlice, type ViewSlice } from './slices/view-slice';

export type AppState = ModelSlice & ImageSlice & ViewSlice & ResultSlice & StatusSlice & LinkSlice;

export function createAppStore() {
  return createStore<AppState>()(
    subscribeWithSelector((...a) => ({
      ...createModelSlice(...a),
      ...createImageSlice(...a),
      ...createViewSlice(...a),
      ...createResultSlice(...a),
      ...createStatusSlice(...a),
      ...createLinkSlice(...a),
    })),
  );
}

export type AppStore = ReturnType<typeof createAppStore>;
