/** What every engine reports about a model and a prediction, computed the same way for all of them. */
import type { IrGraph } from '../core/onnx/ir';
import { coverageReport, describeModelProblem } from '../core/onnx';
import { imageInput } from '../core/onnx/layout';
import { findLogits } from '../core/pane/heads';
import { layerList } from '../core/pane/layers';
import type { ModelInfo, Prediction } from './types';

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Model facts for the UI; throws with a readable message when the graph is not an image classifier. */
export async function describeModel(g: IrGraph, bytes: Uint8Array, name: string): Promise<ModelInfo> {
  const problem = describeModelProblem(g);
  if (problem) throw new Error(`${name} is not an image classifier: ${problem}`);
  const input = imageInput(g);
  // What setInput takes: planar channels, whatever the model's own layout (the engines convert).
  const inputDims = [input.dims[0], input.channels, input.height, input.width];
  const { logits } = findLogits(g);
  const numClasses = g.shapes.get(logits)!.reduce((a, b) => a * b, 1);
  const coverage = coverageReport(g);
  return {
    name,
    sha256: await sha256Hex(bytes),
    inputName: input.name,
    inputDims,
    numClasses,
    layers: coverage.ok ? layerList(g).map((l) => ({ ...l })) : [],
    coverage,
    canExplain: coverage.ok,
    metadata: { ...g.metadata },
  };
}

/** Softmax probabilities and the five best classes (ties broken by index, so the order is stable). */
export function predictionFrom(logits: ArrayLike<number>): Prediction {
  const l = Float32Array.from(logits);
  let max = -Infinity;
  for (const v of l) max = Math.max(max, v);
  const probs = new Float32Array(l.length);
  let sum = 0;
  for (let i = 0; i < l.length; i++) sum += probs[i] = Math.exp(l[i] - max);
  for (let i = 0; i < l.length; i++) probs[i] /= sum;
  const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a] || a - b);
  return {
    probs,
    logits: l,
    top: order.slice(0, 5).map((index) => ({ index, logit: l[index], prob: probs[index] })),
  };
}
