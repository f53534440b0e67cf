/**
 * Slices that cut one tensor into consecutive pieces along one axis are a Split. PyTorch exports
 * `x.chunk(2, dim=1)` (ShuffleNetV2's channel split) as two Slice nodes, [0, C/2) and [C/2, C); Split has a
 * double-chain rule (pass-through) and a lone Slice has none. Rewriting the group as one Split keeps every
 * output name, so onnxruntime running the original file still returns each piece.
 *
 * Only a group that tiles the axis exactly (no gap, no overlap, steps of 1, constant arguments) is
 * rewritten; any other Slice stays and the coverage report names it.
 */
import { intsArg } from './canonical';
import type { IrGraph, IrNode } from './ir';
import { sliceRange } from './shapeRules';

interface Piece {
  node: IrNode;
  axis: number;
  start: number;
  size: number;
}

/** The one axis a constant Slice cuts, its start and size; undefined for anything else. */
function pieceOf(node: IrNode, dims: readonly number[]): Piece | undefined {
  if (node.opType !== 'Slice' || node.domain !== '' || node.inputs.filter((n) => n !== '').length !== 1)
    return;
  const starts = intsArg(node, [], 'starts');
  const ends = intsArg(node, [], 'ends');
  if (!starts || !ends || starts.length !== 1 || ends.length !== 1) return;
  const axes = intsArg(node, [], 'axes');
  const steps = intsArg(node, [], 'steps');
  if (steps && steps[0] !== 1) return;
  try {
    const r = sliceRange(dims, starts, ends, axes, steps);
    const axis = r.out.findIndex((d, i) => d !== dims[i] || r.start[i] !== 0);
    if (axis < 0) return;
    return { node, axis, start: r.start[axis], size: r.out[axis] };
  } catch {
    return undefined; // an invalid Slice is left for shape inference to report
  }
}

/** The Split replacing `pieces` when they tile their axis of `dims`, else undefined. */
function asSplit(pieces: Piece[], dims: readonly number[]): IrNode | undefined {
  if (pieces.length < 2 || pieces.some((p) => p.axis !== pieces[0].axis)) return;
  const sorted = [...pieces].sort((a, b) => a.start - b.start);
  let next = 0;
  for (const p of sorted) {
    if (p.start !== next || p.size === 0) return;
    next += p.size;
  }
  if (next !== dims[sorted[0].axis]) return;
  const first = pieces[0].node;
  return {
    name: first.name,
    opType: 'Split',
    domain: '',
    inputs: [first.inputs[0]],
    outputs: sorted.map((p) => p.node.outputs[0]),
    attrs: { axis: sorted[0].axis, split: sorted.map((p) => p.size) },
  };
}

/** Expects a graph with constants folded and shapes inferred (Slice arguments in attribute form). */
export function slicesAsSplit(g: IrGraph): IrGraph {
  const groups = new Map<string, Piece[]>();
  for (const node of g.nodes) {
    const dims = g.shapes.get(node.inputs[0]);
    const piece = dims && pieceOf(node, dims);
    if (!piece) continue;
    const list = groups.get(node.inputs[0]);
    if (list) list.push(piece);
    else groups.set(node.inputs[0], [piece]);
  }
  const replaced = new Map<IrNode, IrNode | null>();
  for (const [input, pieces] of groups) {
    const split = asSplit(pieces, g.shapes.get(input)!);
    if (!split) continue;
    // The Split takes the place of the first Slice: its input exists there, and its outputs only move earlier.
    pieces.forEach((p, i) => replaced.set(p.node, i === 0 ? split : null));
  }
  if (replaced.size === 0) return g;
  const nodes: IrNode[] = [];
  for (const n of g.nodes) {
    const r = replaced.get(n);
    if (r === undefined) nodes.push(n);
    else if (r) nodes.push(r);
  }
  return { ...g, nodes };
}
