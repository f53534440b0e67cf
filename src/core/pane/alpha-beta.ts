/**
 * The alpha-beta rule's two weights: finite and non-negative, or refused (a negative alpha flips the sign of
 * agreeing evidence, and 1e308 overflows). Values that break conservation (alpha - beta != 1) are allowed but
 * reported, because the maps then no longer sum to the start mass.
 */
import type { PaneOptions } from './options';

/** Largest alpha or beta: beyond it the weighted contributions overflow even in float64. */
const MAX_ALPHA_BETA = 1e6;

/** Why `value` is not a usable alpha or beta (`name` is the flag or field), or undefined. */
export function alphaBetaProblem(name: 'alpha' | 'beta', value: number): string | undefined {
  if (!Number.isFinite(value)) return `${name} must be a finite number (got ${value})`;
  if (value < 0) return `${name} must be >= 0 (got ${value})`;
  if (value > MAX_ALPHA_BETA) return `${name} must be at most ${MAX_ALPHA_BETA} (got ${value})`;
  return undefined;
}

/** Warnings about options that run but do not conserve the chain's mass. */
export function conservationWarnings(o: Pick<PaneOptions, 'rule' | 'alpha' | 'beta'>): string[] {
  if (o.rule !== 'alphabeta' || Math.abs(o.alpha - o.beta - 1) < 1e-12) return [];
  return [
    `alpha - beta = ${o.alpha - o.beta}, not 1: the alpha-beta rule does not conserve mass, so the maps ` +
      'do not sum to the start mass (sumTInputPlusSinks is not 1)',
  ];
}
