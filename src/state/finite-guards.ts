/**
 * Finite or refused, in the app: the preprocessed input, the logits and every layer of an explanation are
 * checked before anything is drawn, so a NaN weight, a hostile metadata hint or an overflow shows a message
 * instead of a blank or garbage map. A layer's sums are finite exactly when all of its map values are (a NaN
 * or an infinity in R or T makes the sum non-finite), so the per-layer sums the engines already compute
 * cover every map.
 */
import { describeNonFinite, findNonFinite } from '../core/finite';
import { quoted } from '../core/text';
import type { ExplanationStats, Prediction } from '../engine/types';
import { UserError } from './user-error';

export function checkInput(tensor: ArrayLike<number>): void {
  const found = findNonFinite(tensor);
  if (found) {
    throw new UserError(
      `The preprocessed image holds ${describeNonFinite(found, tensor.length)}: check the model's ` +
        'preprocessing (mean, std, scale).',
    );
  }
}

export function checkPrediction(prediction: Pick<Prediction, 'logits'>): void {
  const found = findNonFinite(prediction.logits);
  if (found) {
    throw new UserError(
      `The model gives non-finite logits (${describeNonFinite(found, prediction.logits.length)}); ` +
        'its weights or this input overflow.',
    );
  }
}

/** Layers are listed from the input towards the head; the first non-finite one nearest the head is named. */
export function checkExplanation(summary: Pick<ExplanationStats, 'layers' | 'options'>): void {
  const bad = summary.layers.filter((l) => !Number.isFinite(l.sumT) || !Number.isFinite(l.sumR));
  if (bad.length === 0) return;
  const { rule, alpha, beta } = summary.options;
  const settings = rule === 'alphabeta' ? `rule alphabeta, alpha ${alpha}, beta ${beta}` : `rule ${rule}`;
  throw new UserError(
    `The double chain (${settings}) produced non-finite values in ${bad.length} layer(s), ` +
      `first at ${quoted(bad.at(-1)!.tensor)}; no map is drawn.`,
  );
}
