// PANE-SPEC 5.6: convolution correctness against a dense (Toeplitz) matrix on many random shapes, for the
// forward map and its adjoint; the matrix products and pooling sums likewise against explicit loops.
import { describe, expect, it } from 'vitest';
import { avgPoolDivisors, convGeometry, poolGeometry } from '../onnx/geometry';
import type { AttrValue, IrNode } from '../onnx/ir';
import { mulberry32 } from '../random';
import { numel } from '../tensor';
import {
  conv2d,
  conv2dAdjointAccumulate,
  matmulAccumulate,
  matmulAdjointAAccumulate,
  matmulAdjointBAccumulate,
  sumPoolAdjointAccumulate,
  type MatmulShape,
} from './linear';
import { convMatrix, maxRelDiff, randomTensor } from '../../../tests/support/testkit';

function irNode(opType: string, attrs: Record<string, AttrValue>): IrNode {
  return { name: `${opType}_test`, opType, domain: '', inputs: [], outputs: [], attrs };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

interface ConvCase {
  xDims: number[];
  wDims: number[];
  attrs: Record<string, AttrValue>;
}

/** Random convolution shapes: groups 1 / 2 / C (depthwise), strides, dilations, pads, auto_pad, 1-D. */
function randomConvCases(count: number, seed: number): ConvCase[] {
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const oneD = rng() < 0.15;
    const C = pick([2, 4, 6]);
    const group = pick([1, 2, C]);
    const M = group === C && rng() < 0.5 ? C : group * pick([1, 2, 3]);
    const kH = oneD ? 1 : pick([1, 2, 3]);
    const kW = pick([1, 2, 3]);
    const H = oneD ? 1 : 3 + Math.floor(rng() * 6);
    const W = 3 + Math.floor(rng() * 6);
    const N = pick([1, 2]);
    const strides = oneD ? [pick([1, 2])] : [pick([1, 2]), pick([1, 2])];
    const dilations = oneD ? [pick([1, 2])] : [pick([1, 2]), pick([1, 2])];
    const autoPad = pick(['NOTSET', 'NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
    const attrs: Record<string, AttrValue> = { group, strides, dilations };
    if (rng() < 0.5) attrs.kernel_shape = oneD ? [kW] : [kH, kW];
    if (autoPad === 'NOTSET') {
      attrs.pads = oneD ? [pick([0, 1, 2]), pick([0, 1, 2])] : [0, 0, 0, 0].map(() => pick([0, 1, 2]));
    } else {
      attrs.auto_pad = autoPad;
    }
    const xDims = oneD ? [N, C, W] : [N, C, H, W];
    const wDims = oneD ? [M, C / group, kW] : [M, C / group, kH, kW];
    try {
      convGeometry(irNode('Conv', attrs), xDims, wDims);
    } catch {
      continue; // window larger than the padded input
    }
    cases.push({ xDims, wDims, attrs });
  }
  return cases;
}

describe('conv2d and conv2dAdjointAccumulate (spec 5.6)', () => {
  const cases = randomConvCases(150, 7);

  it('cover every variant the spec lists', () => {
    const has = (f: (c: ConvCase) => boolean) => cases.some(f);
    expect(has((c) => c.attrs.group === c.xDims[1] && c.wDims[0] === c.xDims[1])).toBe(true); // depthwise
    expect(has((c) => c.attrs.group === 2)).toBe(true);
    expect(has((c) => c.attrs.auto_pad === 'SAME_UPPER')).toBe(true);
    expect(has((c) => c.attrs.auto_pad === 'SAME_LOWER')).toBe(true);
    expect(has((c) => c.attrs.auto_pad === 'VALID')).toBe(true);
    expect(has((c) => Array.isArray(c.attrs.pads) && new Set(c.attrs.pads as number[]).size > 1)).toBe(true);
    expect(has((c) => c.xDims.length === 3)).toBe(true);
    expect(has((c) => c.wDims.length === 4 && c.wDims[2] !== c.wDims[3])).toBe(true);
  });

  it('equal the dense Toeplitz matrix and its transpose on random shapes', () => {
    const rng = mulberry32(11);
    for (const c of cases) {
      const geo = convGeometry(irNode('Conv', c.attrs), c.xDims, c.wDims);
      const w = randomTensor(rng, c.wDims);
      const x = randomTensor(rng, c.xDims);
      const y = conv2d(x, w, geo);
      const gy = randomTensor(rng, y.dims);
      const gx = new Float64Array(numel(c.xDims));
      conv2dAdjointAccumulate(gy.data, w.data, w.dims, geo, c.xDims, gx);
      const A = convMatrix(c.xDims, w, geo);
      const inLen = numel(c.xDims.slice(1));
      const outLen = A.length;
      for (let n = 0; n < c.xDims[0]; n++) {
        const xn = x.data.subarray(n * inLen, (n + 1) * inLen);
        const gyn = gy.data.subarray(n * outLen, (n + 1) * outLen);
        const expectY = A.map((row) => dot(row, xn));
        const expectGx = new Float64Array(inLen);
        A.forEach((row, r) => row.forEach((a, i) => (expectGx[i] += a * gyn[r])));
        expect(maxRelDiff(y.data.subarray(n * outLen, (n + 1) * outLen), expectY)).toBeLessThan(1e-13);
        expect(maxRelDiff(gx.subarray(n * inLen, (n + 1) * inLen), expectGx)).toBeLessThan(1e-13);
      }
      // <A x, gy> = <x, A^T gy>
      expect(Math.abs(dot(y.data, gy.data) - dot(x.data, gx))).toBeLessThan(1e-11);
    }
  });

  it('keep the output shape of the spatial op', () => {
    const geo = convGeometry(
      irNode('Conv', { strides: [2, 2], pads: [1, 0, 0, 1] }),
      [1, 2, 7, 6],
      [3, 2, 3, 2],
    );
    const y = conv2d(
      randomTensor(mulberry32(1), [1, 2, 7, 6]),
      randomTensor(mulberry32(2), [3, 2, 3, 2]),
      geo,
    );
    expect(y.dims).toEqual([1, 3, geo.outH, geo.outW]);
  });
});

describe('matrix products', () => {
  it('matmul and its adjoints equal explicit loops for every trans flag', () => {
    const rng = mulberry32(3);
    for (const [transA, transB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const s: MatmulShape = { M: 3, K: 4, N: 5, transA, transB };
      const a = randomTensor(rng, [12]).data;
      const b = randomTensor(rng, [20]).data;
      const gy = randomTensor(rng, [15]).data;
      const A = (m: number, k: number) => (transA ? a[k * 3 + m] : a[m * 4 + k]);
      const B = (k: number, n: number) => (transB ? b[n * 4 + k] : b[k * 5 + n]);
      const y = new Float64Array(15);
      matmulAccumulate(a, b, s, y);
      const ga = new Float64Array(12);
      matmulAdjointAAccumulate(gy, b, s, ga);
      const gb = new Float64Array(20);
      matmulAdjointBAccumulate(gy, a, s, gb);
      for (let m = 0; m < 3; m++) {
        for (let n = 0; n < 5; n++) {
          let acc = 0;
          for (let k = 0; k < 4; k++) acc += A(m, k) * B(k, n);
          expect(y[m * 5 + n]).toBeCloseTo(acc, 13);
        }
      }
      // Adjoint identities <op(A) op(B), gy> = <A, gA> = <B, gB>.
      expect(dot(a, ga)).toBeCloseTo(dot(y, gy), 12);
      expect(dot(b, gb)).toBeCloseTo(dot(y, gy), 12);
      for (let m = 0; m < 3; m++) {
        for (let k = 0; k < 4; k++) {
          let acc = 0;
          for (let n = 0; n < 5; n++) acc += gy[m * 5 + n] * B(k, n);
          expect(ga[transA ? k * 3 + m : m * 4 + k]).toBeCloseTo(acc, 13);
        }
      }
    }
  });
});

describe('sum pooling and average-pool divisors', () => {
  const pool = (attrs: Record<string, AttrValue>, xDims: number[]) =>
    poolGeometry(irNode('AveragePool', attrs), xDims);

  it("sum pooling's adjoint spreads each output's gradient over its window taps inside the input", () => {
    const xDims = [1, 2, 5, 6];
    const geo = pool({ kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], ceil_mode: 1 }, xDims);
    const outDims = [1, 2, geo.outH, geo.outW];
    // Column by column: the adjoint of the unit gradient at one output is its window (taps in the padding
    // dropped), added to what gx held.
    for (let c = 0; c < 2; c++) {
      for (let oh = 0; oh < geo.outH; oh++) {
        for (let ow = 0; ow < geo.outW; ow++) {
          const gy = new Float64Array(numel(outDims));
          gy[(c * geo.outH + oh) * geo.outW + ow] = 1;
          const want = new Float64Array(numel(xDims)).fill(0.5);
          for (let kh = 0; kh < 3; kh++) {
            for (let kw = 0; kw < 2; kw++) {
              const ih = oh * 2 - 1 + kh;
              const iw = ow * 2 + kw;
              if (ih >= 0 && ih < 5 && iw >= 0 && iw < 6) want[(c * 5 + ih) * 6 + iw] += 1;
            }
          }
          const gx = new Float64Array(numel(xDims)).fill(0.5);
          sumPoolAdjointAccumulate(gy, geo, xDims, gx);
          expect([...gx], `output (${c}, ${oh}, ${ow})`).toEqual([...want]);
        }
      }
    }
  });

  it('divisors count the taps inside the input, or inside the padded input with count_include_pad', () => {
    const xDims = [1, 1, 5, 5];
    const geo = pool({ kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, xDims);
    expect([geo.outH, geo.outW]).toEqual([3, 3]);
    // Corner window: rows -1..1, cols -1..1 -> 4 taps inside, 9 inside the padded input.
    expect(avgPoolDivisors(geo, xDims, false)[0]).toBe(4);
    expect(avgPoolDivisors(geo, xDims, true)[0]).toBe(9);
    expect(avgPoolDivisors(geo, xDims, false)[4]).toBe(9);
    const noPad = pool({ kernel_shape: [2, 2], strides: [2, 2] }, [1, 1, 4, 4]);
    expect([...avgPoolDivisors(noPad, [1, 1, 4, 4], false)]).toEqual([4, 4, 4, 4]);
    expect([...avgPoolDivisors(noPad, [1, 1, 4, 4], true)]).toEqual([4, 4, 4, 4]);
  });
});
