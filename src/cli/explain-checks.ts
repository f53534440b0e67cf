/**
 * What `panescope explain` checks after loading the model and before running it: the `--layers` names and the
 * `--labels` file, so that a typo fails in a second instead of after the whole computation.
 */
import { defaultLabels, parseLabels } from '../core/labels';
import type { IrGraph } from '../core/onnx/ir';
import { findLogits } from '../core/pane/heads';
import { numel } from '../core/tensor';
import { quoted } from '../core/text';
import { readInputFile } from './read-input';

/** Refuses `--layers` names that are not tensors of the graph (the chain check after the run stays). */
export function checkLayerNames(layers: string[] | 'all', graph: IrGraph): void {
  if (layers === 'all') return;
  const unknown = layers.filter((name) => !graph.shapes.has(name));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((n) => quoted(n, 80));
    throw new Error(
      `--layers: ${shown.join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} ` +
        `${unknown.length === 1 ? 'is not a tensor' : 'are not tensors'} of this model`,
    );
  }
}

/**
 * Reads the labels file now (bounded, regular files only) and checks it against the model's class count when
 * the logits' shape is known at load; returns the names for the class count the forward pass gives.
 */
export function prepareLabels(
  path: string | undefined,
  graph: IrGraph,
  maxFileMb?: number,
): (numClasses: number) => string[] {
  if (path === undefined) return defaultLabels;
  const text = new TextDecoder().decode(readInputFile(path, 'labels', maxFileMb));
  const shape = graph.shapes.get(findLogits(graph).logits);
  const parse = (numClasses: number) => {
    try {
      return parseLabels(text, numClasses);
    } catch (e) {
      throw new Error(`--labels ${quoted(path)}: ${(e as Error).message}`);
    }
  };
  if (shape) parse(numel(shape));
  return parse;
}
