import { useCallback, useMemo } from 'react';
import {
  DEFAULT_METHOD_SETTINGS,
  extraGradients,
  METHOD_IDS,
  METHOD_LABELS,
  paneFinalMap,
  type MethodId,
} from '../../core/baselines/methods';
import { shortLabel } from '../../core/labels';
import type { CurveKind } from '../../core/eval/map-metrics';
import type { EvaluationMethod } from '../../engine/evaluator';
import { inputPreview } from '../../state/input-preview';
import { useApp, useAppState } from '../context';
import { EvaluatePanel, type CurvePoint, type EvaluateMethod } from './EvaluatePanel';

/**
 * A baseline's label. Those that take many gradients say how many (the evaluation worker's settings), so
 * nobody waits unawares.
 */
function baselineLabel(id: MethodId): string {
  if (id === 'random') return `${METHOD_LABELS.random} (one seed)`;
  const gradients = extraGradients(id, DEFAULT_METHOD_SETTINGS);
  return METHOD_LABELS[id] + (gradients > 0 ? ` (${gradients} gradients)` : '');
}

/**
 * The Evaluate panel on the explanation on screen: PANE's map as shown (read from the engine) against the
 * baselines (float64 maps computed in the evaluation worker), every curve scored there by onnxruntime.
 * A new image, class or rule gives a fresh panel, so curves never mix explanations.
 */
export function EvaluateSection() {
  const { controller, evaluator } = useApp();
  const key = useAppState((s) => s.explanation?.key ?? null);
  const rule = useAppState((s) => s.explanation?.options.rule ?? null);
  const target = useAppState((s) => s.explanation?.target ?? null);
  const label = useAppState((s) => (target === null ? '' : (s.labels[target] ?? `class ${target}`)));
  // The snapshot belongs to the explanation `key`; the store changes it, and with it the panel.
  const current = useMemo(() => (key ? controller.evaluationSnapshot() : null), [key, controller]);

  const methods = useMemo<EvaluateMethod[]>(
    () => [
      { id: 'pane', label: `PANE (${rule ?? 'sf'}, as shown)` },
      // The app's own map is 'pane' as shown; the CLI's PANE methods (sf, its final maps) would repeat it.
      ...METHOD_IDS.filter((id) => id !== 'sf' && paneFinalMap(id) === null).map((id) => ({
        id,
        label: baselineLabel(id),
      })),
    ],
    [rule],
  );

  const computeCurve = useCallback(
    async (
      method: string,
      kind: CurveKind,
      steps: number,
      onPoint: (p: CurvePoint) => void,
      signal: AbortSignal,
    ) => {
      if (!current) throw new Error('There is no explanation to evaluate.');
      await evaluator.curve(
        current.snapshot,
        method as EvaluationMethod,
        kind,
        steps,
        (points) => points.forEach(onPoint),
        signal,
      );
    },
    [current, evaluator],
  );

  const perturbedImage = useCallback(
    async (method: string, kind: CurveKind, fraction: number) => {
      if (!current) throw new Error('There is no explanation to evaluate.');
      const p = await evaluator.perturbed(current.snapshot, method as EvaluationMethod, kind, fraction);
      const image = inputPreview(p.input, current.spec);
      return { image: { ...image, data: new Uint8ClampedArray(image.data) }, probability: p.probability };
    },
    [current, evaluator],
  );

  if (!key || !current) return <p className="hint">The curves need an explanation on screen.</p>;
  return (
    <EvaluatePanel
      key={key}
      methods={methods}
      initialMethods={['pane', 'gradient']}
      classLabel={shortLabel(label)}
      computeCurve={computeCurve}
      perturbedImage={perturbedImage}
    />
  );
}
