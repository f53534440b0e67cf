/**
 * The maps the app can show: PANE (the engine's view, any layer, chain and rule) or one of the baselines
 * that `panescope evaluate` scores, computed at the input resolution by the evaluation worker.
 */
import { METHOD_LABELS, type MethodId } from '../core/baselines/methods';

const BASELINE_METHODS = [
  'gradcam',
  'gradient',
  'gradient_x_input',
  'integrated_gradients',
  'smoothgrad',
  'lrp_epsilon',
  'alphabeta',
  'ebp',
  'ceb',
] as const satisfies readonly MethodId[];

export type BaselineMethod = (typeof BASELINE_METHODS)[number];
export type DisplayMethod = 'pane' | BaselineMethod;

export const DISPLAY_METHODS: readonly DisplayMethod[] = ['pane', ...BASELINE_METHODS];

export function isDisplayMethod(s: string): s is DisplayMethod {
  return (DISPLAY_METHODS as readonly string[]).includes(s);
}

export function methodLabel(method: DisplayMethod): string {
  if (method === 'pane') return 'PANE';
  if (method === 'alphabeta') return 'LRP-αβ';
  if (method === 'ebp') return 'EB';
  return METHOD_LABELS[method];
}

/**
 * Baselines whose maps are never negative by construction: max-abs over channels (gradient, SmoothGrad)
 * and Grad-CAM's ReLU. They take the sequential colormap; the rest are signed and diverging.
 */
const NON_NEGATIVE: ReadonlySet<BaselineMethod> = new Set(['gradient', 'smoothgrad', 'gradcam']);

export function methodSigned(method: BaselineMethod): boolean {
  return !NON_NEGATIVE.has(method);
}

/**
 * What each costs: the gradients IG and SmoothGrad take (on the GPU or in the worker, state/map-placement.ts),
 * and LRP/EB's float64 engine.
 */
function methodNote(method: BaselineMethod): string {
  switch (method) {
    case 'integrated_gradients':
      return '16 gradients from a black image';
    case 'smoothgrad':
      return '16 noisy gradients';
    case 'alphabeta':
    case 'ebp':
    case 'ceb':
    case 'lrp_epsilon':
      return 'float64 engine, input layer';
    default:
      return '';
  }
}

/** The selectors' text for each method: its name and what the slow ones cost. */
export const METHOD_LABELS_WITH_NOTES: Readonly<Record<DisplayMethod, string>> = Object.fromEntries(
  DISPLAY_METHODS.map((m) => {
    const note = m === 'pane' ? 'layers, chains and rules' : methodNote(m);
    return [m, note ? `${methodLabel(m)} (${note})` : methodLabel(m)];
  }),
) as Record<DisplayMethod, string>;
