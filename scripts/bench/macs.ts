/** Multiply-adds of one forward pass (Conv, Gemm, MatMul), the size by which the bench compares models. */
import type { IrGraph } from '../../src/core/onnx/ir';

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export function forwardMacs(g: IrGraph): number {
  const dims = (name: string) => g.shapes.get(name) ?? g.initializers.get(name)?.dims ?? [];
  let macs = 0;
  for (const node of g.nodes) {
    const out = product(dims(node.outputs[0]));
    // Conv: each output element sums C_in / groups x kernel area products (weight dims past the first).
    if (node.opType === 'Conv') macs += out * product(dims(node.inputs[1]).slice(1));
    if (node.opType === 'Gemm' || node.opType === 'MatMul') {
      const a = dims(node.inputs[0]);
      macs += out * (node.attrs.transA ? a[a.length - 2] : a[a.length - 1]);
    }
  }
  return macs;
}
