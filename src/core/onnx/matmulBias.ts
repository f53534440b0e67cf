/**
 * MatMul + Add of a constant -> one Gemm with bias (PANE-SPEC 4.3: "the constant Add is the bias" of the
 * MatMul). Left as two nodes, the Add would be a separate element-wise affine node with its own G, and the
 * maps would differ from those of the same layer exported as a Gemm with bias (TensorFlow/Keras Dense layers
 * come out of tf2onnx as MatMul + Add; PyTorch emits the pair for Linear on inputs of rank > 2).
 *
 * Fused when the MatMul has one constant and one data operand, both 2-D, its output is read only by the Add
 * (and is not a graph output), and the Add's other operand is a constant that broadcasts to the product's
 * shape without changing it. The Gemm keeps the MatMul's name and takes the Add's output name, so the tensor
 * can still be fetched by name from onnxruntime running the original model.
 */
import { expandTo } from './broadcast';
import type { ElemType, IrGraph, IrNode } from './ir';
import { broadcastDims } from './shapeRules';
import { consumersOf } from './topology';

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function freshName(base: string, taken: ReadonlyMap<string, unknown>): string {
  let name = base;
  while (taken.has(name)) name += '_';
  return name;
}

export function fuseMatMulBias(g: IrGraph): IrGraph {
  const consumers = consumersOf(g);
  const graphOutputs = new Set(g.outputs.map((v) => v.name));
  const isConst = (name: string) => g.initializers.has(name);
  const consts = new Map(g.initializers);
  const types = new Map<string, ElemType>(g.constTypes);
  const shapes = new Map(g.shapes);
  const replaced = new Map<IrNode, IrNode>();
  const removed = new Set<IrNode>();

  for (const mm of g.nodes) {
    if (mm.opType !== 'MatMul' || mm.domain !== '' || mm.inputs.length !== 2) continue;
    const [a, b] = mm.inputs;
    if (isConst(a) === isConst(b)) continue;
    const out = mm.outputs[0];
    const [aDims, bDims, yDims] = [a, b, out].map((n) => shapes.get(n));
    if (!aDims || !bDims || !yDims || aDims.length !== 2 || bDims.length !== 2) continue;
    const readers = consumers.get(out) ?? [];
    const add = readers[0];
    if (readers.length !== 1 || graphOutputs.has(out) || add.opType !== 'Add' || add.domain !== '') continue;
    const biasName = add.inputs[add.inputs[0] === out ? 1 : 0];
    const bias = consts.get(biasName);
    if (!bias || !sameDims(broadcastDims(bias.dims, yDims), yDims)) continue;

    const cName = freshName(`${add.outputs[0]}.bias`, consts);
    consts.set(cName, { dims: [...yDims], data: expandTo(bias.data, bias.dims, yDims) });
    types.set(cName, 'float32');
    shapes.set(cName, [...yDims]);
    shapes.delete(out);
    replaced.set(mm, { ...mm, opType: 'Gemm', inputs: [a, b, cName], outputs: [add.outputs[0]], attrs: {} });
    removed.add(add);
  }
  const nodes = g.nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
  return { ...g, nodes, initializers: consts, constTypes: types, shapes };
}
