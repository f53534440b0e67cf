/**
 * Removal and insertion curves (PANE-SPEC 6.1, 6.2, 6.5): the class probability as pixels are replaced in
 * saliency order, and the area under it.
 */

/** Pixel counts of a curve: 0, step, 2 step, ... and finally every pixel, plus the extra counts asked for. */
export function curveCounts(total: number, step: number, extra: readonly number[] = []): number[] {
  if (!(step >= 1)) throw new Error(`curve step must be >= 1 pixel (got ${step})`);
  const counts = new Set<number>(extra);
  for (let c = 0; c < total; c += step) counts.add(c);
  counts.add(total);
  return [...counts].sort((a, b) => a - b);
}

/** round(k% of total): the pixel count of a fraction given in percent. */
export function percentCount(percent: number, total: number): number {
  return Math.round((percent / 100) * total);
}

/**
 * Trapezoid area under scores over fractions in [0, 1]. On a uniform grid of n steps this is RISE's
 * normalised trapezoid (sum_i s_i - s_0/2 - s_n/2) / n; a last, shorter step is weighted by its width.
 */
export function trapezoidAuc(fractions: readonly number[], scores: readonly number[]): number {
  if (fractions.length !== scores.length)
    throw new Error('trapezoidAuc: fractions and scores differ in length');
  let area = 0;
  for (let i = 1; i < fractions.length; i++) {
    area += ((fractions[i] - fractions[i - 1]) * (scores[i] + scores[i - 1])) / 2;
  }
  return area;
}

/** The points of a curve at a uniform grid only (extra points are for the fraction metrics). */
export interface Curve {
  /** Fraction of pixels removed (deletion, LeRF) or inserted (insertion). */
  fractions: number[];
  /** Probability of the explained class. */
  scores: number[];
  auc: number;
}
