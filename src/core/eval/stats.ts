/**
 * Summary statistics and the paired test of the report: mean +- sample standard deviation, median, and the
 * Wilcoxon signed-rank test (two-sided).
 */

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Ranks 1..n of `values` (ties get the mean of their ranks), in the input order. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  // The mean rank of each run of equal values, at the run's first position: positions lo .. end-1 hold
  // the same value, ranks lo+1 .. end, whose mean is (lo + 1 + end) / 2.
  const runRank = new Float64Array(n);
  for (let lo = 0; lo < n;) {
    let end = lo + 1;
    while (end < n && sorted[end] === sorted[lo]) end++;
    runRank[lo] = (lo + 1 + end) / 2;
    lo = end;
  }
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // NaN matches no position (sorted last): rank 1/2, as an empty run at 0.
    if (v !== v) {
      ranks[i] = 0.5;
      continue;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = runRank[lo];
  }
  return ranks;
}

/** Complementary error function (Numerical Recipes' erfcc: fractional error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface WilcoxonResult {
  /** Pairs with a non-zero difference (zero differences are dropped, Wilcoxon's convention). */
  n: number;
  zeros: number;
  /** Sums of the ranks of |a - b| where a > b and where a < b. */
  wPlus: number;
  wMinus: number;
  /** Two-sided p-value; 1 when n = 0. */
  p: number;
  /** 'exact' (n <= 50 and no tied |differences|) or 'normal' (tie-corrected, no continuity correction). */
  method: 'exact' | 'normal';
}

const EXACT_MAX_N = 50;

/** P(W+ <= w) under H0 for ranks 1..n, by counting subsets with a given rank sum. */
function exactCdf(n: number, w: number): number {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) for (let s = max; s >= r; s--) counts[s] += counts[s - r];
  let below = 0;
  for (let s = 0; s <= Math.min(w, max); s++) below += counts[s];
  return below / 2 ** n;
}

/**
 * Paired two-sided Wilcoxon signed-rank test of a vs b (same length, paired by index). The conventions
 * follow scipy.stats.wilcoxon's defaults (zero_method 'wilcox', no continuity correction), so p-values can
 * be checked against it.
 */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonResult {
  if (a.length !== b.length) throw new Error('wilcoxon: the samples are not paired (different lengths)');
  const d = a.map((v, i) => v - b[i]).filter((v) => v !== 0);
  const zeros = a.length - d.length;
  const n = d.length;
  if (n === 0) return { n, zeros, wPlus: 0, wMinus: 0, p: 1, method: 'exact' };
  const ranks = averageRanks(d.map(Math.abs));
  let wPlus = 0;
  d.forEach((v, i) => {
    if (v > 0) wPlus += ranks[i];
  });
  const wMinus = (n * (n + 1)) / 2 - wPlus;
  const ties = new Map<number, number>();
  for (const r of ranks) ties.set(r, (ties.get(r) ?? 0) + 1);
  const tied = [...ties.values()].some((t) => t > 1);
  if (n <= EXACT_MAX_N && !tied) {
    const low = Math.min(wPlus, wMinus);
    return { n, zeros, wPlus, wMinus, p: Math.min(1, 2 * exactCdf(n, low)), method: 'exact' };
  }
  const tieTerm = [...ties.values()].reduce((s, t) => s + t ** 3 - t, 0);
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const z = (wPlus - (n * (n + 1)) / 4) / Math.sqrt(variance);
  return { n, zeros, wPlus, wMinus, p: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)), method: 'normal' };
}
