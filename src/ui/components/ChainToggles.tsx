import type { MapKind } from '../../engine/types';
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

/** Which map the main pane shows: the chains (net, P, N) or the forward excitations (E+, E-). */
export function ChainToggles() {
  const { store } = useApp();
  const kind = useAppState((s) => s.kind);
  return (
    <div className="segmented" role="group" aria-label="View">
      {BUTTONS.map((b) => (
        <button
          key={b.kind}
          type="button"
          data-testid={b.testId}
          aria-pressed={kind === b.kind}
          title={b.title}
          onClick={() => store.getState().setKind(b.kind)}
        >
          {b.label}
        </button>
      ))}
    </div>
  );
}
