/**
 * Mounts the app into #root and starts it: the body of every entry, src/main.tsx (the app) and
 * e2e/support/main.ts (the e2e build, which adds its test hook through `beforeLoad`).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createEngine } from './engine';
import { createApp, startApp, wantsOrtBackend, type App } from './state/app';
import { gradientPreference } from './state/map-placement';
import { App as AppView } from './ui/App';
import { AppContext } from './ui/context';
import { applyStoredTheme } from './ui/theme';
import './ui/styles.css';

export function mountApp(beforeLoad?: (app: App) => void): App {
  applyStoredTheme();

  const app = createApp({
    createEngine,
    disableWebGpu: wantsOrtBackend(location.search),
    gradientPreference: gradientPreference(location.search),
  });

  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <AppContext.Provider value={app}>
        <AppView />
      </AppContext.Provider>
    </StrictMode>,
  );

  void startApp(app, location.hash, beforeLoad);
  return app;
}
