/**
 * Raw parsed graph -> the graph every other module consumes: arguments in one canonical form, constants
 * folded, BatchNormalization folded into the preceding Conv/Gemm, sorted, concrete shapes everywhere.
 */
import { foldBatchNorm } from './bnFold';
import { foldConstants } from './fold';
import type { IrGraph } from './ir';
import { inferShapes, resolveInputShapes } from './shapes';
import { pruneGraph, topoSort } from './topology';

export { foldBatchNorm } from './bnFold';

export interface PrepareOptions {
  /** Concrete shape of the (first) data input; default: the declared shape with a symbolic batch of 1. */
  inputShape?: readonly number[];
  /** Fold BN into Conv/Gemm (default true; false keeps BN as an element-wise affine node). */
  foldBatchNorm?: boolean;
}

export function prepareGraph(raw: IrGraph, opts: PrepareOptions = {}): IrGraph {
  const sorted = topoSort(raw);
  let g = foldConstants(sorted, resolveInputShapes(sorted, opts.inputShape));
  if (opts.foldBatchNorm !== false) g = foldBatchNorm(g);
  return inferShapes(pruneGraph(topoSort(g)), opts);
}
