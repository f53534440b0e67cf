/**
 * The window fields of the conv and pooling kernels' uniform Params, from one resolved geometry
 * (core/onnx/geometry.ts), so every kernel that slides a window reads the same numbers.
 */
import type { Window2d } from '../../core/onnx/geometry';

/** Output size, kernel, strides, dilations and the leading pads: what every window kernel reads. */
export function windowUniforms(geo: Window2d) {
  return {
    outH: geo.outH,
    outW: geo.outW,
    kH: geo.kernel[0],
    kW: geo.kernel[1],
    strideH: geo.strides[0],
    strideW: geo.strides[1],
    dilH: geo.dilations[0],
    dilW: geo.dilations[1],
    padTop: geo.pads[0],
    padLeft: geo.pads[1],
  };
}

/**
 * The `Params` of the pooling kernels (shaders/lib/pool_window.wgsl) over threads `n` of an H x W plane.
 * The trailing pads and countIncludePad feed AveragePool's divisor; MaxPool's kernels do not read them.
 */
export function poolUniforms(n: number, H: number, W: number, geo: Window2d, countIncludePad: boolean) {
  return {
    n,
    h: H,
    w: W,
    ...windowUniforms(geo),
    padBottom: geo.pads[2],
    padRight: geo.pads[3],
    countIncludePad: countIncludePad ? 1 : 0,
  };
}
