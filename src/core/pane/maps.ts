/**
 * From per-element chains and excitations to 2-D maps (PANE-SPEC 3 "per-layer PANE maps", 4.5): channel
 * sums, bilinear upsampling for display, display normalisation. Maps are flat row-major Float64Arrays.
 */
import type { ImageLayout } from '../onnx/layout';
import { numel } from '../tensor';
import type { Excitation, Flux } from './types';

/**
 * Spatial size of a tensor's map: [N, C, H, W] -> H x W (NHWC: [N, H, W, C] -> H x W; rank 5+: the last two
 * axes); [N, C, L] -> 1 x L; anything else 1 x 1. The layout of a tensor of a graph is onnx/layout's tensorLayout (NHWC only for
 * TensorFlow image inputs and what is computed element-wise from them).
 */
export function mapSize(dims: readonly number[], layout: ImageLayout = 'NCHW'): { h: number; w: number } {
  const r = dims.length;
  if (r === 4 && layout === 'NHWC') return { h: dims[1], w: dims[2] };
  // Rank 5+ (a channel shuffle's [N, groups, C/groups, H, W]): the last two axes are still H and W.
  if (r >= 4) return { h: dims[r - 2], w: dims[r - 1] };
  if (r === 3) return { h: 1, w: dims[2] };
  return { h: 1, w: 1 };
}

/**
 * Sum over the channel axes of a batch-1 tensor, one value per position of mapSize: axis 1 (every axis
 * between the batch and H, W for rank 5+), or the last axis of NHWC.
 */
export function channelSum(
  x: Float64Array,
  dims: readonly number[],
  layout: ImageLayout = 'NCHW',
): Float64Array {
  if (dims.length >= 2 && dims[0] !== 1) throw new Error(`channelSum: batch ${dims[0]}; maps are per image`);
  if (x.length !== numel(dims)) throw new Error(`channelSum: ${x.length} values for [${dims.join(',')}]`);
  if (layout === 'NHWC' && dims.length === 4) {
    const C = dims[3];
    const out = new Float64Array(x.length / C);
    for (let p = 0; p < out.length; p++) for (let c = 0; c < C; c++) out[p] += x[p * C + c];
    return out;
  }
  const { h, w } = mapSize(dims);
  const plane = dims.length >= 3 ? h * w : 1;
  const out = new Float64Array(plane);
  // Plane by plane: the same additions in the same order as out[i % plane] += x[i], without the modulo.
  for (let base = 0; base < x.length; base += plane) for (let p = 0; p < plane; p++) out[p] += x[base + p];
  return out;
}

/**
 * The channel sums of the positive and negative chains, S_P = sum_c (T + R) / 2 and S_N = sum_c (T - R) / 2,
 * without materialising P and N: the same values, added in the same order, as channelSum of each.
 */
export function chainChannelSums(
  flux: Flux,
  dims: readonly number[],
  layout: ImageLayout = 'NCHW',
): { SP: Float64Array; SN: Float64Array } {
  const { T, R } = flux;
  if (dims.length >= 2 && dims[0] !== 1) throw new Error(`channelSum: batch ${dims[0]}; maps are per image`);
  if (T.length !== numel(dims) || R.length !== T.length)
    throw new Error(`channelSum: ${T.length} values for [${dims.join(',')}]`);
  if (layout === 'NHWC' && dims.length === 4) {
    const C = dims[3];
    const SP = new Float64Array(T.length / C);
    const SN = new Float64Array(T.length / C);
    for (let p = 0; p < SP.length; p++)
      for (let c = 0; c < C; c++) {
        const i = p * C + c;
        SP[p] += (T[i] + R[i]) / 2;
        SN[p] += (T[i] - R[i]) / 2;
      }
    return { SP, SN };
  }
  const { h, w } = mapSize(dims);
  const plane = dims.length >= 3 ? h * w : 1;
  const SP = new Float64Array(plane);
  const SN = new Float64Array(plane);
  for (let base = 0; base < T.length; base += plane)
    for (let p = 0; p < plane; p++) {
      const i = base + p;
      SP[p] += (T[i] + R[i]) / 2;
      SN[p] += (T[i] - R[i]) / 2;
    }
  return { SP, SN };
}

/** Net, positive and negative chain maps of a layer (spec 4.5): S = sum_c R, S_P = sum_c P, S_N = sum_c N. */
export function layerMaps(
  flux: Flux,
  dims: readonly number[],
  layout: ImageLayout = 'NCHW',
): { S: Float64Array; SP: Float64Array; SN: Float64Array } {
  return { S: channelSum(flux.R, dims, layout), ...chainChannelSums(flux, dims, layout) };
}

/** Class-agnostic forward PANE maps of an affine layer (spec 3): PE = sum_c E+, NE = sum_c E-. */
export function forwardMaps(
  e: Excitation,
  dims: readonly number[],
  layout: ImageLayout = 'NCHW',
): { PE: Float64Array; NE: Float64Array } {
  return { PE: channelSum(e.Epos, dims, layout), NE: channelSum(e.Eneg, dims, layout) };
}

/** Excitation purity kappa = |z| / G in [0, 1] per element (spec 3); 0 where G = 0. */
export function purity(e: Excitation): Float64Array {
  return e.G.map((g, j) => (g > 0 ? Math.abs(e.Epos[j] - e.Eneg[j]) / g : 0));
}

/** Source taps of every destination index along one axis: half-pixel centres, clamped to the source. */
function halfPixelTaps(src: number, dst: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const f = new Float64Array(dst);
  for (let o = 0; o < dst; o++) {
    const s = Math.min(Math.max((o + 0.5) * (src / dst) - 0.5, 0), src - 1);
    i0[o] = Math.floor(s);
    i1[o] = Math.min(i0[o] + 1, src - 1);
    f[o] = s - i0[o];
  }
  return { i0, i1, f };
}

/**
 * Bilinear resize of an h x w map to H x W with half-pixel centres and no align_corners (the convention of
 * PyTorch's align_corners=False and ONNX Resize 'half_pixel'): source = (dst + 0.5) * h / H - 0.5, clamped
 * to the map.
 */
export function upsampleBilinear(
  map: Float64Array,
  h: number,
  w: number,
  H: number,
  W: number,
): Float64Array {
  if (map.length !== h * w) throw new Error(`upsampleBilinear: ${map.length} values for ${h} x ${w}`);
  const ys = halfPixelTaps(h, H);
  const xs = halfPixelTaps(w, W);
  const out = new Float64Array(H * W);
  for (let y = 0; y < H; y++) {
    const r0 = ys.i0[y] * w;
    const r1 = ys.i1[y] * w;
    const fy = ys.f[y];
    for (let x = 0; x < W; x++) {
      const a = xs.i0[x];
      const b = xs.i1[x];
      const fx = xs.f[x];
      const top = map[r0 + a] + (map[r0 + b] - map[r0 + a]) * fx;
      const bottom = map[r1 + a] + (map[r1 + b] - map[r1 + a]) * fx;
      out[y * W + x] = top + (bottom - top) * fy;
    }
  }
  return out;
}

/** The default clip of display normalisation (spec 4.5). */
export const DISPLAY_CLIP_PERCENTILE = 99.5;

/** Percentile with linear interpolation between order statistics (numpy's default). */
export function percentile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function scaleOf(magnitudes: Float64Array, clipPercentile: number | undefined): number {
  if (clipPercentile !== undefined) return percentile(magnitudes, clipPercentile);
  let max = 0;
  for (const v of magnitudes) if (v > max) max = v;
  return max;
}

/**
 * Signed map -> [-1, 1]: S / max|S|, or S / p and clipped when a percentile p of |S| is given (spec 4.5).
 * An all-zero map stays zero.
 */
export function normalizeSigned(map: Float64Array, clipPercentile?: number): Float64Array {
  const scale = scaleOf(
    map.map((v) => Math.abs(v)),
    clipPercentile,
  );
  if (!(scale > 0)) return new Float64Array(map.length);
  return map.map((v) => Math.max(-1, Math.min(1, v / scale)));
}
