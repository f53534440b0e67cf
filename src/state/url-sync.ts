/**
 * The address bar follows the view. Every change of the view rewrites the current history entry (debounced,
 * so a dragged slider is one write); a new image, model or class makes a new entry, so Back and Forward walk
 * through them. Back, Forward and an edited fragment bring the app to the view the entry names, through
 * the same defensive parser as a shared link (actions.applyLink).
 *
 * A view that cannot travel in a link (a user's own image, a model from a file) gets an entry without a
 * fragment that names the image by its id in this session (history.state), so Back and Forward still find
 * it while the page lives.
 */
import type { AppActions } from './actions';
import { modelRefKey } from './model-source';
import { shallow } from 'zustand/shallow';
import { shareDigest, shareStateOf } from './share';
import { encodeShareState } from './share-codec';
import type { AppState, AppStore } from './store';

/** What the app keeps in history.state: the session's id of an image that has no link. */
export interface EntryState {
  panescopeImage: string;
}

/** The slice of the browser's history this module uses (a fake stands in for it in tests). */
export interface HistoryPort {
  /** The current entry's fragment without '#'. */
  fragment(): string;
  state(): unknown;
  replace(fragment: string, state: EntryState | null): void;
  push(fragment: string, state: EntryState | null): void;
  /** Calls `onNavigate` on Back, Forward and an edited fragment; returns the function that stops it. */
  listen(onNavigate: () => void): () => void;
}

/** Rewrites of the current entry wait this long for the view to settle. */
export const REPLACE_DEBOUNCE_MS = 250;

interface Entry {
  fragment: string;
  state: EntryState | null;
  /** Model, image and class: a change of any of them makes a new history entry. */
  identity: string;
}

/** The entry the view asks for, or null while there is nothing to show yet (model or image loading). */
function entryOf(s: AppState): Entry | null {
  const image = s.images.find((i) => i.id === s.currentImageId);
  if (!image || !s.model || !s.loadedModelRef) return null;
  if (modelRefKey(s.loadedModelRef) !== modelRefKey(s.modelRef)) return null;
  const identity = JSON.stringify([modelRefKey(s.modelRef), image.id, s.target]);
  if (image.source.kind === 'user' || s.modelRef.kind === 'file') {
    return { fragment: '', state: { panescopeImage: image.id }, identity };
  }
  return { fragment: encodeShareState(shareStateOf(s)), state: null, identity };
}

/** What `entryOf` reads: the view a link carries, and what resolves its class and layer. */
function entryInputs(s: AppState) {
  return [
    shareDigest(s),
    s.model,
    s.loadedModelRef,
    s.images,
    s.explanation?.target,
    s.prediction?.top[0]?.index,
    s.linkToConfirm,
  ];
}

function isEntryState(value: unknown): value is EntryState {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.hasOwn(value, 'panescopeImage') &&
    typeof (value as EntryState).panescopeImage === 'string'
  );
}

/** Starts following the view; returns the function that stops it. */
export function startUrlSync(
  store: AppStore,
  actions: Pick<AppActions, 'applyLink'>,
  port: HistoryPort,
  debounceMs = REPLACE_DEBOUNCE_MS,
): () => void {
  /** The fragment the current entry holds, and the identity of its view (null: not written yet). */
  let written = port.fragment();
  let identity: string | null = null;
  let pending: ReturnType<typeof setTimeout> | null = null;
  let applying = 0;
  let navigation = Promise.resolve();

  const cancelPending = () => {
    if (pending !== null) clearTimeout(pending);
    pending = null;
  };

  const write = (entry: Entry, push: boolean) => {
    if (push) port.push(entry.fragment, entry.state);
    else port.replace(entry.fragment, entry.state);
    written = entry.fragment;
    identity = entry.identity;
  };

  const onChange = () => {
    if (applying > 0) return;
    if (store.getState().linkToConfirm) {
      // The address keeps the waiting link (a reload asks again); once answered, the view takes this entry.
      cancelPending();
      identity = null;
      return;
    }
    const entry = entryOf(store.getState());
    if (!entry) return;
    if (identity !== null && entry.identity !== identity) {
      // A rewrite still waiting belongs to the entry being left: it was computed from the view it shows.
      cancelPending();
      write(entry, true);
      return;
    }
    if (identity === null) identity = entry.identity;
    if (entry.fragment === written && pending === null) return;
    cancelPending();
    pending = setTimeout(() => {
      pending = null;
      // The view may have moved on since: write what it is now (still the same entry).
      const now = entryOf(store.getState());
      if (now && now.identity === identity && now.fragment !== written) write(now, false);
    }, debounceMs);
  };

  const onNavigate = () => {
    navigation = navigation.then(async () => {
      const fragment = port.fragment();
      if (fragment === written) return;
      // A rewrite still waiting would land on the entry just reached.
      cancelPending();
      applying++;
      try {
        const state = port.state();
        const s = store.getState();
        if (fragment === '' && isEntryState(state) && s.images.some((i) => i.id === state.panescopeImage)) {
          s.selectImage(state.panescopeImage);
        } else {
          await actions.applyLink(fragment);
        }
      } finally {
        applying--;
        written = fragment;
        // The entry now shows this view; a later change of image, model or class makes a new one.
        const entry = entryOf(store.getState());
        identity = entry?.identity ?? null;
      }
    });
  };

  const unsubscribe = store.subscribe(entryInputs, onChange, { equalityFn: shallow });
  const unlisten = port.listen(onNavigate);
  onChange();
  return () => {
    cancelPending();
    unsubscribe();
    unlisten();
  };
}

/** The page's own history: fragments only, so the app's address and query (`?backend=ort`) stay. */
export function browserHistory(win: Window): HistoryPort {
  const url = (fragment: string) =>
    `${win.location.pathname}${win.location.search}${fragment ? `#${fragment}` : ''}`;
  return {
    fragment: () => win.location.hash.replace(/^#/, ''),
    state: () => win.history.state as unknown,
    replace: (fragment, state) => win.history.replaceState(state, '', url(fragment)),
    push: (fragment, state) => win.history.pushState(state, '', url(fragment)),
    listen: (onNavigate) => {
      // Back and Forward fire popstate; an edited fragment fires both (the fragment check drops the second).
      win.addEventListener('popstate', onNavigate);
      win.addEventListener('hashchange', onNavigate);
      return () => {
        win.removeEventListener('popstate', onNavigate);
        win.removeEventListener('hashchange', onNavigate);
      };
    },
  };
}
