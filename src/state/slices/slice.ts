import type { StateCreator } from 'zustand/vanilla';
import type { AppState } from '../store';

/** A slice creator that sees the whole store (slices may read each other through `get`). */
export type SliceCreator<T> = StateCreator<AppState, [['zustand/subscribeWithSelector', never]], [], T>;
