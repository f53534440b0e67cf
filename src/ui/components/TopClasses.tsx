import { shortLabel } from '../../core/labels';
import { useApp, useAppState } from '../context';

/** The five most probable classes; click one to explain it. */
export function TopClasses() {
  const { store } = useApp();
  const top = useAppState((s) => s.prediction?.top ?? null);
  const labels = useAppState((s) => s.labels);
  const explained = useAppState((s) => s.target ?? s.prediction?.top[0]?.index ?? null);
  return (
    <ol className="top-classes" data-testid="top-classes">
      {(top ?? []).map((c) => (
        <li key={c.index}>
          <button
            type="button"
            data-class={c.index}
            aria-pressed={c.index === explained}
            title={labels[c.index] ?? `class ${c.index}`}
            onClick={() => store.getState().setTarget(c.index)}
          >
            <span className="class-name">{shortLabel(labels[c.index] ?? `class ${c.index}`)}</span>
            <span className="class-prob">{(c.prob * 100).toFixed(1)}%</span>
            <span
              className="prob-bar"
              style={{ width: `${Math.max(1, c.prob * 100)}%` }}
              aria-hidden="true"
            />
          </button>
        </li>
      ))}
    </ol>
  );
}
