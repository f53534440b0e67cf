/**
 * Window geometry of Conv and the pooling ops, resolved from ONNX attributes once so that every backend
 * (float64 reference, WGSL kernels, the float32 CPU graph) uses the same numbers.
 *
 * Spatial ops are 2-D on [N, C, H, W]; a 1-D op on [N, C, L] is viewed as H = 1, W = L.
 */
import type { IrNode } from './ir';

export interface Window2d {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right] after resolving auto_pad. */
  pads: [number, number, number, number];
  /** Output spatial size. */
  outH: number;
  outW: number;
}

export interface ConvGeometry extends Window2d {
  group: number;
}

export interface PoolGeometry extends Window2d {
  ceilMode: boolean;
  countIncludePad: boolean;
}

function ints(node: IrNode, name: string): number[] | undefined {
  const v = node.attrs[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v as number[];
  throw new Error(`${node.opType} '${node.name}': attribute ${name} is not a list of ints`);
}

function str(node: IrNode, name: string, fallback: string): string {
  const v = node.attrs[name];
  return typeof v === 'string' ? v : fallback;
}

/** Lift 1-D attribute lists to 2-D by prepending the H axis (size 1, stride 1, no pad). */
function lift2(v: number[] | undefined, spatialRank: number, fill: number): [number, number] | undefined {
  if (!v) return undefined;
  if (v.length !== spatialRank) throw new Error(`expected ${spatialRank} values, got [${v.join(',')}]`);
  return spatialRank === 1 ? [fill, v[0]] : [v[0], v[1]];
}

function spatialOf(xDims: readonly number[]): [number, number, number] {
  if (xDims.length === 4) return [2, xDims[2], xDims[3]];
  if (xDims.length === 3) return [1, 1, xDims[2]];
  throw new Error(
    `spatial op on a ${xDims.length}-D tensor [${xDims.join(',')}]: only 1-D and 2-D are supported`,
  );
}

function resolveWindow(
  node: IrNode,
  xDims: readonly number[],
  kernel: [number, number],
  ceilMode: boolean,
): Window2d {
  const [rank, H, W] = spatialOf(xDims);
  const strides = lift2(ints(node, 'strides'), rank, 1) ?? [1, 1];
  const dilations = lift2(ints(node, 'dilations'), rank, 1) ?? [1, 1];
  const autoPad = str(node, 'auto_pad', 'NOTSET');
  const eff = (k: number, d: number) => (k - 1) * d + 1;
  let pads: [number, number, number, number];
  if (autoPad === 'NOTSET') {
    const p = ints(node, 'pads');
    if (!p) pads = [0, 0, 0, 0];
    else if (p.length !== 2 * rank) throw new Error(`${node.opType} '${node.name}': pads [${p.join(',')}]`);
    else pads = rank === 1 ? [0, p[0], 0, p[1]] : [p[0], p[1], p[2], p[3]];
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // ONNX: output = ceil(input / stride); the odd pad goes at the end (UPPER) or the beginning (LOWER).
    const total = (size: number, s: number, k: number, d: number) =>
      Math.max(0, (Math.ceil(size / s) - 1) * s + eff(k, d) - size);
    const th = total(H, strides[0], kernel[0], dilations[0]);
    const tw = total(W, strides[1], kernel[1], dilations[1]);
    const small = (t: number) => Math.floor(t / 2);
    const big = (t: number) => t - Math.floor(t / 2);
    pads =
      autoPad === 'SAME_UPPER'
        ? [small(th), small(tw), big(th), big(tw)]
        : [big(th), big(tw), small(th), small(tw)];
  } else {
    throw new Error(`${node.opType} '${node.name}': unknown auto_pad '${autoPad}'`);
  }
  const out = (size: number, pb: number, pe: number, k: number, s: number, d: number) => {
    const span = size + pb + pe - eff(k, d);
    if (span < 0) throw new Error(`${node.opType} '${node.name}': window larger than the padded input`);
    let o = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    // ONNX/PyTorch: with ceil_mode the last window must start inside the input or the begin padding.
    if (ceilMode && (o - 1) * s >= size + pb) o -= 1;
    return o;
  };
  const outH = out(H, pads[0], pads[2], kernel[0], strides[0], dilations[0]);
  const outW = out(W, pads[1], pads[3], kernel[1], strides[1], dilations[1]);
  return { kernel, strides, dilations, pads, outH, outW };
}

/** Conv / ConvTranspose-free geometry: weights are [M, C/group, kH, kW] (or [M, C/group, kL]). */
export function convGeometry(node: IrNode, xDims: readonly number[], wDims: readonly number[]): ConvGeometry {
  const [rank] = spatialOf(xDims);
  const kernel = lift2(ints(node, 'kernel_shape') ?? wDims.slice(2), rank, 1)!;
  const group = typeof node.attrs.group === 'number' ? node.attrs.group : 1;
  const C = xDims[1];
  if (C % group !== 0 || wDims[0] % group !== 0 || wDims[1] !== C / group) {
    throw new Error(
      `Conv '${node.name}': input channels ${C}, weight [${wDims.join(',')}] and group ${group} do not agree`,
    );
  }
  return { ...resolveWindow(node, xDims, kernel, false), group };
}

/** MaxPool / AveragePool geometry. */
export function poolGeometry(node: IrNode, xDims: readonly number[]): PoolGeometry {
  const [rank] = spatialOf(xDims);
  const k = ints(node, 'kernel_shape');
  if (!k) throw new Error(`${node.opType} '${node.name}': kernel_shape is required`);
  const ceilMode = node.attrs.ceil_mode === 1;
  const countIncludePad = node.attrs.count_include_pad === 1;
  return { ...resolveWindow(node, xDims, lift2(k, rank, 1)!, ceilMode), ceilMode, countIncludePad };
}

/** Shape of a spatial op's output given the channel count. */
export function spatialOutputDims(xDims: readonly number[], channels: number, g: Window2d): number[] {
  return xDims.length === 3 ? [xDims[0], channels, g.outW] : [xDims[0], channels, g.outH, g.outW];
}

/**
 * Whether a ReduceMean (axes in canonical attribute form) averages exactly the spatial axes of an [N, C, ...]
 * tensor: then it is GlobalAveragePool with the singleton axes kept or dropped, and has its rule (spec 4.3).
 */
export function isSpatialMean(node: IrNode, xDims: readonly number[]): boolean {
  const rank = xDims.length;
  if (node.opType !== 'ReduceMean' || rank < 3) return false;
  const axes = ints(node, 'axes');
  if (!axes || axes.length === 0) return false; // all axes (or none, with noop_with_empty_axes)
  const set = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  return set.size === rank - 2 && [...set].every((a) => a >= 2 && a < rank);
}

/** The window of a global pool: the whole plane, one output position. */
export function globalWindow(xDims: readonly number[]): Window2d {
  const H = xDims.length === 3 ? 1 : xDims[2];
  const W = xDims.length === 3 ? xDims[2] : xDims[3];
  return { kernel: [H, W], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], outH: 1, outW: 1 };
}

/**
 * AveragePool divisor of every output position (outH * outW values, row-major). Without
 * count_include_pad it counts the window taps inside the input; with it, the taps inside the padded input
 * (so a ceil_mode window that hangs past the end padding still excludes the overhang, as PyTorch does).
 */
export function avgPoolDivisors(
  geo: Window2d,
  xDims: readonly number[],
  countIncludePad: boolean,
): Float64Array {
  const oneD = xDims.length === 3;
  const H = oneD ? 1 : xDims[2];
  const W = oneD ? xDims[2] : xDims[3];
  const [pt, pl, pb, pr] = geo.pads;
  const count = (o: number, taps: number, s: number, d: number, p0: number, p1: number, size: number) => {
    let c = 0;
    for (let k = 0; k < taps; k++) {
      const i = o * s - p0 + k * d;
      if (countIncludePad ? i < size + p1 : i >= 0 && i < size) c++;
    }
    return c;
  };
  const out = new Float64Array(geo.outH * geo.outW);
  for (let oh = 0; oh < geo.outH; oh++) {
    const ch = count(oh, geo.kernel[0], geo.strides[0], geo.dilations[0], pt, pb, H);
    for (let ow = 0; ow < geo.outW; ow++) {
      out[oh * geo.outW + ow] = ch * count(ow, geo.kernel[1], geo.strides[1], geo.dilations[1], pl, pr, W);
    }
  }
  return out;
}
