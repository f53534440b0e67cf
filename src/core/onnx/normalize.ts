/**
 * Raw parsed graph -> the graph every other module consumes: validated (validate.ts), arguments in one
 * canonical form, constants folded, Slices that tile an axis made one Split, MatMul + constant Add fused
 * into a Gemm with bias, BatchNormalization folded into the preceding Conv/Gemm, gating products marked,
 * sorted, concrete shapes everywhere.
 */
import { foldBatchNorm } from './bnFold';
import { foldConstants } from './fold';
import { markGates } from './gates';
import { assumedSizeNote, resolveInputShapes, type InputShapeOptions } from './inputShape';
import type { IrGraph } from './ir';
import { fuseMatMulBias } from './matmulBias';
import { inferShapes } from './shapes';
import { slicesAsSplit } from './slicesAsSplit';
import { pruneGraph, topoSort } from './topology';
import { validateGraph } from './validate';

export { foldBatchNorm } from './bnFold';

export interface PrepareOptions extends InputShapeOptions {
  /** Fold BN into Conv/Gemm (default true; false keeps BN as an element-wise affine node). */
  foldBatchNorm?: boolean;
}

function prepare(raw: IrGraph, opts: PrepareOptions): IrGraph {
  validateGraph(raw);
  const sorted = topoSort(raw);
  let g = fuseMatMulBias(slicesAsSplit(foldConstants(sorted, resolveInputShapes(sorted, opts))));
  if (opts.foldBatchNorm !== false) g = foldBatchNorm(g);
  return markGates(inferShapes(pruneGraph(topoSort(g)), opts));
}

export function prepareGraph(raw: IrGraph, opts: PrepareOptions = {}): IrGraph {
  try {
    return prepare(raw, opts);
  } catch (e) {
    // A size guessed for a symbolic input is the likeliest cause of a shape error: say what was assumed.
    const note = assumedSizeNote(raw, opts);
    if (note && e instanceof Error) throw new Error(`${e.message} (${note})`, { cause: e });
    throw e;
  }
}
