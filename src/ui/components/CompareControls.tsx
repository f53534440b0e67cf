import type { Rule } from '../../core/pane/options';
import type { MapKind } from '../../engine/types';
import { MAP_KINDS, RULES } from '../../state/share-codec';
import { useApp, useAppState } from '../context';
import { MethodSelect } from './MethodSelect';
import { viewTitle } from './view-names';

/** A second pane beside the main one: another method, view, rule or layer of the same image and class. */
export function CompareControls() {
  const { store } = useApp();
  const compare = useAppState((s) => s.compare);
  const layers = useAppState((s) => s.model?.layers ?? null) ?? [];
  const kind = useAppState((s) => s.kind);
  const rule = useAppState((s) => s.rule);
  const update = (patch: Partial<NonNullable<typeof compare>>) =>
    compare && store.getState().setCompare({ ...compare, ...patch });
  return (
    <fieldset className="compare-controls stack" data-open={compare !== null}>
      <legend>
        <label>
          <input
            type="checkbox"
            data-testid="compare-toggle"
            checked={compare !== null}
            onChange={(e) =>
              store.getState().setCompare(
                e.target.checked
                  ? {
                      method: 'pane',
                      kind: kind === 'negative' ? 'positive' : 'negative',
                      rule,
                      layer: null,
                    }
                  : null,
              )
            }
          />
          Compare side by side
        </label>
      </legend>
      {compare && (
        <>
          <MethodSelect
            testId="compare-method"
            value={compare.method}
            onChange={(method) => update({ method })}
          />
          <label>
            View
            <select
              data-testid="compare-view"
              value={compare.kind}
              onChange={(e) => update({ kind: e.target.value as MapKind })}
            >
              {MAP_KINDS.map((k) => (
                <option key={k} value={k}>
                  {viewTitle(k)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Rule
            <select
              data-testid="compare-rule"
              value={compare.rule}
              onChange={(e) => update({ rule: e.target.value as Rule })}
            >
              {RULES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label>
            Layer
            <select
              data-testid="compare-layer"
              value={compare.layer ?? ''}
              onChange={(e) => update({ layer: e.target.value === '' ? null : e.target.value })}
            >
              <option value="">same as the main pane</option>
              {layers.map((l, i) => (
                <option key={l.tensor} value={l.tensor}>
                  {i}: {l.tensor} ({l.opType})
                </option>
              ))}
            </select>
          </label>
        </>
      )}
    </fieldset>
  );
}
