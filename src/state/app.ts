/**
 * The app's parts, wired once at start-up: the store, the pixel registry, the controller that drives the
 * engine, the input actions, the layer player, the Evaluate panel's client (its worker starts on first
 * use) and the baseline methods' maps (on the engine's GPU device or in that worker). No module-level state: everything hangs off this object.
 */
import { Evaluator } from '../engine/evaluator';
import { GpuGradientMaps } from '../engine/gpu-gradient-maps';
import { AppActions } from './actions';
import { AppController, type EngineFactory } from './controller';
import type { GradientPreference } from './map-placement';
import { MethodMaps } from './method-maps';
import { startLayerPlayer } from './player';
import { PixelRegistry } from './registry';
import { createAppStore, type AppStore } from './store';
import { browserHistory, startUrlSync } from './url-sync';

export interface App {
  store: AppStore;
  registry: PixelRegistry;
  controller: AppController;
  actions: AppActions;
  evaluator: Evaluator;
  /** Baseline methods' maps in the panes and the all-methods grid. */
  methodMaps: MethodMaps;
}

export interface AppOptions {
  createEngine: EngineFactory;
  disableWebGpu: boolean;
  /** Where the gradient baselines run (`?gradients=`, state/map-placement.ts); default 'auto'. */
  gradientPreference?: GradientPreference;
}

export function createApp(options: AppOptions): App {
  const store = createAppStore();
  const registry = new PixelRegistry();
  const controller = new AppController(store, registry, options);
  const actions = new AppActions(store, registry);
  const evaluator = new Evaluator();
  const methodMaps = new MethodMaps(
    store,
    controller,
    evaluator,
    new GpuGradientMaps(),
    options.gradientPreference,
  );
  return { store, registry, controller, actions, evaluator, methodMaps };
}

/**
 * Starts the engine loop and loads the link's (or the default) model and image. `beforeLoad` runs once the
 * loops run and before the first load (the e2e build installs its test hook there).
 */
export async function startApp(app: App, fragment: string, beforeLoad?: (app: App) => void): Promise<void> {
  app.controller.start();
  app.methodMaps.start();
  startLayerPlayer(app.store);
  beforeLoad?.(app);
  await app.actions.start(fragment);
  startUrlSync(app.store, app.actions, browserHistory(window));
}

/**
 * `?backend=ort` in the page address turns WebGPU off (the ort engine), for comparison and tests.
 * `?backend=cpu`, its old name, still works so that old links keep their engine.
 */
export function wantsOrtBackend(search: string): boolean {
  const backend = new URLSearchParams(search).get('backend');
  return backend === 'ort' || backend === 'cpu';
}
