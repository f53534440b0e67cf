/**
 * The bench page (headless Chromium, served by Vite): one model on one adapter per call of
 * `window.panescopeBench.run`. It times onnxruntime-web alone (the forward pass a classifier pays), then the
 * GPU engine with its phase profiling on: load, a first explanation that compiles every pipeline, timed
 * repetitions of setInput + explain, renders of views not shown before (the UI's switch cost), and switches
 * of the final map (docs/final-maps.md), to a construction not shown before and to one already shown.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { DEFAULT_FINAL_MAP, FINAL_MAP_NAMES } from '../../src/core/pane/final-maps';
import { CpuCompute } from '../../src/engine/cpu-compute';
import { OrtEngine } from '../../src/engine/ort-engine';
import { GpuEngine } from '../../src/engine/gpu-engine';
import type { ViewSpec } from '../../src/engine/types';
import { GpuContext } from '../../src/gpu/context';
import type {
  AdapterReport,
  FeatureLevel,
  GpuBenchRequest,
  GpuBenchResult,
  PageCpuRequest,
  PageCpuResult,
} from './protocol';
import { median, timed } from './timing';

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function adapterReport(gpu: GpuContext, featureLevel: FeatureLevel): AdapterReport {
  return {
    ...gpu.adapter,
    featureLevel,
    maxStorageBufferBindingSize: gpu.device.limits.maxStorageBufferBindingSize,
    hasTimestampQuery: gpu.device.features.has('timestamp-query'),
  };
}

/**
 * onnxruntime-web's forward pass on `device`, the logits read back: graph optimisations on, NCHW kernels as
 * in the engine's session (src/runtime: the default NHWC ones compute some grouped Convs wrongly in 1.30,
 * and they were slower on both software adapters).
 */
async function ortForward(bytes: Uint8Array, device: GPUDevice, req: GpuBenchRequest): Promise<number> {
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [
      { name: 'webgpu', device, preferredLayout: 'NCHW' } as ort.InferenceSession.ExecutionProviderConfig,
    ],
  });
  try {
    const feed = {
      [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(req.input), [1, 3, 224, 224]),
    };
    const run = async () => {
      const out = await session.run(feed);
      await out[session.outputNames[0]].getData();
    };
    // The first run compiles onnxruntime's shaders.
    await run();
    const times: number[] = [];
    const start = performance.now();
    do times.push((await timed(run))[1]);
    while (times.length < req.maxIterations && performance.now() - start < req.budgetMs / 4);
    return median(times);
  } finally {
    await session.release();
  }
}

/** Views for the switch measurement: the final map and two inner layers, each chain. */
function switchViews(layers: string[]): ViewSpec[] {
  const picks = [
    layers[0],
    layers[Math.floor(layers.length / 3)],
    layers[Math.floor((2 * layers.length) / 3)],
  ];
  return picks.flatMap((layer) =>
    (['net', 'positive', 'negative'] as const).map((kind) => ({
      layer,
      kind,
      normalization: 'layer' as const,
      clipPercentile: 99.5,
      colormap: 'auto' as const,
      gamma: 1,
    })),
  );
}

/**
 * Switching the final map (issue 10: a view change, no forward pass and no chain rerun). The input's view
 * with the default construction comes first: the app opens on it, and it compiles the fuse kernels. Then
 * every other construction twice: first not shown before (its kernels run over the layer maps already in
 * GPU memory, then the map is resampled and coloured; fused-rank compiles its own kernel), then again, when
 * only the resampling and colouring run. 'pixel' is the input's own net view, timed with the layer views.
 */
async function finalMapSwitches(
  engine: GpuEngine,
  canvas: OffscreenCanvas,
  input: string,
): Promise<Pick<GpuBenchResult, 'switchFinalNewMs' | 'switchFinalShownMs' | 'finalMapSwitches'>> {
  const view = (finalMap: (typeof FINAL_MAP_NAMES)[number]): ViewSpec => ({
    layer: input,
    kind: 'net',
    finalMap,
    normalization: 'layer',
    clipPercentile: 99.5,
    colormap: 'auto',
    gamma: 1,
  });
  await engine.render(canvas, view(DEFAULT_FINAL_MAP));
  const names = FINAL_MAP_NAMES.filter((n) => n !== DEFAULT_FINAL_MAP && n !== 'pixel');
  const switches: GpuBenchResult['finalMapSwitches'] = [];
  for (const name of names) {
    const [, newMs] = await timed(() => engine.render(canvas, view(name)));
    // Away and back, as a user compares two maps: the second visit finds the construction computed.
    await engine.render(canvas, view(DEFAULT_FINAL_MAP));
    const [, shownMs] = await timed(() => engine.render(canvas, view(name)));
    switches.push({ name, newMs, shownMs });
  }
  return {
    switchFinalNewMs: median(switches.map((s) => s.newMs)),
    switchFinalShownMs: median(switches.map((s) => s.shownMs)),
    finalMapSwitches: switches,
  };
}

async function run(req: GpuBenchRequest): Promise<GpuBenchResult> {
  const bytes = await fetchBytes(req.url);
  const gpu = await GpuContext.acquire({ featureLevel: req.featureLevel });
  const adapter = adapterReport(gpu, req.featureLevel);
  // Headless Chromium cannot present WebGPU canvases on either software adapter (the device is destroyed
  // on the first present), so views are drawn offscreen and their pixels read back, as the app does on
  // SwiftShader: the switch cost measured here includes that readback.
  const engine = new GpuEngine(gpu, { presentation: 'image', profile: true });
  try {
    const ortForwardMs = await ortForward(bytes, gpu.device, req);
    const [info, loadMs] = await timed(() => engine.loadModel(bytes, req.model));
    if (!info.canExplain) throw new Error(`${req.model}: the engine cannot explain it`);
    const input = Float32Array.from(req.input);
    const explainOnce = async () => {
      await engine.setInput(input);
      const { forward = 0, excitation = 0 } = engine.phases;
      await engine.explain({ rule: 'sf' });
      const { chain = 0, maps = 0 } = engine.phases;
      return { forward, excitation, chain, maps };
    };
    const [, firstExplanationMs] = await timed(explainOnce);

    const samples: { forward: number; excitation: number; chain: number; maps: number; total: number }[] = [];
    const before = engine.readbackStats().bytes;
    const start = performance.now();
    do {
      const [phases, total] = await timed(explainOnce);
      samples.push({ ...phases, total });
    } while (samples.length < req.maxIterations && performance.now() - start < req.budgetMs);
    const readbackBytes = (engine.readbackStats().bytes - before) / samples.length;

    const canvas = new OffscreenCanvas(1, 1);
    const views = switchViews(info.layers.map((l) => l.tensor));
    // One render first: it compiles the view pipelines, which every later view shares.
    await engine.render(canvas, { ...views[0], layer: info.layers[info.layers.length - 1].tensor });
    const switches: number[] = [];
    for (const view of views) switches.push((await timed(() => engine.render(canvas, view)))[1]);
    const finalMaps = await finalMapSwitches(engine, canvas, info.layers[0].tensor);

    const m = (k: keyof (typeof samples)[number]) => median(samples.map((s) => s[k]));
    return {
      model: req.model,
      adapter,
      engineDescription: engine.description,
      ortForwardMs,
      loadMs,
      firstExplanationMs,
      engineForwardMs: m('forward'),
      excitationMs: m('excitation'),
      chainMs: m('chain'),
      mapsMs: m('maps'),
      totalMs: m('total'),
      switchViewMs: median(switches),
      ...finalMaps,
      iterations: samples.length,
      readbackBytes,
    };
  } finally {
    engine.dispose();
  }
}

/** onnxruntime-web's own choice when env.wasm.numThreads is unset (ort 1.30, backend-wasm.ts). */
function ortDefaultThreads(): number {
  if (!crossOriginIsolated) return 1;
  return Math.min(4, Math.ceil((navigator.hardwareConcurrency || 1) / 2));
}

/**
 * The CPU engine in the page: load, a first explanation (compiles the chain graph), then timed repetitions
 * of setInput + explain. Before the first onnxruntime session of the page, so the thread count holds.
 */
async function runCpu(req: PageCpuRequest): Promise<PageCpuResult> {
  const bytes = await fetchBytes(req.url);
  let wasmThreads = ortDefaultThreads();
  let engine: Pick<CpuCompute, 'loadModel' | 'setInput' | 'explain' | 'dispose'>;
  if (req.mode === 'main-thread') {
    wasmThreads = req.threads || navigator.hardwareConcurrency || 1;
    ort.env.wasm.numThreads = wasmThreads;
    engine = new CpuCompute();
  } else {
    engine = new OrtEngine();
  }
  try {
    const [, loadMs] = await timed(() => engine.loadModel(bytes, req.model));
    const input = Float32Array.from(req.input);
    const explainOnce = async () => {
      const [, forward] = await timed(() => engine.setInput(input));
      const [, explain] = await timed(() => engine.explain({ rule: 'sf' }));
      return { forward, explain, total: forward + explain };
    };
    const [, firstExplanationMs] = await timed(explainOnce);
    const samples: { forward: number; explain: number; total: number }[] = [];
    const start = performance.now();
    do samples.push(await explainOnce());
    while (samples.length < req.maxIterations && performance.now() - start < req.budgetMs);
    const m = (k: keyof (typeof samples)[number]) => median(samples.map((s) => s[k]));
    return {
      crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
      wasmThreads,
      loadMs,
      firstExplanationMs,
      forwardMs: m('forward'),
      explainMs: m('explain'),
      totalMs: m('total'),
      iterations: samples.length,
    };
  } finally {
    engine.dispose();
  }
}

declare global {
  interface Window {
    panescopeBench: {
      run(req: GpuBenchRequest): Promise<GpuBenchResult>;
      runCpu(req: PageCpuRequest): Promise<PageCpuResult>;
    };
  }
}

// Served by Vite in dev mode, where onnxruntime-web loads its .wasm next to its own module. The GPU rows run
// onnxruntime's wasm part on one thread (runCpu sets its own count before its first session).
ort.env.wasm.numThreads = 1;
window.panescopeBench = { run, runCpu };
