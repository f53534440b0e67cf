import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { shortLabel } from '../../core/labels';
import { useApp, useAppState } from '../context';

const MAX_SHOWN = 30;

/** Explain any class: type part of a name or an index, pick with the mouse or arrows + Enter. */
export function ClassPicker() {
  const { store } = useApp();
  const labels = useAppState((s) => s.labels);
  const probs = useAppState((s) => s.prediction?.probs ?? null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const matches = useMemo(() => matchClasses(labels, query), [labels, query]);
  const choose = (index: number) => {
    store.getState().setTarget(index);
    setQuery('');
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const delta = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => Math.min(matches.length - 1, Math.max(0, a + delta)));
    } else if (e.key === 'Enter' && matches[active] !== undefined) {
      e.preventDefault();
      choose(matches[active]);
    } else if (e.key === 'Escape') setQuery('');
  };
  const open = query.trim() !== '' && matches.length > 0;
  return (
    <div className="class-picker">
      <input
        type="search"
        data-testid="class-picker"
        placeholder="Explain another class…"
        aria-label="Search a class to explain"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      {open && (
        <ul id={listId} role="listbox" className="class-options">
          {matches.map((k, i) => (
            <li
              key={k}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              data-class={k}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(k);
              }}
            >
              <span className="class-index">{k}</span> {shortLabel(labels[k])}
              {probs && <span className="class-prob">{(probs[k] * 100).toFixed(2)}%</span>}
            </li>
          ))}
        </ul>
      )}
      {query.trim() !== '' && matches.length === 0 && <p className="hint">No class matches.</p>}
    </div>
  );
}

/** Class indices whose name contains the query (or whose index is the query), best matches first. */
function matchClasses(labels: readonly string[], query: string): number[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const out: number[] = [];
  if (/^\d+$/.test(q) && Number(q) < labels.length) out.push(Number(q));
  const starts: number[] = [];
  const contains: number[] = [];
  labels.forEach((name, k) => {
    const n = name.toLowerCase();
    if (n.startsWith(q)) starts.push(k);
    else if (n.includes(q)) contains.push(k);
  });
  return [...out, ...starts, ...contains].slice(0, MAX_SHOWN);
}
