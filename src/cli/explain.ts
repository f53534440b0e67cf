/**
 * `panescope explain`: one image through the float64 reference (forward pass and double chain), written as
 * .npy maps, an overlay PNG and a JSON summary.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { loadGraph, coverageReport, formatCoverage, describeModelProblem } from '../core/onnx';
import { runForward } from '../core/reference/forward';
import { explain } from '../core/reference/chain';
import { findLogits } from '../core/pane/heads';
import { DISPLAY_CLIP_PERCENTILE, channelSum, normalizeSigned } from '../core/pane/maps';
import { encodeNpy, parseNpy } from '../core/npy';
import {
  IMAGENET_PREPROCESS,
  defaultCrop,
  preprocess,
  type PreprocessSpec,
  type RgbaImage,
} from '../core/preprocess';
import { defaultLabels, shortLabel } from '../core/labels';
import { blendOverlay, colormapLut } from '../core/colormap';
import { effectiveOptions, type Head, type Rule } from '../core/pane/options';
import type { Tensor } from '../core/tensor';
import { decodeImage, encodePng } from './image-io';

export interface ExplainArgs {
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
  preprocess: 'imagenet' | 'none';
  backend: 'cpu';
}

export interface ExplainSummary {
  model: { path: string; sha256: string };
  input: { name: string; shape: number[] };
  class: { index: number; label: string; logit: number; prob: number };
  top5: { index: number; label: string; logit: number; prob: number }[];
  options: ReturnType<typeof effectiveOptions>;
  flux: { mass: number; sumTInput: number; sinks: number; sumTInputPlusSinks: number };
  layersWritten: string[];
  overlay: { colormap: 'diverging'; opacity: number; clipPercentile: number };
  timingsMs: Record<string, number>;
}

const OVERLAY_OPACITY = 0.7;

function readFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new Error(
      `cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

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

/** Model input and the RGBA picture the overlay is drawn on (the crop the model sees). */
function loadInput(args: ExplainArgs, dims: readonly number[]): { input: Tensor; picture: RgbaImage } {
  const [, C, H, W] = dims;
  const bytes = readFile(args.image, 'image');
  const ext = extname(args.image).toLowerCase();
  const spec = { ...IMAGENET_PREPROCESS, width: W, height: H, channels: C as 1 | 3 };
  if (ext === '.npy') {
    let t: Tensor<Float32Array | Float64Array>;
    try {
      t = parseNpy(bytes);
    } catch (e) {
      throw new Error(`${args.image}: ${(e as Error).message}`);
    }
    const n = t.data.length;
    if (n !== C * H * W) {
      throw new Error(
        `${args.image}: shape [${t.dims.join(',')}] does not fit the model input [${dims.join(',')}]`,
      );
    }
    return {
      input: { dims: [1, C, H, W], data: Float64Array.from(t.data) },
      picture: pictureOf(t.data, C, H, W, args),
    };
  }
  const img = decodeImage(bytes, args.image);
  const x = args.preprocess === 'imagenet' ? preprocess(img, spec) : rawInput(img, spec);
  const crop = defaultCrop(img.width, img.height, spec);
  const picture = preprocessPicture(img, crop, W, H);
  return { input: { dims: [1, C, H, W], data: Float64Array.from(x) }, picture };
}

/** --preprocess none: resample the crop and keep pixel values in [0, 1], no mean/std. */
function rawInput(img: RgbaImage, spec: PreprocessSpec) {
  return preprocess(img, { ...spec, mean: [0, 0, 0], std: [1, 1, 1] });
}

/** The crop resampled to the model size as RGBA (what the overlay is drawn on). */
function preprocessPicture(
  img: RgbaImage,
  crop: ReturnType<typeof defaultCrop>,
  W: number,
  H: number,
): RgbaImage {
  const unscaled: PreprocessSpec = {
    ...IMAGENET_PREPROCESS,
    width: W,
    height: H,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    scale: 1,
  };
  const planes = preprocess(img, unscaled, crop);
  const out = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    for (let c = 0; c < 3; c++)
      out[4 * i + c] = Math.round(Math.min(255, Math.max(0, planes[c * W * H + i])));
    out[4 * i + 3] = 255;
  }
  return { width: W, height: H, data: out };
}

/** A picture for a .npy input: undo ImageNet normalisation, or min-max scale with --preprocess none. */
function pictureOf(x: ArrayLike<number>, C: number, H: number, W: number, args: ExplainArgs): RgbaImage {
  const plane = H * W;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    lo = Math.min(lo, x[i]);
    hi = Math.max(hi, x[i]);
  }
  const out = new Uint8Array(plane * 4);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = x[(C === 1 ? 0 : c) * plane + i];
      const unit =
        args.preprocess === 'imagenet' && C === 3
          ? v * IMAGENET_PREPROCESS.std[c] + IMAGENET_PREPROCESS.mean[c]
          : (v - lo) / (hi - lo || 1);
      out[4 * i + c] = Math.round(255 * Math.min(1, Math.max(0, unit)));
    }
    out[4 * i + 3] = 255;
  }
  return { width: W, height: H, data: out };
}

function npy2d(map: Float64Array, h: number, w: number): Uint8Array {
  return encodeNpy({ dims: [h, w], data: Float32Array.from(map) }, 'float32');
}

export async function runExplain(
  args: ExplainArgs,
  log: (line: string) => void = () => {},
): Promise<ExplainSummary> {
  const t0 = performance.now();
  const bytes = readFile(args.model, 'model');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let graph;
  try {
    graph = loadGraph(bytes);
  } catch (e) {
    throw new Error(`${args.model}: ${(e as Error).message}`);
  }
  const problem = describeModelProblem(graph);
  if (problem) throw new Error(`${args.model}: not an image classifier: ${problem}`);
  const report = coverageReport(graph);
  if (!report.ok)
    throw new Error(`${args.model}: the double chain cannot traverse this model: ${formatCoverage(report)}`);
  const inputInfo = graph.inputs[0];
  const dims = [...graph.shapes.get(inputInfo.name)!];
  if (dims.length !== 4) throw new Error(`${args.model}: input '${inputInfo.name}' is not an image tensor`);
  const tLoad = performance.now();

  const { input, picture } = loadInput(args, dims);
  const values = runForward(graph, { [inputInfo.name]: input });
  const tForward = performance.now();

  const { logits: logitsName } = findLogits(graph);
  const logits = values.get(logitsName)!.data;
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
  const result = explain(graph, values, options);
  const tChain = performance.now();

  const [, , H, W] = dims;
  const flux = result.flux.get(inputInfo.name);
  if (!flux) throw new Error('the chain delivered no mass to the input');
  const S = channelSum(flux.R, dims);
  const T = channelSum(flux.T, dims);
  const SP = S.map((s, i) => (T[i] + s) / 2);
  const SN = S.map((s, i) => (T[i] - s) / 2);

  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'saliency.npy'), npy2d(S, H, W));
  writeFileSync(join(args.out, 'positive.npy'), npy2d(SP, H, W));
  writeFileSync(join(args.out, 'negative.npy'), npy2d(SN, H, W));

  // Pixel-level maps are spiky; the display clip of spec 4.5 keeps a few extreme pixels from washing out the rest.
  const normalised = normalizeSigned(S, DISPLAY_CLIP_PERCENTILE);
  const overlay = new Uint8Array(W * H * 4);
  blendOverlay(picture.data, normalised, true, colormapLut('diverging'), OVERLAY_OPACITY, overlay);
  writeFileSync(join(args.out, 'overlay.png'), encodePng(W, H, overlay));

  const wanted = args.layers === 'all' ? [...result.flux.keys()] : args.layers;
  const layersWritten: string[] = [];
  if (wanted.length > 0) mkdirSync(join(args.out, 'layers'), { recursive: true });
  for (const name of wanted) {
    const f = result.flux.get(name);
    const shape = graph.shapes.get(name);
    if (!f || !shape) throw new Error(`--layers: '${name}' is not a tensor the chain passes through`);
    const [h, w] = shape.length === 4 ? [shape[2], shape[3]] : [1, shape.length >= 2 ? shape[1] : shape[0]];
    const map = shape.length === 4 ? channelSum(f.R, shape) : Float64Array.from(f.R);
    writeFileSync(join(args.out, 'layers', tensorFileName(name)), npy2d(map, h, w));
    layersWritten.push(name);
  }
  const tMaps = performance.now();

  const probs = softmax(logits);
  const labels = defaultLabels(numClasses);
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
  let sinks = 0;
  for (const s of result.sinks.values()) sinks += s.T;
  const summary: ExplainSummary = {
    model: { path: basename(args.model), sha256 },
    input: { name: inputInfo.name, shape: dims },
    class: scored(result.target),
    top5,
    options,
    flux: { mass: result.mass, sumTInput, sinks, sumTInputPlusSinks: sumTInput + sinks },
    layersWritten,
    overlay: { colormap: 'diverging', opacity: OVERLAY_OPACITY, clipPercentile: DISPLAY_CLIP_PERCENTILE },
    timingsMs: {
      load: tLoad - t0,
      forward: tForward - tLoad,
      chain: tChain - tForward,
      maps: tMaps - tChain,
      total: tMaps - t0,
    },
  };
  writeFileSync(join(args.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  log(`forward ${summary.timingsMs.forward.toFixed(0)} ms, chain ${summary.timingsMs.chain.toFixed(0)} ms`);
  return summary;
}
