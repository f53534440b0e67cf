/**
 * An affine node seen through its contributions c_ij (PANE-SPEC 2), as chain-graph values: the per-output
 * sums of the forward PANE (spec 3) and the adjoints every rule of spec 4.2 reduces to. This is the float32
 * graph counterpart of the float64 reference's AffineView; bilinear.ts and elementwise.ts build them.
 *
 * All per-output values (k, gross, split) have the node output's dims or broadcast to them; an adjoint
 * returns one value per node input, in that input's dims (null for constants and omitted inputs).
 */
import type { Tensor } from '../../core/tensor';
import type { IrNode } from '../../core/onnx/ir';
import type { GraphBuilder } from './builder';
import type { CompileContext } from './context';

export interface GraphAffineView {
  /** sum_i |c_ij| over data inputs (constants excluded). */
  gross(): string;
  /** sum_i c+_ij and sum_i c-_ij (magnitudes); null where a side has no contribution at all. */
  split(): { pos: string | null; neg: string | null };
  /** The constant part b_j (bias, constant operands), dims broadcastable to the output; null if none. */
  readonly bias: Tensor | null;
  /** sum_j |c_ij| k_j */
  absAdjoint(k: string): (string | null)[];
  /** sum_j c_ij k_j */
  signedAdjoint(k: string): (string | null)[];
  /** sum_j (c+_ij kPos_j + c-_ij kNeg_j); a null coefficient is 0. */
  adjoint(kPos: string | null, kNeg: string | null): (string | null)[];
  /**
   * sum_j (dc_ij / dx_i) k_j = Lin*(k; W) without the factor x: the plain vector-Jacobian product of the
   * node, for gradient baselines (spec 4.8; gradient.ts), in each data input's own dims.
   */
  gradient(k: string): (string | null)[];
}

/** Builds the view of one affine node; bilinear.ts and elementwise.ts hold one per affine op. */
export type GraphViewFactory = (ctx: CompileContext, node: IrNode) => GraphAffineView;

/** A value computed on first use: a view writes only the ops its rule asks for. */
export function once<T>(make: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = make();
      done = true;
    }
    return value;
  };
}

/** Sum of the values that are present; null when none is. */
export function sumOf(b: GraphBuilder, values: readonly (string | null)[]): string | null {
  const present = values.filter((v): v is string => v !== null);
  return present.length === 0 ? null : b.sum(present);
}

/** A zero tensor (ConstantOfShape's default value is float32 0). */
export function zeros(b: GraphBuilder, dims: readonly number[]): string {
  return b.op('ConstantOfShape', [b.ints(dims)]);
}

/**
 * The adjoint of numpy broadcasting from `from` to `to` (PANE-SPEC 4.3 "unbroadcast"): sums over the axes
 * the broadcast created or stretched, then drops the leading ones.
 */
export function unbroadcast(
  b: GraphBuilder,
  v: string,
  from: readonly number[],
  to: readonly number[],
): string {
  const lead = from.length - to.length;
  const axes: number[] = [];
  from.forEach((d, i) => {
    if (i < lead || (to[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const summed = axes.length > 0 ? b.op('ReduceSum', [v, b.ints(axes)], { keepdims: 1 }) : v;
  return lead > 0 ? b.reshape(summed, to) : summed;
}
