/**
 * Options of the double chain (PANE-SPEC.md section 4). Shared by every engine, the CLI, the UI and the
 * share link, so the names here are the public vocabulary.
 */
export type Rule = 'sf' | 'alphabeta' | 'ebp';
export type Head = 'logit' | 'contrast_mean' | 'contrast_softmax';
export type StartMass = 'unit' | 'excitation' | 'logit';
export type BiasMode = 'absorb' | 'ignore';
export type ClipSaturated = 'pass' | 'absorb';

export interface PaneOptions {
  rule: Rule;
  /** alphabeta only; alpha - beta = 1 is the conventional constraint but not enforced. */
  alpha: number;
  beta: number;
  head: Head;
  /** Class to explain; undefined = argmax of the logits. */
  target?: number;
  startMass: StartMass;
  biasMode: BiasMode;
  /** Absolute stabiliser added to G (and A, O); its share goes to the sink. */
  eps: number;
  clipSaturated: ClipSaturated;
}

export const DEFAULT_OPTIONS: Readonly<PaneOptions> = Object.freeze({
  rule: 'sf',
  alpha: 2,
  beta: 1,
  head: 'logit',
  startMass: 'unit',
  biasMode: 'absorb',
  eps: 0,
  clipSaturated: 'pass',
});

/** The ebp rule is alphabeta with alpha = 1, beta = 0 and biases ignored (spec 4.2). */
export function effectiveOptions(o: Partial<PaneOptions>): PaneOptions {
  const full: PaneOptions = { ...DEFAULT_OPTIONS, ...o };
  if (full.rule === 'ebp') return { ...full, alpha: 1, beta: 0, biasMode: 'ignore' };
  return full;
}
