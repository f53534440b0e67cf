/**
 * What scripts/bench/pytorch_chain.py reads, written by our own ONNX loader so that PyTorch runs on exactly
 * the weights and inputs our engines see (Debian's python3-torch has no onnx package to parse the model):
 *
 *   DIR/graph.json     input, logits and layer names, the nodes (op, inputs, outputs, attributes) in
 *                      topological order, the shape of every value, and the weight file of every initializer
 *   DIR/weights/*.npy  the initializers, float32 (the loader holds them in float64; the model stores float32)
 *   DIR/inputs/*.npy   each photo preprocessed as `panescope explain --preprocess model` does it, float32, in
 *                      the model's input layout
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessSpecFor, modelInput } from '../../src/cli/explain-input';
import { loadGraph } from '../../src/core/onnx';
import { imageInput } from '../../src/core/onnx/layout';
import { encodeNpy } from '../../src/core/npy';
import { findLogits } from '../../src/core/pane/heads';
import { layerList } from '../../src/core/pane/layers';
import type { AttrValue } from '../../src/core/onnx/ir';

export interface TorchExport {
  graphJson: string;
  /** Input .npy files, one per photo, in the photos' order. */
  inputs: string[];
}

/** A file name for a tensor (ONNX names may hold '/' and ':'). */
function fileName(name: string, k: number): string {
  return `${k}_${name.replace(/[^A-Za-z0-9._-]/g, '_')}.npy`;
}

function jsonAttr(v: AttrValue): unknown {
  if (typeof v === 'object' && !Array.isArray(v)) return { dims: v.dims, data: [...v.data] };
  return v;
}

/** `names`: the input file stems, one per photo (the batch's folder names, so that maps pair up by name). */
export function exportForTorch(
  modelPath: string,
  photos: readonly string[],
  names: readonly string[],
  dir: string,
): TorchExport {
  const graph = loadGraph(new Uint8Array(readFileSync(modelPath)));
  mkdirSync(join(dir, 'weights'), { recursive: true });
  mkdirSync(join(dir, 'inputs'), { recursive: true });
  const initializers: Record<string, string> = {};
  let k = 0;
  for (const [name, t] of graph.initializers) {
    const file = join('weights', fileName(name, k++));
    writeFileSync(
      join(dir, file),
      encodeNpy({ dims: [...t.dims], data: Float32Array.from(t.data) }, 'float32'),
    );
    initializers[name] = file;
  }
  const input = imageInput(graph);
  const spec = preprocessSpecFor(graph, input, { preprocess: 'model' });
  const inputs = photos.map((photo, i) => {
    const { input: x } = modelInput(photo, new Uint8Array(readFileSync(photo)), input, spec, 'model');
    const file = join(dir, 'inputs', `${names[i]}.npy`);
    writeFileSync(file, encodeNpy({ dims: [...x.dims], data: Float32Array.from(x.data) }, 'float32'));
    return file;
  });
  const graphJson = join(dir, 'graph.json');
  writeFileSync(
    graphJson,
    JSON.stringify({
      input: input.name,
      logits: findLogits(graph).logits,
      layers: layerList(graph).map((l) => l.tensor),
      nodes: graph.nodes.map((n) => ({
        op: n.opType,
        inputs: n.inputs,
        outputs: n.outputs,
        attrs: Object.fromEntries(Object.entries(n.attrs).map(([a, v]) => [a, jsonAttr(v)])),
      })),
      shapes: Object.fromEntries(graph.shapes),
      initializers,
    }),
  );
  return { graphJson, inputs };
}
