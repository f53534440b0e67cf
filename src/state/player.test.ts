import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PLAY_STEP_MS, startLayerPlayer } from './player';
import type { AppStore } from './store';
import { modelInfo, storeWithModel } from '../../tests/support/app-fixtures';

/** Stands in for the controller: every layer change is drawn at once. */
function drawEveryLayer(store: AppStore) {
  return store.subscribe(
    (s) => s.layer,
    (layer) =>
      store
        .getState()
        .setRendered('main', { key: String(layer), layer: layer ?? '', info: null, message: null }),
  );
}

describe('layer player', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('plays from the logits down to the input, one drawn layer per step, then stops', () => {
    const store = storeWithModel(
      modelInfo(['a', 'b', 'c'], { inputDims: [1, 3, 8, 8], numClasses: 2 }, [1, 1, 2, 2]),
    );
    startLayerPlayer(store);
    drawEveryLayer(store);
    store.getState().setPlaying(true);
    const seen = [store.getState().layer];
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(PLAY_STEP_MS);
      seen.push(store.getState().layer);
    }
    expect(seen).toEqual(['c', 'b', 'a', 'a']);
    expect(store.getState().playing).toBe(false);
  });

  it('waits for each layer to be drawn before the next step', () => {
    const store = storeWithModel(
      modelInfo(['a', 'b', 'c'], { inputDims: [1, 3, 8, 8], numClasses: 2 }, [1, 1, 2, 2]),
    );
    startLayerPlayer(store);
    store.getState().setPlaying(true);
    vi.advanceTimersByTime(10 * PLAY_STEP_MS);
    expect(store.getState().layer).toBe('c');
  });

  it('stops when asked', () => {
    const store = storeWithModel(
      modelInfo(['a', 'b', 'c'], { inputDims: [1, 3, 8, 8], numClasses: 2 }, [1, 1, 2, 2]),
    );
    startLayerPlayer(store);
    drawEveryLayer(store);
    store.getState().setPlaying(true);
    store.getState().setPlaying(false);
    vi.advanceTimersByTime(10 * PLAY_STEP_MS);
    expect(store.getState().layer).toBe('c');
  });

  it('with reduced motion, Play shows the final map at once and stops (no animation)', () => {
    const store = storeWithModel(
      modelInfo(['a', 'b', 'c'], { inputDims: [1, 3, 8, 8], numClasses: 2 }, [1, 1, 2, 2]),
    );
    store.getState().setLayer('b');
    startLayerPlayer(store, () => true);
    const seen: (string | null)[] = [];
    store.subscribe(
      (s) => s.layer,
      (layer) => seen.push(layer),
    );
    store.getState().setPlaying(true);
    expect(store.getState().layer).toBe('a');
    expect(store.getState().playing).toBe(false);
    vi.advanceTimersByTime(10 * PLAY_STEP_MS);
    expect(seen).toEqual(['a']);
  });
});
