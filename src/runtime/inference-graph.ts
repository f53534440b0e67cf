/**
 * The model as onnxruntime-web should see it. Sessions run with graph optimisations off (they could fuse
 * away the tensors the chains read), and the optimiser is what normally removes Dropout: without it the
 * wasm and webgpu builds have no kernel for Dropout from opset 12 on ("Could not find an implementation
 * for Dropout(13)"). At inference Dropout is the identity, so it is written as Identity.
 */
import { onnx } from '../core/onnx/proto';

export function dropoutAsIdentity(modelBytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph?.node?.some((n) => n.opType === 'Dropout' && !n.domain)) return modelBytes;
  const read = new Set<string>((graph.output ?? []).map((o) => o.name ?? ''));
  for (const n of graph.node) for (const i of n.input ?? []) read.add(i);
  for (const n of graph.node) {
    // A mask output that something reads keeps the node as it is (Identity has one output).
    const maskRead = (n.output ?? []).slice(1).some((o) => o !== '' && read.has(o));
    if (n.opType !== 'Dropout' || n.domain || maskRead) continue;
    n.opType = 'Identity';
    n.input = (n.input ?? []).slice(0, 1);
    n.output = (n.output ?? []).slice(0, 1);
    n.attribute = [];
  }
  return onnx.ModelProto.encode(model).finish();
}
