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

/** Which 32-bit word of a float64 holds its sign and exponent on this platform. */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Positions 0..m-1 ordered by the unsigned 64-bit keys (hi, lo): an LSD radix sort in four 16-bit digits
 * (stable; a digit every key shares is skipped). Linear in m, where a comparison sort of the indices in
 * JavaScript costs far more on the million-unit layers the correlations rank.
 */
function radixOrder(hi: Uint32Array, lo: Uint32Array): Uint32Array {
  const m = hi.length;
  let order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  let next = new Uint32Array(m);
  const counts = new Uint32Array(65536);
  for (const [words, shift] of [
    [lo, 0],
    [lo, 16],
    [hi, 0],
    [hi, 16],
  ] as const) {
    counts.fill(0);
    for (let i = 0; i < m; i++) counts[(words[i] >>> shift) & 0xffff]++;
    if (m === 0 || counts[(words[0] >>> shift) & 0xffff] === m) continue;
    let at = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d];
      counts[d] = at;
      at += c;
    }
    for (let i = 0; i < m; i++) {
      const p = order[i];
      next[counts[(words[p] >>> shift) & 0xffff]++] = p;
    }
    [order, next] = [next, order];
  }
  return order;
}

/** Ranks 1..n of `values` (ties get the mean of their ranks), in the input order; NaN gets 1/2. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const ranks = new Float64Array(n);
  // The non-NaN values with their IEEE-754 bits mapped to an unsigned order (negative: all bits flipped;
  // positive: the sign bit set); -0 counts as 0, since the two are equal.
  const where = new Uint32Array(n);
  const one = new Float64Array(1);
  const bits = new Uint32Array(one.buffer);
  const hiAll = new Uint32Array(n);
  const loAll = new Uint32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== v) {
      ranks[i] = 0.5;
      continue;
    }
    one[0] = v === 0 ? 0 : v;
    const h = bits[HIGH_WORD];
    const l = bits[1 - HIGH_WORD];
    const negative = h >>> 31 === 1;
    hiAll[m] = negative ? ~h : h | 0x80000000;
    loAll[m] = negative ? ~l : l;
    where[m++] = i;
  }
  const hi = hiAll.subarray(0, m);
  const lo = loAll.subarray(0, m);
  const order = radixOrder(hi, lo);
  // Runs of equal keys are runs of equal values: positions a .. b-1 get ranks a+1 .. b, mean (a + 1 + b) / 2.
  for (let a = 0; a < order.length;) {
    let b = a + 1;
    while (b < order.length && hi[order[b]] === hi[order[a]] && lo[order[b]] === lo[order[a]]) b++;
    const rank = (a + 1 + b) / 2;
    for (let k = a; k < b; k++) ranks[where[order[k]]] = rank;
    a = b;
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
