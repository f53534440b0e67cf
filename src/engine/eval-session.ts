/**
 * The Evaluate panel's work on one model and image, runtime-agnostic so that it runs in the evaluation
 * worker (the app) and in Node (tests): deletion and insertion curves of one method at a time, point by
 * point, and the perturbed image at any fraction, scored in batches by onnxruntime (wasm). The maps of the
 * baselines come from core/baselines, as in `panescope evaluate`, with the gradient-type ones on the
 * compiled float32 gradient graph where the model compiles (eval-gradients.ts) and the float64 adjoints
 * otherwise; PANE's map is the one the app shows, handed in by the page (setMap). Curves use the spec's
 * substrates and the same composition as the CLI, so a point here equals the CLI's point at the same
 * pixel count.
 */
import {
  computeMethods,
  DEFAULT_METHOD_SETTINGS,
  extraGradients,
  SharedWork,
  type ExplainedImage,
  type MethodId,
} from '../core/baselines/methods';
import { curveCounts } from '../core/eval/curves';
import { explainedImage } from '../core/eval/evaluate-image';
import {
  CURVE_ORDER,
  curveEnds,
  substrateCache,
  type CurveKind,
  type Predictor,
} from '../core/eval/map-metrics';
import { pixelOrder } from '../core/eval/ranking';
import { DEFAULT_METRIC_SETTINGS } from '../core/eval/settings';
import { CurveImages, type ImageGeometry, type InputScaling, type Substrate } from '../core/eval/substrate';
import type { IrGraph } from '../core/onnx/ir';
import { imageInput, toModelLayout, type ImageInput } from '../core/onnx/layout';
import { softmax } from '../core/pane/heads';
import type { GradientRunner } from './cpu-graph/gradient-runner';
import { BASELINE_SEED, compiledComputes, countingGradients } from './compiled-baselines';
import { CompiledGradients } from './eval-gradients';

/** The map the page computed (the explanation on screen), or a baseline the session computes. */
export type EvaluationMethod = 'pane' | MethodId;

export interface EvaluationImage {
  /** Changes whenever the input, the class or the shown explanation changes. */
  key: string;
  /** Preprocessed input, [C, H, W] planes (the model's normalised space). */
  x: Float32Array;
  geo: ImageGeometry;
  norm: InputScaling;
  target: number;
}

export interface CurvePoint {
  /** Fraction of the pixels removed (deletion) or inserted (insertion). */
  fraction: number;
  /** p(target) of the perturbed image. */
  probability: number;
}

/** How far a baseline's map is: gradients computed of those it needs. */
export interface MapProgress {
  done: number;
  total: number;
}

/** Perturbed images per onnxruntime call: small, so that points reach the chart while the curve grows. */
export const LIVE_BATCH = 4;
/** Baselines that need no model at all. */
const CONTROLS: ReadonlySet<MethodId> = new Set(['random', 'centre']);

export class StaleImageError extends Error {
  constructor() {
    super('The image or explanation changed while the evaluation ran; run it again.');
  }
}

interface ImageState {
  image: EvaluationImage;
  x64: Float64Array;
  substrate: (kind: Substrate) => Float64Array;
  /** Each method's map, computed (or handed in) once. */
  maps: Map<EvaluationMethod, Promise<Float64Array>>;
  /** Its pixel orders, by `${method}:${rank key}`. */
  orders: Map<string, Int32Array>;
  explained?: { img: ExplainedImage; shared: SharedWork; compiled?: CompiledGradients };
}

export class EvaluationSession {
  private image: ImageState | null = null;
  private readonly input: ImageInput;

  /**
   * `predict` takes inputs in the model's layout; `gradients` (optional) is the compiled gradient graph of
   * `g` with the model's bytes, for the gradient-type baselines.
   */
  constructor(
    private readonly g: IrGraph,
    private readonly predict: Predictor,
    private readonly gradients: GradientRunner | null = null,
  ) {
    this.input = imageInput(g);
  }

  setImage(image: EvaluationImage): void {
    if (this.image?.image.key === image.key) return;
    const x64 = Float64Array.from(image.x);
    const settings = DEFAULT_METRIC_SETTINGS;
    this.image = {
      image,
      x64,
      substrate: substrateCache({ x: x64, geo: image.geo, norm: image.norm }, settings),
      maps: new Map(),
      orders: new Map(),
    };
  }

  /** The page's map of `method` (H x W, at the input resolution) for image `key`. */
  setMap(key: string, method: EvaluationMethod, map: Float32Array): void {
    const state = this.current(key);
    const { H, W } = state.image.geo;
    if (map.length !== H * W) throw new Error(`map of ${map.length} pixels for a ${W} x ${H} input`);
    state.maps.set(method, Promise.resolve(Float64Array.from(map)));
  }

  /**
   * A baseline's map (H x W at the input resolution) for image `key`, as the curves use it; the
   * many-gradient methods (IG, SmoothGrad) report each gradient through `onProgress`.
   */
  async baseline(
    key: string,
    method: MethodId,
    onProgress: (p: MapProgress) => void = () => {},
  ): Promise<Float32Array> {
    const state = this.current(key);
    return Float32Array.from(await this.map(state, method, onProgress));
  }

  hasMap(key: string, method: EvaluationMethod): boolean {
    return this.image?.image.key === key && this.image.maps.has(method);
  }

  /**
   * The curve of `method` with `steps` equal steps (steps + 1 points), reported in batches as they are
   * scored; stops early (without error) once `cancelled()` says so.
   */
  async curve(
    key: string,
    method: EvaluationMethod,
    kind: CurveKind,
    steps: number,
    onPoints: (points: CurvePoint[]) => void,
    cancelled: () => boolean,
  ): Promise<void> {
    const state = this.current(key);
    const order = await this.order(state, method, kind);
    const total = state.image.geo.H * state.image.geo.W;
    const counts = curveCounts(total, Math.max(1, Math.ceil(total / steps)));
    // Each image made from the one before (the CLI's evaluateMap does the same).
    const images = this.images(state, order, kind);
    for (let i = 0; i < counts.length && !cancelled(); i += LIVE_BATCH) {
      const chunk = counts.slice(i, i + LIVE_BATCH);
      const probabilities = await this.score(
        state,
        chunk.map((count) => images.at(count)),
      );
      if (cancelled()) return;
      onPoints(chunk.map((count, k) => ({ fraction: count / total, probability: probabilities[k] })));
    }
  }

  /** The model input with `fraction` of the pixels removed or inserted in `method`'s order, and p(target). */
  async perturbed(
    key: string,
    method: EvaluationMethod,
    kind: CurveKind,
    fraction: number,
  ): Promise<{ input: Float32Array; probability: number }> {
    const state = this.current(key);
    const order = await this.order(state, method, kind);
    const total = state.image.geo.H * state.image.geo.W;
    const count = Math.round(Math.min(1, Math.max(0, fraction)) * total);
    const input = this.images(state, order, kind).at(count);
    const [probability] = await this.score(state, [input]);
    return { input, probability };
  }

  private current(key: string): ImageState {
    if (!this.image || this.image.image.key !== key) throw new StaleImageError();
    return this.image;
  }

  /** The images of one curve: `kind`'s ends with the pixels changed in `order`. */
  private images(state: ImageState, order: Int32Array, kind: CurveKind): CurveImages {
    const { base, fill } = curveEnds(kind, state.x64, state.substrate, DEFAULT_METRIC_SETTINGS);
    return new CurveImages(base, fill, order, state.image.geo);
  }

  private async score(state: ImageState, inputs: Float32Array[]): Promise<number[]> {
    const logits = await this.predict(inputs.map((x) => toModelLayout(x, this.input)));
    return logits.map((l) => softmax(l)[state.image.target]);
  }

  private async order(state: ImageState, method: EvaluationMethod, kind: CurveKind): Promise<Int32Array> {
    const key = `${method}:${CURVE_ORDER[kind]}`;
    let order = state.orders.get(key);
    if (!order) {
      order = pixelOrder(await this.map(state, method), CURVE_ORDER[kind]);
      state.orders.set(key, order);
    }
    return order;
  }

  private map(
    state: ImageState,
    method: EvaluationMethod,
    onProgress: (p: MapProgress) => void = () => {},
  ): Promise<Float64Array> {
    let map = state.maps.get(method);
    if (!map) {
      if (method === 'pane') throw new Error('the explanation map has not been handed to the evaluation');
      map = this.baselineMap(state, method, onProgress);
      state.maps.set(method, map);
      // A failed map is not cached: a later request tries again.
      map.catch(() => state.maps.delete(method));
    }
    return map;
  }

  /** One map of a baseline (the random control: its first seed). */
  private async baselineMap(
    state: ImageState,
    method: MethodId,
    onProgress: (p: MapProgress) => void,
  ): Promise<Float64Array> {
    // The baselines' channel reductions read planar [1, C, H, W] tensors.
    if (this.input.layout !== 'NCHW' && !CONTROLS.has(method))
      throw new Error(
        `this panel computes baselines for NCHW models only (this one takes ${this.input.layout})`,
      );
    const { image, x64 } = state;
    if (!state.explained) {
      const { C, H, W } = image.geo;
      const img = explainedImage(
        this.g,
        { dims: [1, C, H, W], data: x64 },
        image.norm,
        BASELINE_SEED,
        image.target,
      );
      const compiled = this.gradients
        ? new CompiledGradients(this.gradients, image.x, image.target, img.values)
        : undefined;
      state.explained = { img, shared: new SharedWork(img, DEFAULT_METHOD_SETTINGS), compiled };
    }
    const { img, shared, compiled } = state.explained;
    // Grad-CAM takes the float64 adjoints where the compiled graph does not reach its layer.
    const useCompiled = this.gradients !== null && compiledComputes(this.g, this.gradients, method);
    const grads = countingGradients(
      compiled && useCompiled ? compiled : shared,
      extraGradients(method, DEFAULT_METHOD_SETTINGS),
      onProgress,
    );
    const out = await computeMethods([method], img, DEFAULT_METHOD_SETTINGS, undefined, shared, grads);
    return out.get(method)!.maps[0];
  }
}
