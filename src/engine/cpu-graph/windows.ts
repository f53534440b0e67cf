/**
 * Window ops (Conv, AveragePool, MaxPool) as ONNX Conv / ConvTranspose attributes, from the resolved
 * geometry of core/onnx/geometry (auto_pad, ceil_mode and 1-D ops already settled there).
 */
import type { Window2d } from '../../core/onnx/geometry';

/** Conv attributes, every list in the op's own rank; pads are [begins..., ends...]. */
export type ConvAttrs = {
  kernel_shape: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  group: number;
};

/** A 2-D geometry's values for the op's own rank (1-D ops keep only the W axis). */
export function forRank(rank: number, h: number, w: number): number[] {
  return rank === 1 ? [w] : [h, w];
}

/**
 * Conv and ConvTranspose attributes of a window over `xDims`. The end pads are those the outputs actually
 * use (ceil_mode windows of pooling become extra zero padding, which a sum ignores), and ConvTranspose's
 * output_padding adds the trailing input rows no window reaches, so Lin* returns the input's exact shape.
 */
export function windowAttrs(
  geo: Window2d,
  xDims: readonly number[],
  group: number,
): { conv: ConvAttrs; transpose: ConvAttrs & { output_padding: number[] } } {
  const rank = xDims.length - 2;
  const H = rank === 1 ? 1 : xDims[2];
  const W = xDims[xDims.length - 1];
  const [kH, kW] = geo.kernel;
  const [sH, sW] = geo.strides;
  const [dH, dW] = geo.dilations;
  const [pt, pl] = geo.pads;
  // Input rows from the first window's start to the last window's end, minus the input: < 0 leaves rows out.
  const overhang = (size: number, out: number, s: number, k: number, d: number, begin: number) =>
    (out - 1) * s + (k - 1) * d + 1 - size - begin;
  const oH = overhang(H, geo.outH, sH, kH, dH, pt);
  const oW = overhang(W, geo.outW, sW, kW, dW, pl);
  const conv: ConvAttrs = {
    kernel_shape: forRank(rank, kH, kW),
    strides: forRank(rank, sH, sW),
    dilations: forRank(rank, dH, dW),
    pads: [...forRank(rank, pt, pl), ...forRank(rank, Math.max(0, oH), Math.max(0, oW))],
    group,
  };
  return { conv, transpose: { ...conv, output_padding: forRank(rank, Math.max(0, -oH), Math.max(0, -oW)) } };
}
