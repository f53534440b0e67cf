import { useShallow } from 'zustand/react/shallow';
import { FINAL_MAP_LABELS } from '../../core/pane/final-maps';
import type { MapKind } from '../../engine/types';
import { alikeChainsNote, shownFinalMap, viewPressed } from '../../state/shown-view';
import { useApp, useAppState } from '../context';

const BUTTONS: { kind: MapKind; testId: string; label: string; title: string }[] = [
  { kind: 'net', testId: 'chain-net', label: 'Net', title: 'S = Σc R: evidence for minus evidence against' },
  {
    kind: 'positive',
    testId: 'chain-positive',
    label: 'P',
    title: 'Positive chain S_P: evidence for the class',
  },
  { kind: 'negative', testId: 'chain-negative', label: 'N', title: 'Negative chain S_N: evidence against' },
  {
    kind: 'excitation-positive',
    testId: 'view-excitation-positive',
    label: 'E+',
    title: 'Forward positive excitation',
  },
  {
    kind: 'excitation-negative',
    testId: 'view-excitation-negative',
    label: 'E−',
    title: 'Forward negative excitation',
  },
];

/**
 * Which map the main pane shows: the chains (net, P, N) or the forward excitations (E+, E-). Where the input
 * shows a final map no toggle is pressed (the construction is none of these views); a toggle then shows its
 * view at the pixels instead.
 */
export function ChainToggles() {
  const { store } = useApp();
  const pressed = useAppState(useShallow((s) => BUTTONS.map((b) => viewPressed(s, b.kind))));
  const final = useAppState((s) => shownFinalMap(s, 'main'));
  const alike = useAppState((s) => alikeChainsNote(s)?.text ?? null);
  return (
    <>
      <div className="segmented" role="group" aria-label="View">
        {BUTTONS.map((b, i) => (
          <button
            key={b.kind}
            type="button"
            data-testid={b.testId}
            aria-pressed={pressed[i]}
            title={final ? `${b.title} (at the pixels, instead of the final map ${final})` : b.title}
            onClick={() => store.getState().chooseKind(b.kind)}
          >
            {b.label}
          </button>
        ))}
      </div>
      {final && (
        <p className="hint" data-testid="final-map-note">
          The input shows the final map {final} ({FINAL_MAP_LABELS[final]}), not one chain; a view button
          shows that view at the pixels instead.
        </p>
      )}
      {alike && (
        <p className="hint" data-testid="alike-chains-note">
          {alike}
        </p>
      )}
    </>
  );
}
