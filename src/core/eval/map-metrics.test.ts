import { describe, expect, it } from 'vitest';
import { softmax } from '../pane/heads';
import { curveCounts, trapezoidAuc } from './curves';
import { perturbationSize, ssim, ssimStats } from './image-quality';
import { evaluateMap, meanMapMetrics, type ImageUnderTest, type Predictor } from './map-metrics';
import { pixelOrder } from './ranking';
import { DEFAULT_METRIC_SETTINGS, type MetricSettings } from './settings';
import { composite } from '../../../tests/support/composite';
import { CurveImages, gaussianBlur } from './substrate';

/** 4 x 4 single-channel images; class 0's logit is 2 x (sum of the region's pixels), class 1's is 0. */
const geo = { C: 1, H: 4, W: 4 };
const REGION = [5, 6, 9, 10];
const regionModel: Predictor = async (inputs) =>
  inputs.map((x) => Float64Array.of(2 * REGION.reduce((s, p) => s + x[p], 0), 0));
const image = (): ImageUnderTest => ({
  x: new Float64Array(16).fill(1),
  geo,
  norm: { mean: [0], std: [1] },
  target: 0,
});
const settings: MetricSettings = {
  ...DEFAULT_METRIC_SETTINGS,
  stepPixels: 4,
  insertionSubstrate: 'zero',
  deletionPercents: [25, 50],
  lerfPercents: [25, 75],
  batchSize: 3,
};
/** A map that ranks the region first, then the other pixels by index. */
const regionFirst = Float64Array.from({ length: 16 }, (_, p) => (REGION.includes(p) ? 2 : 1 - p / 100));
const pFull = softmax(Float64Array.of(8, 0))[0];

describe('curves and ranking', () => {
  it('counts every step and the full image; AUC is the normalised trapezoid', () => {
    expect(curveCounts(10, 4)).toEqual([0, 4, 8, 10]);
    expect(curveCounts(8, 4, [1, 4])).toEqual([0, 1, 4, 8]);
    // RISE: (sum s_i - s_0/2 - s_n/2) / n on a uniform grid.
    const s = [1, 0.5, 0.25, 0];
    expect(trapezoidAuc([0, 1 / 3, 2 / 3, 1], s)).toBeCloseTo((1.75 - 0.5) / 3, 15);
  });

  it('ranks by key, then by flat index (stable on ties)', () => {
    const map = Float64Array.of(1, 3, 3, -5, 0);
    expect([...pixelOrder(map, 'value-desc')]).toEqual([1, 2, 0, 4, 3]);
    expect([...pixelOrder(map, 'abs-desc')]).toEqual([3, 1, 2, 0, 4]);
    expect([...pixelOrder(map, 'abs-asc')]).toEqual([4, 0, 1, 2, 3]);
  });

  it('composite replaces the first pixels of the order in every channel', () => {
    const base = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const fill = new Float64Array(8);
    const out = composite(base, fill, Int32Array.of(3, 0, 1, 2), 2, { C: 2, H: 2, W: 2 });
    expect([...out]).toEqual([0, 2, 3, 0, 0, 6, 7, 0]);
  });

  it("CurveImages gives composite's image at every count, also when a count goes back", () => {
    const g = { C: 3, H: 5, W: 7 };
    const n = g.C * g.H * g.W;
    // Values that float32 rounds, so a missed or doubled conversion would show.
    const base = Float64Array.from({ length: n }, (_, i) => Math.sin(i) / 3);
    const fill = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.7) / 7);
    const order = pixelOrder(
      Float64Array.from({ length: 35 }, (_, p) => Math.sin(p * 2.3)),
      'value-desc',
    );
    const images = new CurveImages(base, fill, order, g);
    for (const count of [0, 0, 4, 9, 35, 3, 20]) {
      const got = images.at(count);
      expect([...got]).toEqual([...composite(base, fill, order, count, g)]);
      // Each call hands out its own array: the next image must not change this one.
      got[0] = 99;
    }
  });

  it('the blur keeps a constant image constant away from the border and sums to one', () => {
    const x = new Float64Array(3 * 32 * 32).fill(2);
    const b = gaussianBlur(x, { C: 3, H: 32, W: 32 }, { kernel: 11, sigma: 5 });
    expect(b[16 * 32 + 16]).toBeCloseTo(2, 12);
    expect(b[0]).toBeLessThan(2);
  });
});

describe('removal metrics on a model that only sees one region', () => {
  it('deletion: removing the region first drops p to chance at once', async () => {
    const m = await evaluateMap(regionFirst, image(), ['deletion'], settings, regionModel);
    const d = m.deletion!;
    expect(d.fractions).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(d.scores[0]).toBeCloseTo(pFull, 14);
    d.scores.slice(1).forEach((s) => expect(s).toBeCloseTo(0.5, 14));
    expect(d.auc).toBeCloseTo(((pFull + 0.5) / 2) * 0.25 + 0.5 * 0.75, 14);
    expect(d.confidenceDrop['25']).toBeCloseTo((pFull - 0.5) / pFull, 14);
    // p = 0.5 ties with class 1; argmax picks the first index, so the top-1 class has not flipped.
    expect(d.flip).toEqual({ '25': 0, '50': 0 });
  });

  it('deletion of the reversed map keeps p until the region goes last: a larger AUC', async () => {
    const reversed = regionFirst.map((v) => -v);
    const good = await evaluateMap(regionFirst, image(), ['deletion'], settings, regionModel);
    const bad = await evaluateMap(reversed, image(), ['deletion'], settings, regionModel);
    expect(bad.deletion!.scores.slice(0, 4).every((s) => Math.abs(s - pFull) < 1e-14)).toBe(true);
    expect(bad.deletion!.auc).toBeGreaterThan(good.deletion!.auc);
  });

  it('insertion: inserting the region first restores p after one step', async () => {
    const m = await evaluateMap(regionFirst, image(), ['insertion'], settings, regionModel);
    expect(m.insertion!.scores[0]).toBeCloseTo(0.5, 14);
    m.insertion!.scores.slice(1).forEach((s) => expect(s).toBeCloseTo(pFull, 14));
  });

  it('LeRF: the least salient pixels do not matter until the region goes', async () => {
    const m = await evaluateMap(regionFirst, image(), ['lerf'], settings, regionModel);
    const l = m.lerf!;
    expect(l.afoc['25']).toBe(0);
    expect(l.afoc['75']).toBe(0);
    expect(l.scores.slice(0, 4).every((s) => Math.abs(s - pFull) < 1e-14)).toBe(true);
    expect(l.scores[4]).toBeCloseTo(0.5, 14);
  });
});

describe('adversarial guidance', () => {
  /** Linear model on 4 x 4 x 1 pixels: class 0 = 10 * (x_5 - 0.5), class 1 = 0. */
  const linear: Predictor = async (inputs) => inputs.map((x) => Float64Array.of(10 * (x[5] - 0.5), 0));
  const img = (): ImageUnderTest => ({
    x: new Float64Array(16).fill(0.6),
    geo,
    norm: { mean: [0], std: [1] },
    target: 0,
    // d CE / d x for class 0 is negative on pixel 5 only.
    attackGradient: Float64Array.from({ length: 16 }, (_, p) => (p === 5 ? -1 : 0)),
  });
  const attack: MetricSettings = { ...settings, epsilon: 0.2, attackPercents: [6.25, 50] };

  it('succeeds exactly when the mask covers the pixel the class depends on', async () => {
    const onPixel = Float64Array.from({ length: 16 }, (_, p) => (p === 5 ? 1 : 0));
    const offPixel = Float64Array.from({ length: 16 }, (_, p) => (p === 5 ? -1 : p));
    const hit = (await evaluateMap(onPixel, img(), ['adversarial'], attack, linear)).adversarial!;
    expect(hit.success).toEqual([1, 1]);
    expect(hit.kStar).toBe(6.25);
    expect(hit.l0).toEqual([1, 1]);
    expect(hit.l2[0]).toBeCloseTo(0.2, 14);
    const miss = (await evaluateMap(offPixel, img(), ['adversarial'], attack, linear)).adversarial!;
    expect(miss.success).toEqual([0, 0]);
    expect(miss.kStar).toBeNull();
  });

  it('PGD reaches the same result with the gradient at each step', async () => {
    const pgdImg: ImageUnderTest = {
      ...img(),
      lossGradientAt: (x) => ({
        grad: Float64Array.from({ length: 16 }, (_, p) => (p === 5 ? -1 : 0)),
        logits: Float64Array.of(10 * (x[5] - 0.5), 0),
      }),
    };
    const onPixel = Float64Array.from({ length: 16 }, (_, p) => (p === 5 ? 1 : 0));
    const s: MetricSettings = { ...attack, attack: 'pgd', pgdStep: 0.03, pgdIterations: 10 };
    const r = (await evaluateMap(onPixel, pgdImg, ['adversarial'], s, linear)).adversarial!;
    expect(r.success).toEqual([1, 1]);
    // Early stop after 4 steps: 0.6 - 4 * 0.03 = 0.48 is the first value below the 0.5 threshold.
    expect(r.l2[0]).toBeCloseTo(0.12, 12);
  });

  it('perturbation size: L2, L0, PSNR, and SSIM 1 for identical images', () => {
    const g8 = { C: 1, H: 16, W: 16 };
    const a = new Float64Array(256).fill(0.5);
    const b = Float64Array.from(a);
    b[3] += 0.1;
    const size = perturbationSize(a, b, g8);
    expect(size.l2).toBeCloseTo(0.1, 14);
    expect(size.l0).toBe(1);
    expect(size.psnr).toBeCloseTo(10 * Math.log10(1 / (0.01 / 256)), 10);
    expect(ssim(a, a, g8)).toBeCloseTo(1, 14);
    expect(perturbationSize(a, a, g8).psnr).toBeNull();
  });

  it("SSIM with the clean image's statistics given is the same number as without", () => {
    const g = { C: 3, H: 17, W: 13 };
    const n = g.C * g.H * g.W;
    const a = Float64Array.from({ length: n }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.31));
    const b = a.map((v, i) => (i % 5 === 0 ? Math.min(1, v + 0.05) : v));
    const stats = ssimStats(a, g);
    const plain = ssim(a, b, g)!;
    expect(plain).toBeLessThan(1);
    expect(ssim(a, b, g, stats)).toBe(plain);
    expect(perturbationSize(a, b, g, stats)).toEqual(perturbationSize(a, b, g));
    expect(ssimStats(a, { C: 1, H: 10, W: 40 })).toBeNull();
  });
});

/** SSIM as its definition reads: every window filtered from both images (separable Gaussian, valid region). */
function plainSsim(a: Float64Array, b: Float64Array, g: { C: number; H: number; W: number }): number {
  const taps = Array.from({ length: 11 }, (_, i) => Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
  const norm = taps.reduce((s, v) => s + v, 0);
  for (let i = 0; i < 11; i++) taps[i] /= norm;
  const { H, W } = g;
  const w = W - 10;
  const h = H - 10;
  const filter = (v: Float64Array) => {
    const tmp = new Float64Array(H * w);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let t = 0; t < 11; t++) s += taps[t] * v[y * W + x + t];
        tmp[y * w + x] = s;
      }
    const out = new Float64Array(h * w);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let t = 0; t < 11; t++) s += taps[t] * tmp[(y + t) * w + x];
        out[y * w + x] = s;
      }
    return out;
  };
  let total = 0;
  for (let c = 0; c < g.C; c++) {
    const x = a.subarray(c * H * W, (c + 1) * H * W);
    const y = b.subarray(c * H * W, (c + 1) * H * W);
    const [mx, my, xx, yy, xy] = [
      x,
      y,
      x.map((v) => v * v),
      y.map((v) => v * v),
      x.map((v, i) => v * y[i]),
    ].map(filter);
    let s = 0;
    for (let i = 0; i < mx.length; i++) {
      const vx = xx[i] - mx[i] * mx[i];
      const vy = yy[i] - my[i] * my[i];
      const cov = xy[i] - mx[i] * my[i];
      s +=
        ((2 * mx[i] * my[i] + 0.01 ** 2) * (2 * cov + 0.03 ** 2)) /
        ((mx[i] ** 2 + my[i] ** 2 + 0.01 ** 2) * (vx + vy + 0.03 ** 2));
    }
    total += s / mx.length;
  }
  return total / g.C;
}

describe('SSIM reusing the clean rows', () => {
  it('is the number of filtering every window, for a few changed pixels and for many', () => {
    const g = { C: 3, H: 40, W: 33 };
    const plane = g.H * g.W;
    const a = Float64Array.from(
      { length: g.C * plane },
      (_, i) => 0.5 + 0.45 * Math.sin(i * 0.37) * Math.cos(i * 0.011),
    );
    const stats = ssimStats(a, g);
    for (const every of [997, 41, 3]) {
      const b = a.map((v, i) =>
        (i % plane) % every === 2 ? Math.min(1, Math.max(0, v + (i % 2 ? 0.2 : -0.2))) : v,
      );
      const want = plainSsim(a, b, g);
      expect(want).toBeLessThan(plainSsim(a, a, g));
      expect(ssim(a, b, g, stats)).toBe(want);
      expect(ssim(a, b, g)).toBe(want);
    }
    expect(ssim(a, a, g, stats)).toBe(plainSsim(a, a, g));
  });
});

describe('several maps of one method (random seeds)', () => {
  it('are averaged pointwise', async () => {
    const m1 = await evaluateMap(regionFirst, image(), ['deletion'], settings, regionModel);
    const m2 = await evaluateMap(
      regionFirst.map((v) => -v),
      image(),
      ['deletion'],
      settings,
      regionModel,
    );
    const mean = meanMapMetrics([m1, m2]);
    expect(mean.deletion!.auc).toBeCloseTo((m1.deletion!.auc + m2.deletion!.auc) / 2, 15);
    expect(mean.deletion!.scores[2]).toBeCloseTo((m1.deletion!.scores[2] + m2.deletion!.scores[2]) / 2, 15);
  });
});
