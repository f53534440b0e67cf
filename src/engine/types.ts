/**
 * The one interface between the app (and CLI) and whatever computes the maps: the WebGPU engine, or the
 * ort engine (the float32 chain graph on onnxruntime-web wasm) where WebGPU is missing. The UI never asks which one it has beyond `backend` for a notice.
 *
 * Life cycle: loadModel -> setInput (forward pass, prediction) -> explain (double chain for one class and
 * rule; reuses the forward pass) -> render / readMap for any layer and view (cheap: no chain re-run).
 */
import type { CoverageReport } from '../core/onnx/coverage';
import type { IrGraph } from '../core/onnx/ir';
import type { FinalMapName } from '../core/pane/final-maps';
import type { PaneOptions } from '../core/pane/options';
import type { ColormapName } from '../core/colormap';

export type { ColormapName };

/**
 * The app's engines, named as the CLI's --backend names them: 'webgpu' (WGSL kernels) and 'ort' (the
 * float32 chain graph on onnxruntime). The CLI's third, 'reference', is the float64 oracle.
 */
export type Backend = 'webgpu' | 'ort';

export interface LayerInfo {
  /** ONNX tensor name (unique key; what the share link stores). */
  tensor: string;
  /** Producing node name and op; the graph input has node '' and opType 'Input'. */
  node: string;
  opType: string;
  dims: number[];
}

export interface ModelInfo {
  name: string;
  sha256: string;
  inputName: string;
  /**
   * Concrete dims [N, C, H, W] of the image setInput takes, e.g. [1, 3, 224, 224]: planar channels (what
   * core/preprocess returns) whatever the model's own layout; an NHWC model (TensorFlow via tf2onnx) gets
   * the image transposed to [N, H, W, C] by the engine.
   */
  inputDims: number[];
  numClasses: number;
  /** Chain layers ordered from the input (index 0, the final saliency map) to the logits. */
  layers: LayerInfo[];
  coverage: CoverageReport;
  /** False when the chain cannot traverse the model; it still classifies. */
  canExplain: boolean;
  /** metadata_props of the model (preprocessing hints). */
  metadata: Record<string, string>;
}

export interface ClassScore {
  index: number;
  logit: number;
  prob: number;
}

export interface Prediction {
  /** All class probabilities (softmax of the logits). */
  probs: Float32Array;
  logits: Float32Array;
  top: ClassScore[];
}

/** What a view shows: the double chain maps, or the forward excitation of a layer. */
export type MapKind = 'net' | 'positive' | 'negative' | 'excitation-positive' | 'excitation-negative';

/** Per-layer numbers of one explanation (PANE-SPEC "how this spec maps onto the product"). */
export interface LayerStats {
  tensor: string;
  /** Pearson correlation of the channel-summed positive and negative chain maps. */
  corrPN: number;
  /** |sum R| / sum T over the layer. */
  netRatio: number;
  sumT: number;
  sumR: number;
}

/** What an engine's explain() reports about the explanation it now holds: its figures, not its maps. */
export interface ExplanationStats {
  target: number;
  options: PaneOptions;
  /**
   * Sum of T at the input plus all sinks (the start mass for conserving rules). The engines do not split
   * sinks per node: this is the per-node balance summed over the layers' T (for sf it is the logits' T; an
   * alphabeta node adds (alpha + beta - 1) times its output's T), a bookkeeping figure, not a measurement.
   * Conservation itself is tested against the float64 reference, which tracks every sink.
   */
  fluxAtInputPlusSinks: number;
  mass: number;
  layers: LayerStats[];
  timingsMs: Record<string, number>;
}

/** How views are scaled for display (not the per-layer normalisation of the fused final maps, LayerNormalisation). */
export type DisplayNormalization = 'layer' | 'shared';

export interface ViewSpec {
  layer: string;
  kind: MapKind;
  /** 'layer': each map scaled by its own max; 'shared': net, positive and negative of a layer on one scale. */
  normalization: DisplayNormalization;
  /** Clip |map| at this percentile before scaling (e.g. 99.5), or null. */
  clipPercentile: number | null;
  /** 'auto' picks diverging for signed maps (net) and sequential for non-negative ones. */
  colormap: ColormapName | 'auto';
  /** Display contrast after normalisation: sign(v) |v|^gamma (core/colormap CONTRASTS; 1 = linear). */
  gamma: number;
  /**
   * What the graph input's view shows (core/pane/final-maps.ts): a construction over every layer's maps,
   * or 'pixel', the chain at the pixels. Other layers always show their own maps. Default 'pixel'.
   */
  finalMap?: FinalMapName;
}

/** Scale information for the colour bar: the map value that maps to full colour. */
export interface RenderInfo {
  signed: boolean;
  scale: number;
  colormap: ColormapName;
}

/** A channel-summed map upsampled to the model's input resolution, for export and probing. */
export interface MapData {
  width: number;
  height: number;
  data: Float32Array;
  /** Same data as the view renders (before normalisation). */
  signed: boolean;
}

/** The WebGPU engine's device and the model it holds (state/method-maps.ts, engine/gpu-gradient-maps.ts). */
export interface EngineDevice {
  device: GPUDevice;
  /** Whether the adapter is a software one (SwiftShader). */
  software: boolean;
  /** The loaded model's bytes and its graph as the engine decoded them (null before the first model). */
  model: { bytes: Uint8Array; graph: IrGraph } | null;
}

export interface SaliencyEngine {
  readonly backend: Backend;
  /** Human-readable adapter/backend description for the status line. */
  readonly description: string;
  loadModel(bytes: Uint8Array, name: string): Promise<ModelInfo>;
  /** Runs the forward pass on a preprocessed planar float32 image of ModelInfo.inputDims. */
  setInput(input: Float32Array): Promise<Prediction>;
  /** Runs the double chain for the current input. Throws when the model cannot be explained. */
  explain(options: Partial<PaneOptions>): Promise<ExplanationStats>;
  /** Draws one view into a canvas the engine owns the context of; returns the colour-bar scale. */
  render(canvas: HTMLCanvasElement | OffscreenCanvas, view: ViewSpec): Promise<RenderInfo>;
  /**
   * Reads one view's raw map (before normalisation), bilinearly resampled to `size` (default: the model's
   * input resolution). Small sizes serve the layer strip; the default serves export and probing.
   */
  readMap(
    view: Pick<ViewSpec, 'layer' | 'kind' | 'finalMap'>,
    size?: { width: number; height: number },
  ): Promise<MapData>;
  /**
   * The WebGPU engine's device, on which the page computes the gradient baselines with onnxruntime's webgpu
   * backend; absent or null where there is none (the CPU engine, a lost device, the forward pass on wasm).
   */
  gpuDevice?(): EngineDevice | null;
  dispose(): void;
}
