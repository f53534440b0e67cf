/**
 * The metrics of one saliency map on one image (PANE-SPEC 6.1-6.3, 6.5): deletion, insertion and LeRF
 * curves and the masked adversarial attack. Every perturbed image goes through a Predictor in batches, so
 * the cost is that of the model's forward pass (onnxruntime in the CLI, the float64 reference in tests).
 */
import { argmax, softmax } from '../pane/heads';
import { curveCounts, percentCount, trapezoidAuc, type Curve } from './curves';
import { perturbationSize, ssimStats, type SsimStats } from './image-quality';
import { pixelOrder, topMask, type RankKey } from './ranking';
import type { MetricId, MetricSettings } from './settings';
import {
  CurveImages,
  substrateImage,
  type ImageGeometry,
  type InputScaling,
  type Substrate,
} from './substrate';

/** Logits of a batch of model inputs ([C, H, W] planes in the normalised space). */
export type Predictor = (inputs: Float32Array[]) => Promise<Float64Array[]>;

export interface ImageUnderTest {
  /** Preprocessed input, [C, H, W] planes. */
  x: Float64Array;
  geo: ImageGeometry;
  norm: InputScaling;
  /** The explained class, the same for every metric (as in RISE). */
  target: number;
  /** d CE(softmax(l), target) / d x at x, normalised space: the attack direction. */
  attackGradient?: Float64Array;
  /** PGD only: the loss gradient and logits at any normalised input (the float64 engine). */
  lossGradientAt?: (x: Float64Array) => { grad: Float64Array; logits: Float64Array };
}

export interface DeletionResult extends Curve {
  /** (p(x) - p(x_k)) / p(x) at each deletionPercents entry (keyed by the percentage). */
  confidenceDrop: Record<string, number>;
  /** 1 when the top-1 class is no longer the target, at each deletionPercents entry. */
  flip: Record<string, number>;
}

export interface LerfResult extends Curve {
  /** |p(x_k) - p(x)| / p(x) at each lerfPercents entry. */
  afoc: Record<string, number>;
}

export interface AttackResult {
  percents: number[];
  /** 1 when the attack changed the top-1 class (a mean over seeds for the random control). */
  success: number[];
  l2: number[];
  l0: number[];
  psnr: (number | null)[];
  ssim: (number | null)[];
  /** The smallest k of the grid with success; null when none succeeded. */
  kStar: number | null;
}

export interface MapMetrics {
  deletion?: DeletionResult;
  insertion?: Curve;
  lerf?: LerfResult;
  adversarial?: AttackResult;
}

/**
 * One perturbed input and what to do with its logits. The input is made when its batch runs (a curve's
 * images are hundreds of full-size copies: made all at once they cost memory and garbage collection).
 */
interface Probe {
  input: () => Float32Array;
  use: (logits: Float64Array) => void;
}

async function runProbes(probes: Probe[], predict: Predictor, batchSize: number): Promise<void> {
  for (let i = 0; i < probes.length; i += batchSize) {
    const chunk = probes.slice(i, i + batchSize);
    const logits = await predict(chunk.map((p) => p.input()));
    chunk.forEach((p, k) => p.use(logits[k]));
  }
}

/** Lazily built substrates of one image (the blur costs a few milliseconds; reuse it across maps). */
export function substrateCache(
  img: Pick<ImageUnderTest, 'x' | 'geo' | 'norm'>,
  s: Pick<MetricSettings, 'blurKernel' | 'blurSigma'>,
): (kind: Substrate) => Float64Array {
  const cache = new Map<Substrate, Float64Array>();
  return (kind) => {
    let v = cache.get(kind);
    if (!v) {
      v = substrateImage(kind, img.x, img.geo, img.norm, { kernel: s.blurKernel, sigma: s.blurSigma });
      cache.set(kind, v);
    }
    return v;
  };
}

/**
 * Logits of the whole images at the ends of the curves (the clean image after no pixel, a substrate after
 * every pixel, and the reverse for insertion): the same images for every map of an image, so each is
 * classified once per image and predictor. Keyed by the image's array (the input, substrateCache's).
 */
const endLogits = new WeakMap<Predictor, WeakMap<Float64Array, Float64Array>>();

async function classifyEnds(
  images: Float64Array[],
  predict: Predictor,
): Promise<WeakMap<Float64Array, Float64Array>> {
  let known = endLogits.get(predict);
  if (!known) endLogits.set(predict, (known = new WeakMap()));
  const missing = [...new Set(images)].filter((a) => !known.has(a));
  if (missing.length) {
    // As CurveImages makes them: the same float32 values as a curve's first and last image.
    const logits = await predict(missing.map((a) => Float32Array.from(a)));
    missing.forEach((a, k) => known.set(a, logits[k]));
  }
  return known;
}

/** Salient-pixel removal, insertion, and minor-pixel removal (LeRF: least relevant first). */
export type CurveKind = 'deletion' | 'insertion' | 'lerf';

/** The pixel order of each curve: most salient first, or least |S| first for LeRF. */
export const CURVE_ORDER: Readonly<Record<CurveKind, RankKey>> = {
  deletion: 'value-desc',
  insertion: 'value-desc',
  lerf: 'abs-asc',
};

/**
 * The two ends of a curve: deletion and LeRF replace the image's pixels (in their order) by their
 * substrate; insertion puts them back into the insertion substrate. `base` with the first `count` pixels of
 * the order taken from `fill` is the image after `count` pixels.
 */
export function curveEnds(
  kind: CurveKind,
  x: Float64Array,
  substrate: (kind: Substrate) => Float64Array,
  s: Pick<MetricSettings, 'deletionSubstrate' | 'insertionSubstrate' | 'lerfSubstrate'>,
): { base: Float64Array; fill: Float64Array } {
  switch (kind) {
    case 'deletion':
      return { base: x, fill: substrate(s.deletionSubstrate) };
    case 'insertion':
      return { base: substrate(s.insertionSubstrate), fill: x };
    case 'lerf':
      return { base: x, fill: substrate(s.lerfSubstrate) };
  }
}

interface CurvePlan {
  counts: number[];
  uniform: Set<number>;
  scores: Map<number, number>;
  top1: Map<number, number>;
}

/**
 * Probes of a curve: `base` with the first `count` pixels of `order` taken from `fill`, for each count;
 * the two ends (`base` itself and `fill` itself) come from `ends` (classifyEnds).
 */
function planCurve(
  img: ImageUnderTest,
  order: Int32Array,
  base: Float64Array,
  fill: Float64Array,
  step: number,
  extra: number[],
  probes: Probe[],
  ends: WeakMap<Float64Array, Float64Array>,
): CurvePlan {
  const total = img.geo.H * img.geo.W;
  const plan: CurvePlan = {
    counts: curveCounts(total, step, extra),
    uniform: new Set(curveCounts(total, step)),
    scores: new Map(),
    top1: new Map(),
  };
  const images = new CurveImages(base, fill, order, img.geo);
  const use = (count: number) => (logits: Float64Array) => {
    plan.scores.set(count, softmax(logits)[img.target]);
    plan.top1.set(count, argmax(logits));
  };
  for (const count of plan.counts) {
    const end = count === 0 ? base : count === total ? fill : undefined;
    if (end) use(count)(ends.get(end)!);
    else probes.push({ input: () => images.at(count), use: use(count) });
  }
  return plan;
}

function curveOf(plan: CurvePlan, total: number): Curve {
  const counts = plan.counts.filter((c) => plan.uniform.has(c));
  const fractions = counts.map((c) => c / total);
  const scores = counts.map((c) => plan.scores.get(c)!);
  return { fractions, scores, auc: trapezoidAuc(fractions, scores) };
}

function toPixels(x: Float64Array, geo: ImageGeometry, norm: InputScaling): Float64Array {
  const plane = geo.H * geo.W;
  return x.map((v, i) => {
    const c = Math.floor(i / plane);
    return v * norm.std[c] + norm.mean[c];
  });
}

function toModel(p: Float64Array, geo: ImageGeometry, norm: InputScaling): Float64Array {
  const plane = geo.H * geo.W;
  return p.map((v, i) => {
    const c = Math.floor(i / plane);
    return (v - norm.mean[c]) / norm.std[c];
  });
}

/**
 * The clean image in pixel space and its SSIM statistics, made once per image (every map's attack measures
 * its perturbations against them), keyed by the image's input array.
 */
const cleanCache = new WeakMap<Float64Array, { pix: Float64Array; stats: SsimStats | null }>();

function cleanPixels(img: ImageUnderTest): { pix: Float64Array; stats: SsimStats | null } {
  let clean = cleanCache.get(img.x);
  if (!clean) {
    const pix = toPixels(img.x, img.geo, img.norm);
    clean = { pix, stats: ssimStats(pix, img.geo) };
    cleanCache.set(img.x, clean);
  }
  return clean;
}

/** x + mask * delta, clipped to [0, 1] (pixel space). */
function applyMasked(pix: Float64Array, delta: Float64Array, mask: Uint8Array, plane: number): Float64Array {
  return pix.map((v, i) => (mask[i % plane] ? Math.min(1, Math.max(0, v + delta[i])) : v));
}

/**
 * Untargeted PGD-Linf confined to `mask` (PANE-SPEC 6.3): zero start, step * sign(grad), projection on the
 * epsilon ball and [0, 1], early stop once the top-1 class changes. Returns the adversarial pixels.
 */
function pgd(img: ImageUnderTest, pix: Float64Array, mask: Uint8Array, s: MetricSettings): Float64Array {
  const at = img.lossGradientAt;
  if (!at) throw new Error('PGD needs the loss gradient at perturbed inputs (lossGradientAt)');
  const plane = img.geo.H * img.geo.W;
  let adv = pix;
  for (let it = 0; it < s.pgdIterations; it++) {
    const { grad, logits } = at(toModel(adv, img.geo, img.norm));
    if (argmax(logits) !== img.target) break;
    adv = adv.map((v, i) => {
      if (!mask[i % plane]) return v;
      const stepped = v + s.pgdStep * Math.sign(grad[i]);
      const projected = Math.min(pix[i] + s.epsilon, Math.max(pix[i] - s.epsilon, stepped));
      return Math.min(1, Math.max(0, projected));
    });
  }
  return adv;
}

function planAttack(
  img: ImageUnderTest,
  s: MetricSettings,
  probes: Probe[],
  /** The map's pixels, most salient first (pixelOrder value-desc). */
  order: Int32Array,
): AttackResult {
  const total = img.geo.H * img.geo.W;
  const { pix, stats } = cleanPixels(img);
  const result: AttackResult = {
    percents: [...s.attackPercents],
    success: [],
    l2: [],
    l0: [],
    psnr: [],
    ssim: [],
    kStar: null,
  };
  const fgsmDelta =
    s.attack === 'fgsm'
      ? (() => {
          if (!img.attackGradient) throw new Error('FGSM needs the loss gradient (attackGradient)');
          return img.attackGradient.map((g) => s.epsilon * Math.sign(g));
        })()
      : undefined;
  s.attackPercents.forEach((k, idx) => {
    const mask = topMask(order, percentCount(k, total));
    const adv = fgsmDelta ? applyMasked(pix, fgsmDelta, mask, total) : pgd(img, pix, mask, s);
    const size = perturbationSize(pix, adv, img.geo, stats);
    result.l2[idx] = size.l2;
    result.l0[idx] = size.l0;
    result.psnr[idx] = size.psnr;
    result.ssim[idx] = size.ssim;
    const input = Float32Array.from(toModel(adv, img.geo, img.norm));
    probes.push({
      input: () => input,
      use: (logits) => {
        result.success[idx] = argmax(logits) !== img.target ? 1 : 0;
      },
    });
  });
  return result;
}

function byPercent(percents: number[], total: number, f: (count: number) => number): Record<string, number> {
  return Object.fromEntries(percents.map((k) => [String(k), f(percentCount(k, total))]));
}

/** Every requested metric of one map. */
export async function evaluateMap(
  map: Float64Array,
  img: ImageUnderTest,
  metrics: readonly MetricId[],
  s: MetricSettings,
  predict: Predictor,
  substrate: (kind: Substrate) => Float64Array = substrateCache(img, s),
): Promise<MapMetrics> {
  const total = img.geo.H * img.geo.W;
  if (map.length !== total)
    throw new Error(`evaluateMap: map of ${map.length} pixels for a ${total}-pixel image`);
  const probes: Probe[] = [];
  const orders = new Map<RankKey, Int32Array>();
  const has = (m: MetricId) => metrics.includes(m);
  const kinds = (['deletion', 'insertion', 'lerf'] as const).filter(has);
  const ends = await classifyEnds(
    kinds.flatMap((k) => Object.values(curveEnds(k, img.x, substrate, s))),
    predict,
  );
  const orderOf = (key: RankKey) => {
    let order = orders.get(key);
    if (!order) orders.set(key, (order = pixelOrder(map, key)));
    return order;
  };
  const curve = (kind: CurveKind, extra: number[]) => {
    const order = orderOf(CURVE_ORDER[kind]);
    const { base, fill } = curveEnds(kind, img.x, substrate, s);
    return planCurve(img, order, base, fill, s.stepPixels, extra, probes, ends);
  };
  const deletion = has('deletion')
    ? curve(
        'deletion',
        s.deletionPercents.map((k) => percentCount(k, total)),
      )
    : undefined;
  const insertion = has('insertion') ? curve('insertion', []) : undefined;
  const lerf = has('lerf')
    ? curve(
        'lerf',
        s.lerfPercents.map((k) => percentCount(k, total)),
      )
    : undefined;
  const attack = has('adversarial') ? planAttack(img, s, probes, orderOf('value-desc')) : undefined;
  await runProbes(probes, predict, s.batchSize);

  const out: MapMetrics = {};
  if (deletion) {
    const p0 = deletion.scores.get(0)!;
    out.deletion = {
      ...curveOf(deletion, total),
      confidenceDrop: byPercent(s.deletionPercents, total, (c) => (p0 - deletion.scores.get(c)!) / p0),
      flip: byPercent(s.deletionPercents, total, (c) => (deletion.top1.get(c) !== img.target ? 1 : 0)),
    };
  }
  if (insertion) out.insertion = curveOf(insertion, total);
  if (lerf) {
    const p0 = lerf.scores.get(0)!;
    out.lerf = {
      ...curveOf(lerf, total),
      afoc: byPercent(s.lerfPercents, total, (c) => Math.abs(lerf.scores.get(c)! - p0) / p0),
    };
  }
  if (attack) {
    const first = attack.success.findIndex((v) => v === 1);
    out.adversarial = { ...attack, kStar: first < 0 ? null : attack.percents[first] };
  }
  return out;
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function meanRecord(rs: Record<string, number>[]): Record<string, number> {
  return Object.fromEntries(Object.keys(rs[0]).map((k) => [k, meanOf(rs.map((r) => r[k]))]));
}

function meanCurve(cs: Curve[]): Curve {
  return {
    fractions: cs[0].fractions,
    scores: cs[0].scores.map((_, i) => meanOf(cs.map((c) => c.scores[i]))),
    auc: meanOf(cs.map((c) => c.auc)),
  };
}

/** The mean over several maps of one method (the random control's seeds): pointwise for curves and rates. */
export function meanMapMetrics(list: MapMetrics[]): MapMetrics {
  if (list.length === 1) return list[0];
  const out: MapMetrics = {};
  const d = list.map((m) => m.deletion!).filter(Boolean);
  if (d.length) {
    out.deletion = {
      ...meanCurve(d),
      confidenceDrop: meanRecord(d.map((x) => x.confidenceDrop)),
      flip: meanRecord(d.map((x) => x.flip)),
    };
  }
  const ins = list.map((m) => m.insertion!).filter(Boolean);
  if (ins.length) out.insertion = meanCurve(ins);
  const l = list.map((m) => m.lerf!).filter(Boolean);
  if (l.length) out.lerf = { ...meanCurve(l), afoc: meanRecord(l.map((x) => x.afoc)) };
  const a = list.map((m) => m.adversarial!).filter(Boolean);
  if (a.length) {
    const at = (f: (r: AttackResult) => (number | null)[]) =>
      a[0].percents.map((_, i) => {
        const vs = a.map((r) => f(r)[i]).filter((v): v is number => v !== null);
        return vs.length ? meanOf(vs) : null;
      });
    const ks = a.map((r) => r.kStar);
    out.adversarial = {
      percents: a[0].percents,
      success: at((r) => r.success) as number[],
      l2: at((r) => r.l2) as number[],
      l0: at((r) => r.l0) as number[],
      psnr: at((r) => r.psnr),
      ssim: at((r) => r.ssim),
      // The median seed's k*, with "no success" ordered last.
      kStar: [...ks].sort((x, y) => (x ?? Infinity) - (y ?? Infinity))[Math.floor(ks.length / 2)],
    };
  }
  return out;
}
