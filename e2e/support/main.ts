/**
 * The e2e build's entry (`vite build --mode e2e`, vite.config.ts): the app exactly as src/main.tsx mounts
 * it, plus the read-only test hook, installed before the first model and image load as the tests expect.
 */
import { mountApp } from '../../src/mount';
import { installTestHook } from './test-hook';

mountApp((app) => installTestHook(app.store, app.controller, app.methodMaps));
