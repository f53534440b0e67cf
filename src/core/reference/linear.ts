/**
 * Float64 linear maps of the reference: convolution, matrix product and sum pooling, each with its exact
 * adjoint (transpose). The double chain evaluates these at modified weights (|W|, W+, W-) and on modified
 * inputs; no derivative of a non-linearity is ever taken (PANE-SPEC 4.8).
 *
 * The `...Accumulate` kernels add into a caller-owned output so that sums of several passes (the sign
 * split of PANE-SPEC 3, the two brackets of 4.2) need no temporaries. Loops are weight-stationary: one
 * weight is read, the valid output range for its kernel tap is computed once, and the innermost loop is a
 * plain multiply-add over a row. Zero weights are skipped, which makes a pass with W+ or W- cost only the
 * taps of that sign.
 */
import { spatialOutputDims, type ConvGeometry, type Window2d } from '../onnx/geometry';
import { numel, type Tensor } from '../tensor';

/** Sizes of a convolution; 1-D tensors [N, C, L] are viewed as H = 1. */
interface ConvShape {
  N: number;
  C: number;
  H: number;
  W: number;
  M: number;
  kH: number;
  kW: number;
}

function convShape(xDims: readonly number[], wDims: readonly number[], geo: ConvGeometry): ConvShape {
  const oneD = xDims.length === 3;
  if (!oneD && xDims.length !== 4)
    throw new Error(`conv: input must be 3-D or 4-D, got [${xDims.join(',')}]`);
  if (wDims.length !== xDims.length) {
    throw new Error(`conv: weight [${wDims.join(',')}] does not match input [${xDims.join(',')}]`);
  }
  const shape: ConvShape = {
    N: xDims[0],
    C: xDims[1],
    H: oneD ? 1 : xDims[2],
    W: oneD ? xDims[2] : xDims[3],
    M: wDims[0],
    kH: oneD ? 1 : wDims[2],
    kW: oneD ? wDims[2] : wDims[3],
  };
  if (shape.C !== wDims[1] * geo.group || shape.M % geo.group !== 0) {
    throw new Error(`conv: input [${xDims.join(',')}], weight [${wDims.join(',')}], group ${geo.group}`);
  }
  return shape;
}

/**
 * For each kernel tap k: the first and last output index o whose input index o*stride - pad + k*dilation
 * lies inside [0, size). Stored as [first0, last0, first1, last1, ...]; first > last means no valid output.
 */
function tapRanges(
  taps: number,
  dilation: number,
  stride: number,
  pad: number,
  size: number,
  outSize: number,
): Int32Array {
  const r = new Int32Array(2 * taps);
  for (let k = 0; k < taps; k++) {
    const shift = k * dilation - pad;
    r[2 * k] = Math.max(0, Math.ceil(-shift / stride));
    r[2 * k + 1] = Math.min(outSize - 1, Math.floor((size - 1 - shift) / stride));
  }
  return r;
}

/** Everything the loop nests need, resolved once per call. */
interface ConvPlan extends ConvShape {
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  /** Input channels and output channels per group. */
  cg: number;
  mg: number;
  /** tapRanges of the rows and the columns. */
  rows: Int32Array;
  cols: Int32Array;
  /** Offset of tap (kh, kw) from the input element under output (0, 0): (kh*dh - pt)*W + kw*dw - pl. */
  tapOffset: Int32Array;
}

function convPlan(
  x: Float64Array,
  xDims: readonly number[],
  w: Float64Array,
  wDims: readonly number[],
  geo: ConvGeometry,
  y: Float64Array,
): ConvPlan {
  const shape = convShape(xDims, wDims, geo);
  const { N, C, H, W, M, kH, kW } = shape;
  const { outH: OH, outW: OW, group } = geo;
  const [sh, sw] = geo.strides;
  const [dh, dw] = geo.dilations;
  const [pt, pl] = geo.pads;
  if (x.length !== N * C * H * W || y.length !== N * M * OH * OW || w.length !== numel(wDims)) {
    throw new Error('conv: buffer sizes do not match the geometry');
  }
  const tapOffset = new Int32Array(kH * kW);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) tapOffset[kh * kW + kw] = (kh * dh - pt) * W + kw * dw - pl;
  }
  return {
    ...shape,
    OH,
    OW,
    sh,
    sw,
    cg: C / group,
    mg: M / group,
    rows: tapRanges(kH, dh, sh, pt, H, OH),
    cols: tapRanges(kW, dw, sw, pl, W, OW),
    tapOffset,
  };
}

/**
 * y += conv(x; w). Four input channels are combined per read-modify-write of y (register blocking: about
 * twice as fast in V8 as one multiply-add per store); a block whose four weights are 0 is skipped.
 */
function convForwardLoops(x: Float64Array, w: Float64Array, p: ConvPlan, y: Float64Array): void {
  const { N, C, H, W, M, kH, kW, OH, OW, sh, sw, cg, mg, rows, cols, tapOffset } = p;
  const planeX = H * W;
  const planeY = OH * OW;
  const taps = kH * kW;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const yBase = (n * M + m) * planeY;
      const cFirst = Math.floor(m / mg) * cg;
      for (let ci = 0; ci < cg; ci += 4) {
        const block = Math.min(4, cg - ci);
        const xBase = (n * C + cFirst + ci) * planeX;
        const wBase = (m * cg + ci) * taps;
        for (let kh = 0; kh < kH; kh++) {
          const oh0 = rows[2 * kh];
          const oh1 = rows[2 * kh + 1];
          for (let kw = 0; kw < kW; kw++) {
            const ow0 = cols[2 * kw];
            const ow1 = cols[2 * kw + 1];
            if (oh0 > oh1 || ow0 > ow1) continue;
            const t = kh * kW + kw;
            const xTap = xBase + tapOffset[t];
            if (block === 4) {
              const w0 = w[wBase + t];
              const w1 = w[wBase + taps + t];
              const w2 = w[wBase + 2 * taps + t];
              const w3 = w[wBase + 3 * taps + t];
              if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
              for (let oh = oh0; oh <= oh1; oh++) {
                const xr = xTap + oh * sh * W;
                const yr = yBase + oh * OW;
                for (let ow = ow0; ow <= ow1; ow++) {
                  const xi = xr + ow * sw;
                  y[yr + ow] +=
                    w0 * x[xi] + w1 * x[xi + planeX] + w2 * x[xi + 2 * planeX] + w3 * x[xi + 3 * planeX];
                }
              }
            } else {
              for (let b = 0; b < block; b++) {
                const wv = w[wBase + b * taps + t];
                if (wv === 0) continue;
                const xb = xTap + b * planeX;
                for (let oh = oh0; oh <= oh1; oh++) {
                  const xr = xb + oh * sh * W;
                  const yr = yBase + oh * OW;
                  for (let ow = ow0; ow <= ow1; ow++) y[yr + ow] += wv * x[xr + ow * sw];
                }
              }
            }
          }
        }
      }
    }
  }
}

/**
 * gx += conv^T(gy; w), the exact transpose of convForwardLoops (same plan, same taps); four output
 * channels are combined per read-modify-write of gx.
 */
function convAdjointLoops(gy: Float64Array, w: Float64Array, p: ConvPlan, gx: Float64Array): void {
  const { N, C, H, W, M, kH, kW, OH, OW, sh, sw, cg, mg, rows, cols, tapOffset } = p;
  const planeX = H * W;
  const planeY = OH * OW;
  const taps = kH * kW;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xBase = (n * C + c) * planeX;
      const grp = Math.floor(c / cg);
      const ci = c - grp * cg;
      for (let mi = 0; mi < mg; mi += 4) {
        const block = Math.min(4, mg - mi);
        const m = grp * mg + mi;
        const yBase = (n * M + m) * planeY;
        const wBase = (m * cg + ci) * taps;
        const wStep = cg * taps;
        for (let kh = 0; kh < kH; kh++) {
          const oh0 = rows[2 * kh];
          const oh1 = rows[2 * kh + 1];
          for (let kw = 0; kw < kW; kw++) {
            const ow0 = cols[2 * kw];
            const ow1 = cols[2 * kw + 1];
            if (oh0 > oh1 || ow0 > ow1) continue;
            const t = kh * kW + kw;
            const xTap = xBase + tapOffset[t];
            if (block === 4) {
              const w0 = w[wBase + t];
              const w1 = w[wBase + wStep + t];
              const w2 = w[wBase + 2 * wStep + t];
              const w3 = w[wBase + 3 * wStep + t];
              if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
              for (let oh = oh0; oh <= oh1; oh++) {
                const xr = xTap + oh * sh * W;
                const yr = yBase + oh * OW;
                for (let ow = ow0; ow <= ow1; ow++) {
                  const yi = yr + ow;
                  gx[xr + ow * sw] +=
                    w0 * gy[yi] + w1 * gy[yi + planeY] + w2 * gy[yi + 2 * planeY] + w3 * gy[yi + 3 * planeY];
                }
              }
            } else {
              for (let b = 0; b < block; b++) {
                const wv = w[wBase + b * wStep + t];
                if (wv === 0) continue;
                const yb = yBase + b * planeY;
                for (let oh = oh0; oh <= oh1; oh++) {
                  const xr = xTap + oh * sh * W;
                  const yr = yb + oh * OW;
                  for (let ow = ow0; ow <= ow1; ow++) gx[xr + ow * sw] += wv * gy[yr + ow];
                }
              }
            }
          }
        }
      }
    }
  }
}

/** y += conv(x; w) without bias. Weights [M, C/group, kH, kW] (or [M, C/group, kL] for 1-D). */
export function conv2dAccumulate(
  x: Float64Array,
  xDims: readonly number[],
  w: Float64Array,
  wDims: readonly number[],
  geo: ConvGeometry,
  y: Float64Array,
): void {
  convForwardLoops(x, w, convPlan(x, xDims, w, wDims, geo, y), y);
}

/** gx += conv^T(gy; w): the exact transpose of conv2dAccumulate; padding positions are dropped. */
export function conv2dAdjointAccumulate(
  gy: Float64Array,
  w: Float64Array,
  wDims: readonly number[],
  geo: ConvGeometry,
  xDims: readonly number[],
  gx: Float64Array,
): void {
  convAdjointLoops(gy, w, convPlan(gx, xDims, w, wDims, geo, gy), gx);
}

/** Convolution without bias: x [N, C, H, W] or [N, C, L], any group / stride / dilation / pads. */
export function conv2d(x: Tensor, w: Tensor, geo: ConvGeometry): Tensor {
  const dims = spatialOutputDims(x.dims, w.dims[0], geo);
  const y = new Float64Array(numel(dims));
  conv2dAccumulate(x.data, x.dims, w.data, w.dims, geo, y);
  return { dims, data: y };
}

// ---------------------------------------------------------------------------------------------------------
// Sum pooling: a depthwise convolution with an all-ones kernel, so it shares the convolution's loops and
// therefore its handling of strides, dilations, pads and ceil_mode windows (padding adds nothing).

/** Sum pooling over `geo` as a depthwise convolution: an all-ones weight and the same window. */
export function sumPoolKernel(geo: Window2d, xDims: readonly number[]): { w: Tensor; geo: ConvGeometry } {
  const C = xDims[1];
  const [kH, kW] = geo.kernel;
  const dims = xDims.length === 3 ? [C, 1, kW] : [C, 1, kH, kW];
  return { w: { dims, data: new Float64Array(C * kH * kW).fill(1) }, geo: { ...geo, group: C } };
}

/** gx += the transpose of sum pooling applied to gy. */
export function sumPoolAdjointAccumulate(
  gy: Float64Array,
  geo: Window2d,
  xDims: readonly number[],
  gx: Float64Array,
): void {
  const k = sumPoolKernel(geo, xDims);
  conv2dAdjointAccumulate(gy, k.w.data, k.w.dims, k.geo, xDims, gx);
}

// ---------------------------------------------------------------------------------------------------------
// Matrix products (Gemm and MatMul). op(A) is [M, K] and op(B) is [K, N]; A and B are stored as given,
// i.e. transposed when the flag is set.

export interface MatmulShape {
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

function checkMatmul(a: Float64Array, b: Float64Array, s: MatmulShape, y: Float64Array): void {
  if (a.length !== s.M * s.K || b.length !== s.K * s.N || y.length !== s.M * s.N) {
    throw new Error(`matmul: buffer sizes do not match M=${s.M} K=${s.K} N=${s.N}`);
  }
}

/** y[M, N] += op(A) op(B). */
export function matmulAccumulate(a: Float64Array, b: Float64Array, s: MatmulShape, y: Float64Array): void {
  checkMatmul(a, b, s, y);
  const { M, K, N, transA, transB } = s;
  // op(B)[k, n] = b[k*bk + n*bn]
  const bk = transB ? 1 : N;
  const bn = transB ? K : 1;
  for (let m = 0; m < M; m++) {
    const yr = m * N;
    for (let k = 0; k < K; k++) {
      const av = transA ? a[k * M + m] : a[m * K + k];
      if (av === 0) continue;
      const br = k * bk;
      for (let n = 0; n < N; n++) y[yr + n] += av * b[br + n * bn];
    }
  }
}

/** gA += gy op(B)^T, laid out like A (the adjoint of matmul with respect to A). */
export function matmulAdjointAAccumulate(
  gy: Float64Array,
  b: Float64Array,
  s: MatmulShape,
  ga: Float64Array,
): void {
  checkMatmul(ga, b, s, gy);
  const { M, K, N, transA, transB } = s;
  const bk = transB ? 1 : N;
  const bn = transB ? K : 1;
  for (let m = 0; m < M; m++) {
    const yr = m * N;
    for (let k = 0; k < K; k++) {
      const br = k * bk;
      let acc = 0;
      for (let n = 0; n < N; n++) acc += gy[yr + n] * b[br + n * bn];
      ga[transA ? k * M + m : m * K + k] += acc;
    }
  }
}

/** gB += op(A)^T gy, laid out like B (the adjoint of matmul with respect to B). */
export function matmulAdjointBAccumulate(
  gy: Float64Array,
  a: Float64Array,
  s: MatmulShape,
  gb: Float64Array,
): void {
  checkMatmul(a, gb, s, gy);
  const { M, K, N, transA, transB } = s;
  const bk = transB ? 1 : N;
  const bn = transB ? K : 1;
  for (let m = 0; m < M; m++) {
    const yr = m * N;
    for (let k = 0; k < K; k++) {
      const av = transA ? a[k * M + m] : a[m * K + k];
      if (av === 0) continue;
      const br = k * bk;
      for (let n = 0; n < N; n++) gb[br + n * bn] += av * gy[yr + n];
    }
  }
}
