// Maps of PANE-SPEC 3 and 4.5: channel sums, chain and excitation maps, purity, bilinear upsampling with
// half-pixel centres, display normalisation.
import { describe, expect, it } from 'vitest';
import {
  chainChannelSums,
  channelSum,
  forwardMaps,
  layerMaps,
  mapSize,
  normalizeSigned,
  percentile,
  purity,
  upsampleBilinear,
} from './maps';

describe('channel maps', () => {
  const dims = [1, 2, 2, 3];
  const T = Float64Array.from({ length: 12 }, (_, i) => i + 1);
  const R = T.map((t, i) => (i % 3 === 0 ? -t : t / 2));

  it('channelSum sums axis 1 of a batch-1 tensor', () => {
    expect([...channelSum(T, dims)]).toEqual([8, 10, 12, 14, 16, 18]);
    expect([...channelSum(new Float64Array([1, 2, 3]), [1, 3])]).toEqual([6]);
    expect(mapSize(dims)).toEqual({ h: 2, w: 3 });
    expect(mapSize([1, 4, 7])).toEqual({ h: 1, w: 7 });
    expect(() => channelSum(T, [2, 1, 2, 3])).toThrow(/batch/);
  });

  it('layerMaps: S = sum R, S_P - S_N = S, S_P + S_N = sum T', () => {
    const { S, SP, SN } = layerMaps({ T, R }, dims);
    const sumT = channelSum(T, dims);
    S.forEach((s, i) => {
      expect(SP[i] - SN[i]).toBeCloseTo(s, 13);
      expect(SP[i] + SN[i]).toBeCloseTo(sumT[i], 13);
    });
    expect([...S]).toEqual([...channelSum(R, dims)]);
  });

  it('chainChannelSums equals channelSum of the materialised P and N, bit for bit (NCHW and NHWC)', () => {
    // Random values of mixed scale, so that a different order of additions would show in the last bits.
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 10 ** ((seed % 7) - 3);
    for (const [shape, layout] of [
      [[1, 5, 3, 4], 'NCHW'],
      [[1, 3, 4, 5], 'NHWC'],
      [[1, 6], 'NCHW'],
      [[1, 2, 3, 2, 2], 'NCHW'],
    ] as const) {
      const n = shape.reduce((a: number, b: number) => a * b, 1);
      const t = Float64Array.from({ length: n }, () => Math.abs(next()));
      const r = t.map((v) => v * (next() > 0 ? 0.5 : -0.9));
      const { SP, SN } = chainChannelSums({ T: t, R: r }, shape, layout);
      const P = t.map((v, i) => (v + r[i]) / 2);
      const N = t.map((v, i) => (v - r[i]) / 2);
      expect([...SP]).toEqual([...channelSum(P, shape, layout)]);
      expect([...SN]).toEqual([...channelSum(N, shape, layout)]);
    }
    expect(() => chainChannelSums({ T, R }, [2, 1, 2, 3])).toThrow(/batch/);
  });

  it('forwardMaps and purity', () => {
    const e = {
      Epos: new Float64Array([3, 0, 1, 0]),
      Eneg: new Float64Array([1, 2, 1, 0]),
      G: new Float64Array([4, 2, 2, 0]),
    };
    const { PE, NE } = forwardMaps(e, [1, 2, 1, 2]);
    expect([...PE]).toEqual([4, 0]);
    expect([...NE]).toEqual([2, 2]);
    expect([...purity(e)]).toEqual([0.5, 1, 0, 0]);
  });
});

describe('upsampleBilinear (half-pixel centres, no align_corners)', () => {
  it('matches PyTorch interpolate(bilinear, align_corners=False) for 2x2 -> 4x4', () => {
    const up = upsampleBilinear(new Float64Array([1, 2, 3, 4]), 2, 2, 4, 4);
    const torch = [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4];
    up.forEach((v, i) => expect(v).toBeCloseTo(torch[i], 14));
  });

  it('is the identity at the same size, keeps constants, and handles 1 x n maps', () => {
    const m = Float64Array.from({ length: 6 }, (_, i) => i * i);
    expect([...upsampleBilinear(m, 2, 3, 2, 3)]).toEqual([...m]);
    expect(upsampleBilinear(new Float64Array(4).fill(7), 2, 2, 5, 3).every((v) => v === 7)).toBe(true);
    expect([...upsampleBilinear(new Float64Array([0, 4]), 1, 2, 2, 4)]).toEqual([0, 1, 3, 4, 0, 1, 3, 4]);
  });

  it('downsampling by 2 averages neighbour pairs', () => {
    expect([...upsampleBilinear(new Float64Array([0, 2, 4, 6]), 1, 4, 1, 2)]).toEqual([1, 5]);
  });
});

describe('display normalisation', () => {
  it('signed maps go to [-1, 1] by max |S|', () => {
    expect([...normalizeSigned(new Float64Array([2, -4, 1]))]).toEqual([0.5, -1, 0.25]);
  });

  it('an all-zero map stays zero', () => {
    expect([...normalizeSigned(new Float64Array(3))]).toEqual([0, 0, 0]);
    expect([...normalizeSigned(new Float64Array(3), 99.5)]).toEqual([0, 0, 0]);
  });

  it('clipping at a percentile of |S| saturates the outliers', () => {
    const m = Float64Array.from({ length: 201 }, (_, i) => i - 100);
    m[200] = 1e6;
    const n = normalizeSigned(m, 99.5);
    expect(n[200]).toBe(1);
    expect(n[0]).toBe(-1);
    expect(Math.abs(n[150])).toBeLessThan(1);
  });

  it('percentile interpolates linearly between order statistics (numpy default)', () => {
    expect(percentile(new Float64Array([4, 1, 3, 2]), 50)).toBe(2.5);
    expect(percentile(new Float64Array([4, 1, 3, 2]), 100)).toBe(4);
    expect(
      percentile(
        Float64Array.from({ length: 201 }, (_, i) => i),
        99.5,
      ),
    ).toBeCloseTo(199, 12);
  });
});
