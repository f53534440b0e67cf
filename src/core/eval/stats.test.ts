import { describe, expect, it } from 'vitest';
import { pearson, spearman } from './correlation';
import { averageRanks, mean, median, std, wilcoxonSignedRank } from './stats';

describe('summary statistics', () => {
  it('mean, sample std, median', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 14);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('average ranks share ties', () => {
    expect([...averageRanks([10, 20, 20, 5])]).toEqual([2, 3.5, 3.5, 1]);
    expect([...averageRanks([NaN, 1, -Infinity, Infinity, -0, 0, -1e-300])]).toEqual([
      0.5, 5, 1, 6, 3.5, 3.5, 2,
    ]);
    // Long runs of ties (as the zeros of E+), -0 tied with 0: each rank is 1 + (values below) + (ties - 1) / 2.
    const v = Array.from({ length: 500 }, (_, i) =>
      i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : Math.round(Math.sin(i) * 20),
    );
    const want = v.map((x) => 1 + v.filter((y) => y < x).length + (v.filter((y) => y === x).length - 1) / 2);
    expect([...averageRanks(v)]).toEqual(want);
  });

  it('Pearson and Spearman', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    // Monotone but not linear: Spearman 1, Pearson below 1.
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 1000])).toBeCloseTo(1, 15);
    expect(pearson([1, 2, 3, 4], [1, 8, 27, 1000])!).toBeLessThan(0.9);
  });
});

describe('Wilcoxon signed-rank test', () => {
  // scipy.stats.wilcoxon documentation example (Cushny & Peebles via Fisher): exact two-sided p.
  const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];

  it('exact distribution: scipy gives statistic 24, p = 0.041259765625', () => {
    const r = wilcoxonSignedRank(d, new Array(d.length).fill(0));
    expect(r.method).toBe('exact');
    expect(r.wMinus).toBe(24);
    expect(r.wPlus).toBe(96);
    expect(r.p).toBeCloseTo(0.041259765625, 12);
  });

  it('is symmetric in its arguments', () => {
    const zeros = new Array(d.length).fill(0);
    expect(wilcoxonSignedRank(zeros, d).p).toBe(wilcoxonSignedRank(d, zeros).p);
  });

  it('normal approximation with ties: z from the tie-corrected variance', () => {
    // |d| = 1,1,2,3 with signs +,+,+,-: ranks 1.5,1.5,3,4, W+ = 6, n = 4, one tie of size 2.
    const r = wilcoxonSignedRank([1, 1, 2, -3], [0, 0, 0, 0]);
    expect(r.method).toBe('normal');
    expect(r.wPlus).toBe(6);
    // Tie-corrected variance n(n+1)(2n+1)/24 - sum(t^3 - t)/48 = 7.375, z = (W+ - n(n+1)/4) / sqrt(7.375)
    // = 0.368229847; two-sided p = erfc(|z| / sqrt 2) = 0.7127018566581784 (Python's math.erfc). Without the
    // tie correction (variance 7.5) p would be 0.7150006546880892, which this tolerance tells apart.
    expect(r.p).toBeCloseTo(0.7127018566581784, 6);
  });

  it('drops zero differences and reports p = 1 when nothing is left', () => {
    expect(wilcoxonSignedRank([1, 2], [1, 2])).toMatchObject({ n: 0, zeros: 2, p: 1 });
    expect(wilcoxonSignedRank([1, 2, 3], [1, 1, 1])).toMatchObject({ n: 2, zeros: 1 });
  });

  it('a large one-sided sample is highly significant (normal approximation, n > 50)', () => {
    const a = Array.from({ length: 60 }, (_, i) => i + 1);
    const r = wilcoxonSignedRank(a, new Array(60).fill(0));
    expect(r.method).toBe('normal');
    expect(r.p).toBeLessThan(1e-10);
    expect(r.p).toBeGreaterThan(1e-12);
  });
});
