import { describe, expect, it } from 'vitest';
import type { PaneOptions } from '../core/pane/options';
import type { MapData, ModelInfo, Prediction, RenderInfo, SaliencyEngine, ViewSpec } from '../engine/types';
import { createApp, type App } from './app';
import type { EngineOptions } from './controller';
import { VIEW_SETTINGS } from './view-settings';

/** A test double that records what the controller asks of it. */
class RecordingEngine implements SaliencyEngine {
  readonly backend = 'ort' as const;
  readonly description = 'recording';
  readonly calls: string[] = [];
  disposed = false;
  private options: Partial<PaneOptions> = {};

  constructor(private readonly canExplain: boolean) {}

  async loadModel(bytes: Uint8Array, name: string): Promise<ModelInfo> {
    this.calls.push('loadModel');
    if (bytes[0] === 0) throw new Error('not an ONNX model');
    return {
      name,
      sha256: 'f'.repeat(64),
      inputName: 'x',
      inputDims: [1, 3, 8, 8],
      numClasses: 4,
      // Like the real engines: no chain layers when the chain cannot traverse the model.
      layers: this.canExplain
        ? ['x', 'conv', 'logits'].map((tensor) => ({
            tensor,
            node: tensor,
            opType: 'Conv',
            dims: [1, 2, 4, 4],
          }))
        : [],
      coverage: {
        ok: this.canExplain,
        unsupported: this.canExplain ? [] : [{ opType: 'Sigmoid', node: 'gate', reason: 'gating' }],
        opCounts: {},
        nodes: {},
        logits: 'logits',
      },
      canExplain: this.canExplain,
      metadata: {},
    };
  }

  async setInput(input: Float32Array): Promise<Prediction> {
    this.calls.push(`setInput ${input.length}`);
    const probs = Float32Array.of(0.1, 0.6, 0.2, 0.1);
    return {
      probs,
      logits: probs,
      top: [1, 2, 0, 3].map((index) => ({ index, logit: probs[index], prob: probs[index] })),
    };
  }

  async explain(options: Partial<PaneOptions>) {
    this.options = options;
    this.calls.push(`explain ${options.target} ${options.rule}`);
    const layers = ['x', 'conv', 'logits'].map((tensor) => ({
      tensor,
      corrPN: 1,
      netRatio: 1e-8,
      sumT: 1,
      sumR: 0,
    }));
    return {
      target: options.target!,
      options: options as PaneOptions,
      fluxAtInputPlusSinks: 1,
      mass: 1,
      layers,
      timingsMs: {},
    };
  }

  async render(_canvas: HTMLCanvasElement | OffscreenCanvas, view: ViewSpec): Promise<RenderInfo> {
    this.calls.push(`render ${view.layer} ${view.kind} ${this.options.rule}`);
    return { signed: view.kind === 'net', scale: 1, colormap: 'diverging' };
  }

  async readMap(
    view: Pick<ViewSpec, 'layer' | 'kind'>,
    size?: { width: number; height: number },
  ): Promise<MapData> {
    this.calls.push(`readMap ${view.layer}`);
    const width = size?.width ?? 8;
    const height = size?.height ?? 8;
    // Each view's map tells which view it is: 1 net, 2 positive, ...
    const tag = VIEW_SETTINGS.kind.values.indexOf(view.kind) + 1;
    return { width, height, data: new Float32Array(width * height).fill(tag), signed: view.kind === 'net' };
  }

  dispose(): void {
    this.disposed = true;
  }
}

function setUp(opts: { canExplain?: boolean } = {}) {
  const engines: RecordingEngine[] = [];
  const createEngine = async (_: EngineOptions) => {
    const e = new RecordingEngine(opts.canExplain ?? true);
    engines.push(e);
    return e;
  };
  const app = createApp({ createEngine, disableWebGpu: true });
  // A model file instead of the built-in one: nothing to fetch in Node.
  loadModel(app);
  app.controller.start();
  const canvas = { width: 0, height: 0 } as HTMLCanvasElement;
  app.controller.attachCanvas('main', canvas);
  return { app, engines, canvas };
}

function loadModel(app: App, firstByte = 8) {
  const key = app.registry.addModelFile(Uint8Array.of(firstByte, 1, 2));
  app.store.getState().requestModel({ kind: 'file', name: `m${firstByte}.onnx`, key });
}

function addImage(app: App) {
  const rgba = { width: 16, height: 12, data: new Uint8ClampedArray(16 * 12 * 4).fill(128) };
  const id = app.registry.addImage(rgba);
  app.store.getState().addImages([{ id, name: 'grey', width: 16, height: 12, source: { kind: 'user' } }]);
}

describe('AppController', () => {
  it('brings the engine from a model and an image to a drawn map and a layer strip', async () => {
    const { app, engines, canvas } = setUp();
    addImage(app);
    await app.controller.whenIdle();
    const s = app.store.getState();
    expect(engines[0].calls).toEqual([
      'loadModel',
      'setInput 192',
      'explain 1 sf',
      'render x net sf',
      'readMap x',
      'readMap conv',
      'readMap logits',
    ]);
    expect(s.prediction?.top[0].index).toBe(1);
    expect(s.explanation?.target).toBe(1);
    expect(s.rendered.main?.info?.scale).toBe(1);
    expect([canvas.width, canvas.height]).toEqual([8, 8]);
    expect(app.registry.thumbnails.size).toBe(3);
    expect(app.registry.inputPreview?.width).toBe(8);
    expect(s.phase).toBe('ready');
  });

  it('keeps the layer strip until the maps of another view are all read, then swaps them in at once', async () => {
    const { app } = setUp();
    addImage(app);
    await app.controller.whenIdle();
    // What the strip would draw at every update: each layer's view tag (absent: a blank thumbnail).
    const shown: string[] = [];
    const unsubscribe = app.store.subscribe(
      (s) => s.stripVersion,
      () => shown.push(['x', 'conv', 'logits'].map((l) => app.registry.thumbnails.get(l)?.data[0]).join()),
    );
    app.store.getState().setView({ kind: 'positive' });
    await app.controller.whenIdle();
    app.store.getState().setView({ kind: 'negative' });
    await app.controller.whenIdle();
    unsubscribe();
    expect(shown).toEqual(['2,2,2', '3,3,3']);
  });

  it('re-runs only what a change needs', async () => {
    const { app, engines } = setUp();
    addImage(app);
    await app.controller.whenIdle();
    const calls = engines[0].calls;
    calls.length = 0;
    app.store.getState().setLayer('conv');
    await app.controller.whenIdle();
    expect(calls).toEqual(['render conv net sf']);
    calls.length = 0;
    app.store.getState().setTarget(2);
    app.store.getState().setTarget(3); // the latest request wins
    await app.controller.whenIdle();
    expect(calls.filter((c) => !c.startsWith('readMap'))).toEqual(['explain 3 sf', 'render conv net sf']);
  });

  it('starts a new model at its top class and input layer, unless a link chose them for it', async () => {
    const { app } = setUp();
    addImage(app);
    await app.controller.whenIdle();
    app.store.getState().setTarget(2);
    app.store.getState().setLayer('conv');
    loadModel(app, 9);
    await app.controller.whenIdle();
    expect([app.store.getState().target, app.store.getState().layer]).toEqual([null, null]);
    // Back to an entry naming another model with its class and layer: they stay.
    app.store.getState().setTarget(3);
    app.store.getState().setLayer('logits');
    const key = app.registry.addModelFile(Uint8Array.of(7, 1, 2));
    app.store.getState().requestModel({ kind: 'file', name: 'm7.onnx', key }, null, true);
    await app.controller.whenIdle();
    const s = app.store.getState();
    expect([s.model?.name, s.target, s.layer, s.explanation?.target]).toEqual(['m7.onnx', 3, 'logits', 3]);
    expect(s.requestKeepsView).toBe(false);
  });

  it('keeps the working model when a bad one is given', async () => {
    const { app, engines } = setUp();
    addImage(app);
    await app.controller.whenIdle();
    loadModel(app, 0);
    await app.controller.whenIdle();
    const s = app.store.getState();
    expect(s.errors.map((e) => e.message)).toEqual([
      'The model m0.onnx could not be loaded: not an ONNX model',
    ]);
    expect(s.modelRef).toEqual(s.loadedModelRef);
    expect(engines[1].disposed).toBe(true);
    expect(engines[0].disposed).toBe(false);
    expect(s.rendered.main?.info).not.toBeNull();
  });

  it('drops link values the model lacks, with a message', async () => {
    const { app } = setUp();
    app.store.getState().setLayer('no-such-layer');
    app.store.getState().setTarget(99);
    addImage(app);
    await app.controller.whenIdle();
    const s = app.store.getState();
    expect(s.layer).toBeNull();
    expect(s.target).toBeNull();
    expect(s.errors).toHaveLength(2);
    expect(s.explanation?.target).toBe(1);
  });

  it('lends the engine to a comparison with another rule and restores the main explanation', async () => {
    const { app, engines } = setUp();
    app.controller.attachCanvas('compare', { width: 0, height: 0 } as HTMLCanvasElement);
    app.store.getState().setCompare({ method: 'pane', kind: 'negative', rule: 'ebp', layer: null });
    addImage(app);
    await app.controller.whenIdle();
    expect(engines[0].calls.filter((c) => !c.startsWith('readMap')).slice(2)).toEqual([
      'explain 1 sf',
      'render x net sf',
      'explain 1 ebp',
      'render x negative ebp',
      'explain 1 sf',
    ]);
    expect(app.store.getState().explanation?.options.rule).toBe('sf');
  });

  it('classifies but does not explain a model the chain cannot traverse', async () => {
    const { app, engines } = setUp({ canExplain: false });
    addImage(app);
    await app.controller.whenIdle();
    const s = app.store.getState();
    expect(engines[0].calls.some((c) => c.startsWith('explain'))).toBe(false);
    expect(s.prediction?.top).toHaveLength(4);
    expect(s.explainBlocked).toMatch(/gate \(Sigmoid\)/);
    expect(s.rendered.main?.message).toMatch(/cannot traverse/);
  });
});
