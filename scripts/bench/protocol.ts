/**
 * What the benchmark driver (Node, scripts/bench.ts) asks the bench page (headless Chromium) and what the
 * page answers: plain data, since it crosses Playwright's evaluate boundary.
 */

/** Where the bench server serves the replicas of scripts/fixtures/build-replicas.ts. */
export const REPLICA_URL = '/replicas/';

/** How long repetitions go on: at most `maxIterations`, and none started after `budgetMs`. */
export interface RepeatBudget {
  maxIterations: number;
  budgetMs: number;
}

export type FeatureLevel = 'core' | 'compatibility';

export interface GpuBenchRequest extends RepeatBudget {
  model: string;
  /** Where the page fetches the ONNX file (served by scripts/bench/vite.bench.config.ts). */
  url: string;
  featureLevel: FeatureLevel;
  /** The preprocessed image, planar [1, 3, 224, 224]. */
  input: number[];
}

export interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  featureLevel: FeatureLevel;
  maxStorageBufferBindingSize: number;
  hasTimestampQuery: boolean;
}

/** Medians over the timed repetitions, in milliseconds. */
export interface GpuBenchResult {
  model: string;
  adapter: AdapterReport;
  engineDescription: string;
  /** onnxruntime-web alone on the same device: logits only, default session options. */
  ortForwardMs: number;
  /** Fetch excluded: engine.loadModel (onnxruntime session, plan, weight upload). */
  loadMs: number;
  /** The first setInput + explain: compiles every pipeline. */
  firstExplanationMs: number;
  /** setInput's forward pass (onnxruntime with every chain tensor exposed). */
  engineForwardMs: number;
  excitationMs: number;
  chainMs: number;
  mapsMs: number;
  /** setInput + explain, wall clock. */
  totalMs: number;
  /** engine.render of another layer or chain view, the UI's cost of switching. */
  switchViewMs: number;
  /** engine.render of the input with a final-map construction not shown before (median over them). */
  switchFinalNewMs: number;
  /** The same construction shown again, after another one (median over them). */
  switchFinalShownMs: number;
  /** Per construction other than the default and 'pixel': both switches. */
  finalMapSwitches: { name: string; newMs: number; shownMs: number }[];
  iterations: number;
  /** Bytes read back per explanation (setInput + explain), from the engine's readback ledger. */
  readbackBytes: number;
}

/**
 * The in-page CPU engine (the app's fallback without WebGPU): 'engine' is the app's OrtEngine (a worker,
 * onnxruntime-web's default thread count); 'main-thread' runs CpuCompute on the page with `threads` wasm
 * threads, what the wasm build can do once the page is cross-origin isolated.
 */
export interface PageCpuRequest extends RepeatBudget {
  model: string;
  url: string;
  input: number[];
  mode: 'engine' | 'main-thread';
  /** 'main-thread' only: onnxruntime-web's env.wasm.numThreads (0: navigator.hardwareConcurrency). */
  threads?: number;
}

export interface PageCpuResult {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** The wasm threads onnxruntime-web runs with (its default where the request names none). */
  wasmThreads: number;
  loadMs: number;
  firstExplanationMs: number;
  /** Medians: setInput (forward with the chain's values exposed), explain (chain and statistics), both. */
  forwardMs: number;
  explainMs: number;
  totalMs: number;
  iterations: number;
}
