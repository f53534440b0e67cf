import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createEngine } from './engine';
import { createApp, startApp, wantsOrtBackend } from './state/app';
import { gradientPreference } from './state/map-placement';
import { App } from './ui/App';
import { AppContext } from './ui/context';
import { applyStoredTheme } from './ui/theme';
import './ui/styles.css';

applyStoredTheme();

const app = createApp({
  createEngine,
  disableWebGpu: wantsOrtBackend(location.search),
  gradientPreference: gradientPreference(location.search),
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={app}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);

void startApp(app, location.hash);
