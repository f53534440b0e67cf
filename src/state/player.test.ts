import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModelInfo } from '../engine/types';
import { PLAY_STEP_MS, startLayerPlayer } from './player';
import { createAppStore } from './store';

const model = (layers: string[]): ModelInfo => ({
  name: 'm',
  sha256: '',
  inputName: 'x',
  inputDims: [1, 3, 8, 8],
  numClasses: 2,
  layers: layers.map((tensor) => ({ tensor, node: tensor, opType: 'Conv', dims: [1, 1, 2, 2] })),
  coverage: { ok: true, unsupported: [], opCounts: {}, nodes: {}, logits: 'c' },
  canExplain: true,
  metadata: {},
});

/** Stands in for the controller: every layer change is drawn at once. */
function drawEveryLayer(store: ReturnType<typeof createAppStore>) {
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
    const store = createAppStore();
    store.getState().modelLoaded({ kind: 'builtin', id: 'squeezenet1.1' }, model(['a', 'b', 'c']), []);
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
    const store = createAppStore();
    store.getState().modelLoaded({ kind: 'builtin', id: 'squeezenet1.1' }, model(['a', 'b', 'c']), []);
    startLayerPlayer(store);
    store.getState().setPlaying(true);
    vi.advanceTimersByTime(10 * PLAY_STEP_MS);
    expect(store.getState().layer).toBe('c');
  });

  it('stops when asked', () => {
    const store = createAppStore();
    store.getState().modelLoaded({ kind: 'builtin', id: 'squeezenet1.1' }, model(['a', 'b', 'c']), []);
    startLayerPlayer(store);
    drawEveryLayer(store);
    store.getState().setPlaying(true);
    store.getState().setPlaying(false);
    vi.advanceTimersByTime(10 * PLAY_STEP_MS);
    expect(store.getState().layer).toBe('c');
  });

  it('with reduced motion, Play shows the final map at once and stops (no animation)', () => {
    const store = createAppStore();
    store.getState().modelLoaded({ kind: 'builtin', id: 'squeezenet1.1' }, model(['a', 'b', 'c']), []);
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
