/**
 * Constant folding: every node whose inputs are all constants is evaluated (exactFold: integer ops as
 * integers, other ops by the float64 forward evaluator) and replaced by initializers that keep their
 * element types; Shape of a value with a known shape is a constant too. This removes the
 * shape arithmetic exporters emit (PyTorch: Shape -> Gather -> Unsqueeze -> Concat -> Reshape), so the
 * Reshape ends up with a constant `shape` attribute.
 *
 * One walk in topological order canonicalises each node (its argument inputs may have just become
 * constant), folds it or infers its output shapes, so a Shape further down sees concrete shapes.
 */
import { numel, type Tensor } from '../tensor';
import { quoted } from '../text';
import { canonicalizeNode } from './canonical';
import { evalExact, foldsExactly } from './exactFold';
import type { ElemType, IrGraph, IrNode } from './ir';
import { MAX_FOLDED_ELEMENTS } from './memory';
import { SUBGRAPH_ATTR } from './parse';
import { inferNodeShapes } from './shapes';

function foldable(
  node: IrNode,
  isConst: (name: string) => boolean,
  hasShape: (name: string) => boolean,
): boolean {
  if (!foldsExactly(node) || node.attrs[SUBGRAPH_ATTR] !== undefined) return false;
  const data = node.inputs.filter((n) => n !== '');
  if (node.opType === 'Shape') return isConst(data[0]) || hasShape(data[0]);
  return data.length > 0 && data.every(isConst);
}

/** A constant too large to fold is refused before it is allocated (a crafted ConstantOfShape of 9e8). */
function checkFoldSize(node: IrNode, shapes: number[][] | undefined): void {
  for (const dims of shapes ?? []) {
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(
        `${node.opType} ${quoted(node.name, 80)} would fold a constant of shape [${dims.join(',')}]`,
      );
    }
    const n = numel(dims);
    if (n <= MAX_FOLDED_ELEMENTS) continue;
    throw new Error(
      `${node.opType} ${quoted(node.name, 80)} would fold a constant of ${n} elements ([${dims.join(',')}]); ` +
        `panescope folds constants of up to ${MAX_FOLDED_ELEMENTS} elements`,
    );
  }
}

/** `inputShapes`: concrete shapes of the graph inputs (see resolveInputShapes). Expects a sorted graph. */
export function foldConstants(g: IrGraph, inputShapes: ReadonlyMap<string, readonly number[]>): IrGraph {
  const consts = new Map<string, Tensor>(g.initializers);
  const types = new Map<string, ElemType>(g.constTypes);
  const shapes = new Map<string, readonly number[]>(inputShapes);
  for (const [name, t] of consts) shapes.set(name, t.dims);
  const constOf = (name: string) => consts.get(name);
  const shapeOf = (name: string) => shapes.get(name);

  const kept: IrNode[] = [];
  for (const raw of g.nodes) {
    const node = canonicalizeNode(raw, constOf, (name) => shapes.get(name)?.length);
    if (
      !foldable(
        node,
        (n) => consts.has(n),
        (n) => shapes.has(n),
      )
    ) {
      kept.push(node);
      inferNodeShapes(node, shapeOf, constOf, g.opset)?.forEach((dims, i) => {
        if (node.outputs[i]) shapes.set(node.outputs[i], dims);
      });
      continue;
    }
    checkFoldSize(node, inferNodeShapes(node, shapeOf, constOf, g.opset));
    const inputs = node.inputs.map((n): Tensor | undefined => {
      if (n === '') return undefined;
      // Shape reads only the dims of its input, which need not be a constant.
      return consts.get(n) ?? { dims: shapes.get(n)!, data: new Float64Array(0) };
    });
    const outputs = evalExact(
      g,
      node,
      inputs,
      node.inputs.map((n) => types.get(n)),
    );
    node.outputs.forEach((name, i) => {
      if (!name || !outputs[i]) return;
      consts.set(name, outputs[i].tensor);
      types.set(name, outputs[i].type);
      shapes.set(name, outputs[i].tensor.dims);
    });
  }
  return { ...g, nodes: kept, initializers: consts, constTypes: types, shapes };
}
