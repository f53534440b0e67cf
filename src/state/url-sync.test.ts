import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppActions } from './actions';
import { PixelRegistry } from './registry';
import { decodeShareState } from './share-codec';
import type { AppStore } from './store';
import { REPLACE_DEBOUNCE_MS, startUrlSync, type EntryState, type HistoryPort } from './url-sync';
import { modelInfo, storeWithModel } from '../../tests/support/app-fixtures';

const info = modelInfo(['data', 'conv1', 'logits'], { name: 'SqueezeNet' });

/** A browser history in memory: entries, a position, and Back/Forward that notify like popstate. */
class FakeHistory implements HistoryPort {
  entries: { fragment: string; state: EntryState | null }[] = [{ fragment: '', state: null }];
  index = 0;
  writes: string[] = [];
  private listener: (() => void) | null = null;
  fragment = () => this.entries[this.index].fragment;
  state = () => this.entries[this.index].state;
  replace(fragment: string, state: EntryState | null) {
    this.entries[this.index] = { fragment, state };
    this.writes.push('replace');
  }
  push(fragment: string, state: EntryState | null) {
    this.entries.splice(this.index + 1, Infinity, { fragment, state });
    this.index++;
    this.writes.push('push');
  }
  listen(onNavigate: () => void) {
    this.listener = onNavigate;
    return () => (this.listener = null);
  }
  go(delta: number) {
    this.index += delta;
    this.listener?.();
  }
}

function demo(store: AppStore, id: string) {
  store
    .getState()
    .addImages([{ id: `img-${id}`, name: id, width: 300, height: 200, source: { kind: 'demo', id } }]);
}

function setUp() {
  const store = storeWithModel(info);
  demo(store, 'chelsea');
  const history = new FakeHistory();
  const actions = new AppActions(store, new PixelRegistry());
  const stop = startUrlSync(store, actions, history);
  vi.advanceTimersByTime(REPLACE_DEBOUNCE_MS);
  return { store, history, stop };
}

const params = (fragment: string) => new URLSearchParams(fragment);

describe('the address bar follows the view', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('rewrites the entry once a burst of changes settles, with the whole view', () => {
    const { store, history } = setUp();
    expect(history.writes).toEqual(['replace']);
    expect(params(history.fragment()).get('img')).toBe('demo:chelsea');
    for (const opacity of [0.1, 0.2, 0.3]) store.getState().setOpacity(opacity);
    store.getState().setView({ gamma: 1 });
    expect(history.writes).toEqual(['replace']);
    vi.advanceTimersByTime(REPLACE_DEBOUNCE_MS);
    expect(history.writes).toEqual(['replace', 'replace']);
    expect(history.entries).toHaveLength(1);
    const { values, problems } = decodeShareState(history.fragment());
    expect(problems).toEqual([]);
    expect(values).toMatchObject({ opacity: 0.3, gamma: 1, model: { kind: 'builtin', id: 'squeezenet1.1' } });
  });

  it('makes a new entry for a new image or class, and Back and Forward bring each view back', async () => {
    const { store, history } = setUp();
    store.getState().setLayer('conv1');
    vi.advanceTimersByTime(REPLACE_DEBOUNCE_MS);
    demo(store, 'coffee');
    store.getState().setView({ kind: 'positive' });
    vi.advanceTimersByTime(REPLACE_DEBOUNCE_MS);
    store.getState().setTarget(504);
    vi.advanceTimersByTime(REPLACE_DEBOUNCE_MS);
    expect(history.writes.filter((w) => w === 'push')).toHaveLength(2);
    expect(history.entries.map((e) => params(e.fragment).get('img'))).toEqual([
      'demo:chelsea',
      'demo:coffee',
      'demo:coffee',
    ]);
    expect(params(history.entries[1].fragment).get('view')).toBe('positive');
    expect(params(history.entries[2].fragment).get('class')).toBe('504');

    history.go(-2);
    await vi.runAllTimersAsync();
    let s = store.getState();
    expect(s.images.find((i) => i.id === s.currentImageId)?.name).toBe('chelsea');
    expect([s.layer, s.kind, s.target]).toEqual(['conv1', 'net', null]);
    // Navigating writes nothing: the entries stay as they were.
    expect(history.entries).toHaveLength(3);

    history.go(1);
    await vi.runAllTimersAsync();
    s = store.getState();
    expect(s.images.find((i) => i.id === s.currentImageId)?.name).toBe('coffee');
    expect(s.kind).toBe('positive');

    history.go(1);
    await vi.runAllTimersAsync();
    expect(store.getState().target).toBe(504);
    expect(history.writes.filter((w) => w === 'push')).toHaveLength(2);
  });

  it("names a user's own image by its session id, so Back finds it without a link", async () => {
    const { store, history } = setUp();
    store
      .getState()
      .addImages([{ id: 'mine', name: 'mine.png', width: 10, height: 10, source: { kind: 'user' } }]);
    expect(history.entries[1]).toEqual({ fragment: '', state: { panescopeImage: 'mine' } });
    demo(store, 'rocket');
    history.go(-1);
    await vi.runAllTimersAsync();
    expect(store.getState().currentImageId).toBe('mine');
  });

  it('takes an edited fragment through the link parser, refusing a malformed one whole', async () => {
    const { store, history } = setUp();
    const base = 'v=1&model=squeezenet1.1&img=demo:chelsea';
    history.entries[0] = { fragment: `${base}&view=negative`, state: null };
    history.go(0);
    await vi.runAllTimersAsync();
    expect(store.getState().kind).toBe('negative');
    history.entries[0] = { fragment: `${base}&view=positive&gamma=7`, state: null };
    history.go(0);
    await vi.runAllTimersAsync();
    expect([store.getState().kind, store.getState().gamma]).toEqual(['negative', 0.5]);
    expect(store.getState().errors.map((e) => e.message)).toEqual([
      'The link was refused: nothing of it was applied.',
      'Link: gamma "7" is not one of 1, 0.5, 0.25.',
    ]);
  });

  it('asks before a link downloads anything, and keeps the link in the address until answered', async () => {
    const { store, history } = setUp();
    const fetches: string[] = [];
    vi.stubGlobal('fetch', (url: string) => {
      fetches.push(String(url));
      return Promise.reject(new Error('offline'));
    });
    try {
      const link = 'v=1&model=https://models.example/m.onnx&img=https://images.example/cat.png&view=positive';
      history.entries[0] = { fragment: link, state: null };
      history.go(0);
      await vi.runAllTimersAsync();
      expect(fetches).toEqual([]);
      expect(store.getState().linkToConfirm?.fetches.map((f) => [f.what, f.host, f.path])).toEqual([
        ['model', 'models.example', '/m.onnx'],
        ['image', 'images.example', '/cat.png'],
      ]);
      // Nothing of the link applies meanwhile, and the address keeps it.
      expect(store.getState().kind).toBe('net');
      store.getState().setOpacity(0.2);
      await vi.runAllTimersAsync();
      expect(history.fragment()).toBe(link);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
