/**
 * BatchNormalization in inference mode is, per channel c, y = slope_c x + shift_c with
 *   slope = scale / sqrt(variance + epsilon),   shift = bias - mean * slope
 * (ONNX's inputs 1-4: scale, B, input_mean, input_var). Written once for the fold into a convolution, the
 * reference, the float32 chain graph, the GPU planner and the gradients.
 */
import type { IrNode } from './ir';

const BN_DEFAULT_EPSILON = 1e-5;

export interface BatchNormParams {
  scale: ArrayLike<number>;
  bias: ArrayLike<number>;
  mean: ArrayLike<number>;
  variance: ArrayLike<number>;
}

export function batchNormEpsilon(node: Pick<IrNode, 'attrs'>): number {
  const e = node.attrs.epsilon;
  return typeof e === 'number' ? e : BN_DEFAULT_EPSILON;
}

/** The per-channel slope and shift of y = slope x + shift. */
export function batchNormAffine(
  p: BatchNormParams,
  epsilon: number,
): { slope: Float64Array; shift: Float64Array } {
  const C = p.scale.length;
  const slope = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    slope[c] = p.scale[c] / Math.sqrt(p.variance[c] + epsilon);
    shift[c] = p.bias[c] - p.mean[c] * slope[c];
  }
  return { slope, shift };
}

/** The four parameter tensors of a BatchNormalization node, in input order 1-4. */
export function batchNormParams([scale, bias, mean, variance]: ArrayLike<number>[]): BatchNormParams {
  return { scale, bias, mean, variance };
}
