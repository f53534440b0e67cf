/**
 * The layer animation: from the logits down to the pixels, one layer per step, each step waiting for the
 * previous layer to be drawn (on a slow adapter the animation slows down instead of skipping layers).
 */
import { currentLayerIndex } from './slices/view-slice';
import type { AppStore } from './store';

export const PLAY_STEP_MS = 220;

/** Whether the system asks for reduced motion (no window in Node tests: no). */
function prefersReducedMotion(): boolean {
  return typeof window !== 'undefined' && !!window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
}

/**
 * Watches `playing`; returns the function that stops watching. Where `reducedMotion()` says so, Play shows
 * the chain's end (the input layer, the final map) at once instead of animating through the layers.
 */
export function startLayerPlayer(
  store: AppStore,
  reducedMotion: () => boolean = prefersReducedMotion,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const next = () => {
    cancel();
    timer = setTimeout(() => {
      timer = null;
      const s = store.getState();
      if (!s.playing) return;
      if (currentLayerIndex(s) === 0) s.setPlaying(false);
      else s.stepLayer(-1);
    }, PLAY_STEP_MS);
  };
  const stopWatchingPlay = store.subscribe(
    (s) => s.playing,
    (playing) => {
      cancel();
      if (!playing) return;
      const s = store.getState();
      const layers = s.model?.layers ?? [];
      if (layers.length === 0) return s.setPlaying(false);
      if (reducedMotion()) {
        s.setLayer(layers[0].tensor);
        return s.setPlaying(false);
      }
      const last = layers[layers.length - 1].tensor;
      // Already at the logits: nothing new gets drawn, so take the first step from here.
      if (s.layer === last) next();
      else s.setLayer(last);
    },
  );
  const stopWatchingRender = store.subscribe(
    (s) => s.rendered.main,
    () => {
      if (store.getState().playing) next();
    },
  );
  return () => {
    cancel();
    stopWatchingPlay();
    stopWatchingRender();
  };
}
