/**
 * The layers a user can scrub through: every tensor that carries chain mass, from the graph input (the
 * final saliency map) to the logits.
 */
import type { IrGraph } from '../onnx/ir';
import { tensorLayout, type ImageLayout } from '../onnx/layout';
import { findLogits } from './heads';
import { fluxInputs, fluxOutputs } from './ops';

export interface ChainLayer {
  /** ONNX tensor name. */
  tensor: string;
  /** Producing node name and op; a graph input has node '' and opType 'Input'. */
  node: string;
  opType: string;
  dims: number[];
  /** NHWC for a TensorFlow image input (and element-wise results of it): maps sum the last axis. */
  layout: ImageLayout;
}

/** Mass-carrying tensors in topological order, found walking back from the logits along mass inputs. */
export function layerList(g: IrGraph): ChainLayer[] {
  const { logits } = findLogits(g);
  const carrying = new Set([logits]);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    if (!fluxOutputs(node).some((o) => carrying.has(o))) continue;
    for (const k of fluxInputs(g, node)) carrying.add(node.inputs[k]);
  }
  const dimsOf = (name: string) => {
    const d = g.shapes.get(name);
    if (!d) throw new Error(`layerList: no shape for '${name}' (run shape inference first)`);
    return [...d];
  };
  const layers: ChainLayer[] = g.inputs
    .filter((v) => carrying.has(v.name))
    .map((v) => ({
      tensor: v.name,
      node: '',
      opType: 'Input',
      dims: dimsOf(v.name),
      layout: tensorLayout(g, v.name),
    }));
  for (const node of g.nodes) {
    for (const o of fluxOutputs(node)) {
      if (!carrying.has(o)) continue;
      layers.push({
        tensor: o,
        node: node.name,
        opType: node.opType,
        dims: dimsOf(o),
        layout: tensorLayout(g, o),
      });
    }
  }
  return layers;
}
