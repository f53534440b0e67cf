/**
 * The side effects of the app, outside React: it watches what the user asked for in the store and brings
 * the engine there, one step at a time (model -> forward pass -> explanation -> canvases -> layer strip),
 * re-reading the store between steps so that the latest request wins without cancelling engine calls.
 *
 * The requests and their keys are pure functions of the store (requests.ts); the controller only executes
 * them. Each step remembers the key of what it applied; a step runs when the key of the request differs. A
 * failed step records its key too (so it is not retried in a loop) and leaves the previous results in
 * place. A new model gets a new engine, swapped in only once the model has loaded, so a bad model never
 * costs the one that works.
 */
import { clampCrop, defaultCrop, preprocess, type PreprocessSpec } from '../core/preprocess';
import { defaultLabels, shortLabel } from '../core/labels';
import type { EvaluationSnapshot } from '../engine/evaluator';
import type { EngineDevice, MapData, ModelInfo, SaliencyEngine, ViewSpec } from '../engine/types';
import { inputPreview } from './input-preview';
import { cacheModel, forgetCachedModel } from './model-cache';
import { checkImageClassifier, modelBytes, modelRefKey, modelRefName } from './model-source';
import { Mutex } from './mutex';
import type { PixelRegistry } from './registry';
import { quote } from './share-codec';
import type { CanvasSlot } from './slices/result-slice';
import type { AppState, AppStore } from './store';
import { CatchUp } from './catch-up';
import { describeError, UserError } from './user-error';
import { checkExplanation, checkInput, checkPrediction } from './finite-guards';
import {
  compareRequest,
  explainRequest,
  inputRequest,
  mainRequest,
  stripKey,
  type ExplainRequest,
  type InputRequest,
  type ViewRequest,
} from './requests';
import { VIEW_SETTING_NAMES } from './view-settings';

export interface EngineOptions {
  disableWebGpu?: boolean;
  onDeviceLost?: (msg: string) => void;
}

export type EngineFactory = (opts: EngineOptions) => Promise<SaliencyEngine>;

export interface ControllerOptions {
  createEngine: EngineFactory;
  /** Use the ort engine even where WebGPU exists (the `?backend=ort` flag). */
  disableWebGpu: boolean;
}

/** Side of the layer-strip thumbnails, in map pixels. */
const THUMBNAIL_SIZE = 48;
/** Thumbnails read per step, so that a scrub in between is not kept waiting for the whole strip. */
const THUMBNAILS_PER_STEP = 6;
/** After this many lost devices the app stops asking the GPU and uses the ort engine. */
const MAX_DEVICE_RESTARTS = 2;

interface Applied {
  model: string;
  input: string;
  /** The explanation the engine holds (the compare pane may borrow the engine for another rule). */
  engineExplain: string;
  main: string;
  compare: string;
  strip: string;
}

const EMPTY_APPLIED: Applied = { model: '', input: '', engineExplain: '', main: '', compare: '', strip: '' };

export class AppController {
  private engine: SaliencyEngine | null = null;
  private generation = 0;
  private deviceRestarts = 0;
  private disableWebGpu: boolean;
  private applied: Applied = { ...EMPTY_APPLIED };
  /** The explanation whose results the store shows (the main pane's). */
  private shownExplain = '';
  private readonly canvases = new Map<CanvasSlot, { canvas: HTMLCanvasElement; serial: number }>();
  private canvasSerial = 0;
  private stripPending: string[] = [];
  /** The strip's next maps, shown once all are read (stepStrip). */
  private readonly stripStaged = new Map<string, MapData | null>();
  private readonly lock = new Mutex();
  /** The loaded model's file and the last preprocessed input: what the Evaluate panel scores. */
  private modelFile: Uint8Array | null = null;
  private lastInput: { key: string; tensor: Float32Array; spec: PreprocessSpec } | null = null;
  private readonly catchUp: CatchUp;

  constructor(
    private readonly store: AppStore,
    readonly registry: PixelRegistry,
    private readonly options: ControllerOptions,
  ) {
    this.disableWebGpu = options.disableWebGpu;
    this.catchUp = new CatchUp(
      store,
      requestFields,
      async () => {
        while (await this.step()) {
          // Each step re-reads the store: the latest request wins.
        }
      },
      () => this.reportReady(),
    );
  }

  /** Starts watching the store; returns the function that stops it. */
  start(): () => void {
    return this.catchUp.start();
  }

  /** The UI registers the canvases the engine draws into. */
  attachCanvas(slot: CanvasSlot, canvas: HTMLCanvasElement): void {
    this.canvases.set(slot, { canvas, serial: ++this.canvasSerial });
    this.applied[slot] = '';
    this.schedule();
  }

  detachCanvas(slot: CanvasSlot, canvas: HTMLCanvasElement): void {
    if (this.canvases.get(slot)?.canvas !== canvas) return;
    this.canvases.delete(slot);
    this.applied[slot] = '';
    this.store.getState().setRendered(slot, null);
  }

  /** The canvas the engine last drew a slot into (for the PNG export). */
  canvas(slot: CanvasSlot): HTMLCanvasElement | null {
    return this.canvases.get(slot)?.canvas ?? null;
  }

  /** Resolves once every requested step has run. */
  whenIdle(): Promise<void> {
    return this.catchUp.whenIdle();
  }

  /** A view's raw map for export and tests, read after the pending steps (the engine holds the main explanation). */
  async readMap(
    view: Pick<ViewSpec, 'layer' | 'kind' | 'finalMap'>,
    size?: { width: number; height: number },
  ): Promise<MapData> {
    await this.whenIdle();
    const engine = this.engine;
    if (!engine) throw new UserError('No model is loaded.');
    return this.lock.run(() => engine.readMap(view, size));
  }

  /** PANE's map as shown: the final-map construction of the view, at the input's resolution. */
  async readPaneMap(): Promise<MapData> {
    const { model, finalMap } = this.store.getState();
    if (!model) throw new UserError('No model is loaded.');
    return this.readMap({ layer: model.layers[0].tensor, kind: 'net', finalMap });
  }

  /** The WebGPU engine's device for the gradient baselines (state/method-maps.ts), or null. */
  gpuDevice(): EngineDevice | null {
    return this.engine?.gpuDevice?.() ?? null;
  }

  /**
   * What the Evaluate panel needs of the explanation on screen: the model file, the preprocessed input, the
   * class, and a reader of the map (which refuses once the screen shows another explanation). Null while
   * there is no explanation.
   */
  evaluationSnapshot(): {
    snapshot: EvaluationSnapshot;
    spec: PreprocessSpec;
    /** Model, input and class: what a baseline's map depends on (not the rule or head). */
    baselineKey: string;
  } | null {
    const s = this.store.getState();
    const explanation = s.explanation;
    const model = s.model;
    const input = this.lastInput;
    if (!explanation || !model || !this.modelFile || !input) return null;
    if (!explanation.key.startsWith(`${input.key}|`)) return null;
    const [, C, H, W] = model.inputDims;
    const key = explanation.key;
    return {
      spec: input.spec,
      baselineKey: `${this.applied.model}|${input.key}|${explanation.target}`,
      snapshot: {
        modelKey: this.applied.model,
        modelBytes: this.modelFile,
        image: {
          key,
          x: input.tensor,
          geo: { C, H, W },
          norm: { mean: input.spec.mean.slice(0, C), std: input.spec.std.slice(0, C) },
          target: explanation.target,
        },
        paneMap: async () => {
          const map = await this.readPaneMap();
          if (this.store.getState().explanation?.key !== key)
            throw new UserError('The explanation changed while the evaluation started; run it again.');
          return map.data;
        },
      },
    };
  }

  private schedule(): void {
    this.catchUp.schedule();
  }

  /** Runs the first step whose request differs from what was applied; false when everything is applied. */
  private async step(): Promise<boolean> {
    const s = this.store.getState();
    const modelKey = modelRefKey(s.modelRef);
    if (modelKey !== this.applied.model) {
      await this.loadModel(s, modelKey);
      return true;
    }
    const model = s.model;
    if (!this.engine || !model) return false;
    if (this.dropValuesTheModelLacks(s, model)) return true;

    const image = s.images.find((i) => i.id === s.currentImageId);
    if (!image) return false;
    const input = inputRequest(s, image, model, this.generation);
    if (input.key !== this.applied.input) {
      await this.runForward(input);
      return true;
    }
    const prediction = s.prediction;
    if (!prediction || prediction.inputKey !== input.key) return false;

    const explain = explainRequest(s, model, input.key, prediction, s.rule);
    if (explain.key !== this.shownExplain || explain.key !== this.applied.engineExplain) {
      await this.runExplain(explain, true);
      return true;
    }
    if (!s.explanation && !explain.blocked) return false;

    const mainCanvas = this.canvases.get('main');
    const main = mainCanvas && mainRequest(s, model, explain, mainCanvas.serial);
    if (main && main.key !== this.applied.main) {
      await this.render('main', main);
      return true;
    }
    const compareCanvas = this.canvases.get('compare');
    const compare = compareCanvas && compareRequest(s, model, input.key, prediction, compareCanvas.serial);
    if (compare && compare.key !== this.applied.compare) {
      // A different rule borrows the engine; the next step restores the main explanation.
      if (compare.explain.key !== this.applied.engineExplain) await this.runExplain(compare.explain, false);
      await this.render('compare', compare);
      return true;
    }
    return explain.blocked ? false : this.stepStrip(s, model, explain.key);
  }

  private async loadModel(s: AppState, key: string): Promise<void> {
    const ref = s.modelRef;
    const name = modelRefName(ref);
    const t0 = performance.now();
    s.setPhase('loading-model', `Loading ${name}`);
    let candidate: SaliencyEngine | null = null;
    let fetched: { bytes: Uint8Array; fromCache: boolean } | null = null;
    try {
      const { bytes, fromCache } = await modelBytes(ref, this.registry, (loaded, total) => {
        s.setDownload({ loaded, total });
        s.setDetail(`Downloading ${name}: ${mib(loaded)}${total ? ` of ${mib(total)}` : ''} MB`);
      });
      fetched = { bytes, fromCache };
      s.setDownload(null);
      s.setDetail(
        `Preparing ${name} (${mib(bytes.length)} MB${fromCache ? ', kept from an earlier download' : ''})`,
      );
      const generation = this.generation + 1;
      candidate = await this.options.createEngine({
        disableWebGpu: this.disableWebGpu,
        onDeviceLost: (msg) => this.deviceLost(generation, msg),
      });
      const engine = candidate;
      const info = await this.lock.run(() => engine.loadModel(bytes, name));
      const problem = checkImageClassifier(info);
      if (problem) throw new UserError(problem);
      candidate = null;
      this.swapEngine(engine, generation, info, key);
      this.modelFile = bytes;
      this.store.getState().recordTiming('model', performance.now() - t0);
      // Only a model the engine accepted is kept, so a refused or broken file is fetched afresh next time.
      // Storing it (hundreds of MB for the largest) must not hold up the first explanation: not awaited.
      if (ref.kind === 'url' && !fromCache)
        void cacheModel(ref.url, bytes).then((kept) => kept && this.store.getState().modelCacheChanged());
    } catch (e) {
      s.setDownload(null);
      candidate?.dispose();
      if (ref.kind === 'url' && fetched?.fromCache) {
        await forgetCachedModel(ref.url);
        s.modelCacheChanged();
      }
      s.pushError(describeError(`The model ${name} could not be loaded`, e));
      if (this.store.getState().loadedModelRef) this.store.getState().modelFailed();
      else this.applied.model = key; // nothing to fall back to: do not retry in a loop
    }
  }

  private swapEngine(engine: SaliencyEngine, generation: number, info: ModelInfo, key: string): void {
    const hadModel = this.engine !== null;
    this.engine?.dispose();
    this.engine = engine;
    this.generation = generation;
    this.applied = { ...EMPTY_APPLIED, model: key };
    this.shownExplain = '';
    const s = this.store.getState();
    const keepsView = s.requestKeepsView;
    this.registry.releaseModelFiles(s.modelRef.kind === 'file' ? s.modelRef.key : null);
    // Another model's small maps mean nothing here, even under a layer name the two models share.
    this.registry.thumbnails.clear();
    this.stripStaged.clear();
    s.bumpStrip();
    s.setEngineInfo({ generation, backend: engine.backend, description: engine.description });
    s.setNotice(
      engine.backend === 'ort'
        ? 'WebGPU is not available here (or was turned off): onnxruntime computes the maps on the CPU, more slowly.'
        : null,
    );
    s.modelLoaded(s.modelRef, info, defaultLabels(info.numClasses));
    s.setPrediction(null);
    s.setExplanation(null);
    s.setRendered('main', null);
    s.setRendered('compare', null);
    if (hadModel && !keepsView) {
      // Class and layers of the previous model mean nothing for this one (a link's were chosen for it, and
      // are checked against it by dropValuesTheModelLacks).
      s.setTarget(null);
      s.setLayer(null);
      if (s.compare) s.setCompare({ ...s.compare, layer: null });
    }
  }

  private deviceLost(generation: number, message: string): void {
    if (generation !== this.generation) return;
    const s = this.store.getState();
    try {
      this.engine?.dispose();
    } catch {
      // A lost device may refuse to release its resources; they go with it anyway.
    }
    this.engine = null;
    this.deviceRestarts++;
    if (this.deviceRestarts > MAX_DEVICE_RESTARTS) this.disableWebGpu = true;
    s.pushError(
      `The GPU device was lost (${quote(message, 200)}); restarting the engine` +
        (this.disableWebGpu ? ' on the CPU.' : '.'),
    );
    this.applied = { ...EMPTY_APPLIED };
    this.schedule();
  }

  /** Link values (layer, class) are checked once the model is known; unknown ones fall back to defaults. */
  private dropValuesTheModelLacks(s: AppState, model: ModelInfo): boolean {
    const hasLayer = (t: string) => model.layers.some((l) => l.tensor === t);
    let changed = false;
    if (s.layer !== null && !hasLayer(s.layer)) {
      s.pushError(`Layer "${quote(s.layer)}" is not in ${model.name}; showing the input layer.`);
      s.setLayer(null);
      changed = true;
    }
    if (s.compare?.layer && !hasLayer(s.compare.layer)) {
      s.pushError(
        `Layer "${quote(s.compare.layer)}" is not in ${model.name}; the comparison follows the main layer.`,
      );
      s.setCompare({ ...s.compare, layer: null });
      changed = true;
    }
    if (s.target !== null && s.target >= model.numClasses) {
      s.pushError(
        `Class ${s.target} does not exist (${model.name} has ${model.numClasses}); explaining the top class.`,
      );
      s.setTarget(null);
      changed = true;
    }
    return changed;
  }

  private async runForward(input: InputRequest): Promise<void> {
    const s = this.store.getState();
    const engine = this.engine!;
    const rgba = this.registry.image(input.image.id);
    this.applied.input = input.key;
    if (!rgba) return;
    const first = this.applied.engineExplain === '' && s.prediction === null;
    s.setPhase(
      'forward',
      first ? 'Running the model (the first run compiles the GPU shaders)' : 'Running the model',
    );
    const t0 = performance.now();
    try {
      const crop = clampCrop(
        s.crops[input.image.id] ?? defaultCrop(rgba.width, rgba.height, input.spec),
        rgba.width,
        rgba.height,
      );
      const tensor = preprocess(rgba, input.spec, crop);
      checkInput(tensor);
      this.lastInput = { key: input.key, tensor, spec: input.spec };
      this.registry.inputPreview = inputPreview(tensor, input.spec);
      s.bumpInput();
      const prediction = await this.lock.run(() => engine.setInput(tensor));
      checkPrediction(prediction);
      s.setPrediction({
        inputKey: input.key,
        top: prediction.top.slice(0, 5),
        probs: Array.from(prediction.probs),
      });
      s.recordTiming('forward', performance.now() - t0);
    } catch (e) {
      s.setPrediction(null);
      s.pushError(describeError('The model could not run on this image', e));
    }
  }

  private async runExplain(request: ExplainRequest, forMain: boolean): Promise<void> {
    const s = this.store.getState();
    const engine = this.engine!;
    this.applied.engineExplain = request.key;
    if (forMain) this.shownExplain = request.key;
    if (request.blocked) {
      if (forMain) s.setExplanation(null, request.blocked);
      return;
    }
    const label = s.labels[request.options.target] ?? `class ${request.options.target}`;
    s.setPhase(
      'explaining',
      `Double chain for "${shortLabel(label)}" (rule ${request.options.rule}, head ${request.options.head})` +
        (forMain ? '' : ' for the comparison'),
    );
    const t0 = performance.now();
    try {
      const summary = await this.lock.run(() => engine.explain(request.options));
      checkExplanation(summary);
      if (forMain) {
        s.setExplanation({
          key: request.key,
          target: summary.target,
          options: summary.options,
          layers: summary.layers,
          mass: summary.mass,
          fluxAtInputPlusSinks: summary.fluxAtInputPlusSinks,
          timingsMs: summary.timingsMs,
        });
      }
      s.recordTiming('explain', performance.now() - t0);
    } catch (e) {
      const message = describeError('The explanation failed', e);
      if (forMain) s.setExplanation(null, message);
      s.pushError(message);
    }
  }

  private async render(slot: CanvasSlot, request: ViewRequest): Promise<void> {
    const s = this.store.getState();
    const engine = this.engine!;
    const attached = this.canvases.get(slot)!;
    this.applied[slot] = request.key;
    if (request.explain.blocked) {
      s.setRendered(slot, {
        key: request.key,
        layer: request.view.layer,
        info: null,
        message: request.explain.blocked,
      });
      return;
    }
    const [, , height, width] = s.model!.inputDims;
    if (attached.canvas.width !== width) attached.canvas.width = width;
    if (attached.canvas.height !== height) attached.canvas.height = height;
    const t0 = performance.now();
    try {
      const info = await this.lock.run(() => engine.render(attached.canvas, request.view));
      s.setRendered(slot, { key: request.key, layer: request.view.layer, info, message: null });
      s.recordTiming('render', performance.now() - t0);
    } catch (e) {
      const message = describeError('This view cannot be drawn', e);
      s.setRendered(slot, { key: request.key, layer: request.view.layer, info: null, message });
    }
  }

  /**
   * Reads the small maps of every layer, a few per step, for the current view kind. The strip keeps showing
   * the previous maps until every new one is read, then swaps them in at once: no flash of empty
   * thumbnails when the chain changes, and never a strip mixing two views.
   */
  private async stepStrip(s: AppState, model: ModelInfo, explainKey: string): Promise<boolean> {
    const key = stripKey(s, explainKey);
    if (key !== this.applied.strip) {
      this.applied.strip = key;
      this.stripStaged.clear();
      this.stripPending = model.layers.map((l) => l.tensor);
      return true;
    }
    if (this.stripPending.length === 0) return false;
    const engine = this.engine!;
    const batch = this.stripPending.splice(0, THUMBNAILS_PER_STEP);
    const size = { width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE };
    await this.lock.run(async () => {
      for (const layer of batch) {
        try {
          this.stripStaged.set(layer, await engine.readMap({ layer, kind: s.kind }, size));
        } catch {
          // Some views do not exist at some layers (e.g. no excitation at a Relu): the strip shows a blank.
          this.stripStaged.set(layer, null);
        }
      }
    });
    if (this.stripPending.length === 0) {
      this.registry.thumbnails.clear();
      for (const [layer, map] of this.stripStaged) this.registry.thumbnails.set(layer, map);
      this.stripStaged.clear();
      s.bumpStrip();
    }
    return true;
  }

  private reportReady(): void {
    const s = this.store.getState();
    const t = s.timings;
    const parts = [
      t.model !== undefined && `model ${seconds(t.model)}`,
      t.forward !== undefined && `forward ${seconds(t.forward)}`,
      t.explain !== undefined && `explanation ${seconds(t.explain)}`,
      t.render !== undefined && `render ${seconds(t.render)}`,
    ].filter(Boolean);
    s.setPhase('ready', parts.length ? `Ready · ${parts.join(' · ')}` : 'Ready');
  }
}

/** The fields whose change may need engine work. */
function requestFields(s: AppState) {
  return [
    s.modelRef,
    s.currentImageId,
    s.crops,
    s.preprocess,
    s.target,
    s.layer,
    s.compare,
    ...VIEW_SETTING_NAMES.map((name) => s[name]),
  ];
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
