import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { App } from '../state/app';
import type { AppState } from '../state/store';

export const AppContext = createContext<App | null>(null);

export function useApp(): App {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext.Provider>');
  return app;
}

/** Narrow subscription to the store: components re-render only when what they select changes. */
export function useAppState<T>(selector: (s: AppState) => T): T {
  return useStore(useApp().store, selector);
}
