/**
 * `panescope explain`: one image through the float32 chain graph on onnxruntime (the default), the float64
 * reference (`--backend reference`) or the WebGPU engine (`--backend webgpu`), written as .npy maps, an
 * overlay PNG and a JSON summary.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { loadGraph, coverageReport, formatCoverage, describeModelProblem } from '../core/onnx';
import type { IrGraph } from '../core/onnx/ir';
import { checkMemoryBudget } from '../core/onnx/memory';
import { imageInput, tensorLayout, type ImageInput } from '../core/onnx/layout';
import { DISPLAY_CLIP_PERCENTILE, channelSum, mapSize, normalizeSigned } from '../core/pane/maps';
import { encodeNpy } from '../core/npy';
import type { PreprocessSpec } from '../core/preprocess';
import { shortLabel } from '../core/labels';
import { blendOverlay, colormapLut } from '../core/colormap';
import { effectiveOptions, type Head, type Rule } from '../core/pane/options';
import { encodePng } from './image-io';
import { modelInput, preprocessSpecFor, type InputFlags } from './explain-input';
import { referenceBackend, type ExplainBackend, type ExplainBackendName } from './explain-backends';
import { ortBackend } from './explain-ort';
import { locateForward, requireFiniteChain, requireFiniteLogits } from './non-finite';
import { requireFinite } from '../core/finite';
import { conservationWarnings } from '../core/pane/alpha-beta';
import { quoted } from '../core/text';
import { readInputFile } from './read-input';
import { checkOutDir, StagedOutput } from './explain-output';
import { checkLayerNames, prepareLabels } from './explain-checks';
import { finalMapSigned, type FinalMapName } from '../core/pane/final-maps';
import { explainFinalMap } from './final-map-output';

interface ExplainCommonArgs {
  model: string;
  image: string;
  out: string;
  target?: number;
  rule: Rule;
  alpha: number;
  beta: number;
  head: Head;
  /** Tensor names whose per-layer net maps are written, or 'all'. */
  layers: string[] | 'all';
  /** Class names file (JSON array or one name per line); default ImageNet for 1000 classes. */
  labels?: string;
  backend: ExplainBackendName;
  /** Batch mode (several --image, or --images DIR): one folder per image under `out`. */
  batch?: { dir?: string; images: string[] };
  /** Memory the run may take, checked against the inferred shapes before anything is allocated. */
  memoryBudgetGiB: number;
  /** Raises the size caps of --model, --image and --labels (MiB); default per kind (read-input.ts). */
  maxFileMb?: number;
  /** The construction written as saliency.npy and drawn in overlay.png (pixel.npy is always the pixel map). */
  finalMap: FinalMapName;
}

export type ExplainArgs = ExplainCommonArgs & InputFlags;

/** The summary.json that `panescope explain` writes beside each explanation's maps (and a batch reuses). */
export interface ExplainSummaryJson {
  /** ort: the float32 chain graph on onnxruntime; reference: the float64 reference; webgpu: the WGSL engine. */
  backend: ExplainBackendName;
  /** What ran, in words: which onnxruntime (native or wasm), the reference, or the GPU engine. */
  runtime: string;
  model: { path: string; sha256: string };
  input: { name: string; shape: number[]; layout: 'NCHW' | 'NHWC' };
  preprocess: PreprocessSpec;
  class: { index: number; label: string; logit: number; prob: number };
  top5: { index: number; label: string; logit: number; prob: number }[];
  options: ReturnType<typeof effectiveOptions>;
  flux: { mass: number; sumTInput: number; sinks: number; sumTInputPlusSinks: number };
  /** The construction in saliency.npy and overlay.png (docs/final-maps.md). */
  finalMap: FinalMapName;
  layersWritten: string[];
  overlay: { colormap: 'diverging' | 'sequential'; opacity: number; clipPercentile: number };
  /** Options that ran but deserve a note (alpha - beta != 1 breaks conservation). */
  warnings: string[];
  timingsMs: Record<string, number>;
}

const OVERLAY_OPACITY = 0.7;

function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** A file name for a tensor name (ONNX names may contain '/', ':' and other path characters). */
export function tensorFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') + '.npy';
}

function npy2d(map: Float64Array, h: number, w: number): Uint8Array {
  return encodeNpy({ dims: [h, w], data: Float32Array.from(map) }, 'float32');
}

export async function runExplain(
  args: ExplainArgs,
  log: (line: string) => void = () => {},
): Promise<ExplainSummaryJson> {
  const t0 = performance.now();
  const explainer = await loadExplainer(args, log);
  try {
    return await explainer.explain(args.image, args.out, t0);
  } finally {
    explainer.dispose();
  }
}

/** A model loaded once, with its backend, that explains one image after another (batch mode). */
export interface Explainer {
  sha256: string;
  backend: ExplainBackendName;
  /** Explains `image` into the folder `out`; `t0`: when this image's work began (its timings start there). */
  explain(image: string, out: string, t0?: number): Promise<ExplainSummaryJson>;
  dispose(): void;
}

/** Loads and checks the model, the labels and the layer names, and starts the backend. */
export async function loadExplainer(
  args: Omit<ExplainArgs, 'image' | 'out'>,
  log: (line: string) => void = () => {},
): Promise<Explainer> {
  const bytes = readInputFile(args.model, 'model', args.maxFileMb);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let graph;
  try {
    graph = loadGraph(bytes, { inputSize: args.inputSize });
  } catch (e) {
    throw new Error(`${quoted(args.model)}: ${(e as Error).message}`);
  }
  const problem = describeModelProblem(graph);
  if (problem) throw new Error(`${quoted(args.model)}: not an image classifier: ${problem}`);
  const report = coverageReport(graph);
  if (!report.ok)
    throw new Error(
      `${quoted(args.model)}: the double chain cannot traverse this model: ${formatCoverage(report)}`,
    );
  try {
    // The ort and webgpu backends' CPU-side tensors are onnxruntime's float32 ones (the GPU checks its own
    // limits); the reference holds float64 values.
    const engine = args.backend === 'reference' ? 'reference' : 'cpu-graph';
    checkMemoryBudget(graph, engine, args.memoryBudgetGiB * 1024 ** 3, '--memory-budget GIB raises it');
  } catch (e) {
    throw new Error(`${quoted(args.model)}: ${(e as Error).message}`);
  }
  const inputInfo = imageInput(graph);
  const spec = preprocessSpecFor(graph, inputInfo, args);
  // Everything the user can get wrong is checked before the work.
  checkLayerNames(args.layers, graph);
  const labelsFor = prepareLabels(args.labels, graph, args.maxFileMb);
  // Loaded on demand: only the webgpu backend starts Dawn.
  const backend =
    args.backend === 'webgpu'
      ? await (await import('./explain-webgpu')).webgpuBackend(bytes, basename(args.model), inputInfo)
      : args.backend === 'ort'
        ? await ortBackend(bytes, graph, inputInfo)
        : referenceBackend(graph, inputInfo.name);
  return {
    sha256,
    backend: args.backend,
    async explain(image, out, t0 = performance.now()) {
      const replaces = checkOutDir(out);
      if (replaces.length > 0)
        log(`--out ${quoted(out)} holds an earlier run: replacing ${replaces.join(', ')}`);
      // Written to a staging folder and renamed into place at the end: a failure leaves no partial output.
      // Created now, so that a place that cannot be written fails before the work.
      const output = new StagedOutput(out);
      try {
        const run = { args: { ...args, image, out }, graph, inputInfo, spec, sha256, t0, labelsFor, output };
        return await explainWith(backend, run, log);
      } catch (e) {
        output.abort();
        throw e;
      }
    },
    dispose: () => backend.dispose(),
  };
}

interface LoadedRun {
  args: ExplainArgs;
  graph: IrGraph;
  inputInfo: ImageInput;
  spec: PreprocessSpec;
  sha256: string;
  /** When the command started. */
  t0: number;
  labelsFor: (numClasses: number) => string[];
  /** Files go to a staging folder and are renamed into `--out` at the end. */
  output: StagedOutput;
}

async function explainWith(
  backend: ExplainBackend,
  { args, graph, inputInfo, spec, sha256, t0, labelsFor, output }: LoadedRun,
  log: (line: string) => void,
): Promise<ExplainSummaryJson> {
  const tLoad = performance.now();
  const { input, picture } = modelInput(
    args.image,
    readInputFile(args.image, 'image', args.maxFileMb),
    inputInfo,
    spec,
    args.preprocess,
  );
  const logits = await backend.forward(input);
  requireFiniteLogits(logits, () => locateForward(graph, inputInfo.name, input), args.backend);
  const tForward = performance.now();

  const numClasses = logits.length;
  if (args.target !== undefined && args.target >= numClasses) {
    throw new Error(`--class ${args.target} is out of range: the model has ${numClasses} classes`);
  }
  const options = effectiveOptions({
    rule: args.rule,
    alpha: args.alpha,
    beta: args.beta,
    head: args.head,
    target: args.target,
  });
  const result = await backend.chain(options);
  await requireFiniteChain(result, inputInfo.name, options);
  const tChain = performance.now();

  const { height: H, width: W, dims, layout } = inputInfo;
  const flux = await result.flux(inputInfo.name);
  if (!flux) throw new Error('the chain delivered no mass to the input');
  const S = channelSum(flux.R, dims, layout);
  const T = channelSum(flux.T, dims, layout);
  const SP = S.map((s, i) => (T[i] + s) / 2);
  const SN = S.map((s, i) => (T[i] - s) / 2);
  const final =
    args.finalMap === 'pixel' ? S : await explainFinalMap(graph, (t) => result.flux(t), args.finalMap, H, W);
  for (const [map, name] of [
    [final, 'saliency'],
    [S, 'pixel'],
    [SP, 'positive'],
    [SN, 'negative'],
  ] as const) {
    requireFinite(map, `the ${name} map`);
  }

  output.write('saliency.npy', npy2d(final, H, W));
  output.write('pixel.npy', npy2d(S, H, W));
  output.write('positive.npy', npy2d(SP, H, W));
  output.write('negative.npy', npy2d(SN, H, W));

  // Pixel-level maps are spiky; the display clip of spec 4.5 keeps a few extreme pixels from washing out the rest.
  const signed = finalMapSigned(args.finalMap);
  const normalised = normalizeSigned(final, DISPLAY_CLIP_PERCENTILE);
  const overlayColormap = signed ? 'diverging' : 'sequential';
  const overlay = new Uint8Array(W * H * 4);
  blendOverlay(picture.data, normalised, signed, colormapLut(overlayColormap), OVERLAY_OPACITY, overlay);
  output.write('overlay.png', encodePng(W, H, overlay));

  const wanted = args.layers === 'all' ? result.tensors : args.layers;
  const layersWritten: string[] = [];
  for (const name of wanted) {
    const f = await result.flux(name);
    const shape = graph.shapes.get(name);
    if (!f || !shape) throw new Error(`--layers: ${quoted(name)} is not a tensor the chain passes through`);
    // Spatial tensors give a channel-summed map (NHWC ones too); vectors (logits, features) are written flat.
    const spatial = shape.length >= 3;
    const { h, w } = spatial ? mapSize(shape, tensorLayout(graph, name)) : { h: 1, w: f.R.length };
    const map = spatial ? channelSum(f.R, shape, tensorLayout(graph, name)) : Float64Array.from(f.R);
    requireFinite(map, `the map of layer ${quoted(name)}`);
    output.write(join('layers', tensorFileName(name)), npy2d(map, h, w));
    layersWritten.push(name);
  }
  const tMaps = performance.now();

  const probs = softmax(logits);
  const labels = labelsFor(numClasses);
  const scored = (index: number) => ({
    index,
    label: shortLabel(labels[index]),
    logit: logits[index],
    prob: probs[index],
  });
  const top5 = [...probs.keys()]
    .sort((a, b) => probs[b] - probs[a] || a - b)
    .slice(0, 5)
    .map(scored);
  let sumTInput = 0;
  for (const t of flux.T) sumTInput += t;
  const { sinks } = result;
  const summary: ExplainSummaryJson = {
    backend: args.backend,
    runtime: backend.runtime,
    model: { path: basename(args.model), sha256 },
    input: { name: inputInfo.name, shape: dims, layout },
    preprocess: spec,
    class: scored(result.target),
    top5,
    options,
    flux: { mass: result.mass, sumTInput, sinks, sumTInputPlusSinks: sumTInput + sinks },
    finalMap: args.finalMap,
    layersWritten,
    overlay: { colormap: overlayColormap, opacity: OVERLAY_OPACITY, clipPercentile: DISPLAY_CLIP_PERCENTILE },
    warnings: conservationWarnings(options),
    timingsMs: {
      load: tLoad - t0,
      forward: tForward - tLoad,
      chain: tChain - tForward,
      maps: tMaps - tChain,
      total: tMaps - t0,
    },
  };
  output.write('summary.json', JSON.stringify(summary, null, 2) + '\n');
  output.commit();
  for (const warning of summary.warnings) log(`warning: ${warning}`);
  log(`forward ${summary.timingsMs.forward.toFixed(0)} ms, chain ${summary.timingsMs.chain.toFixed(0)} ms`);
  return summary;
}
