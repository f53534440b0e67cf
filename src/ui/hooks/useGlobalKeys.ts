import { useEffect } from 'react';
import type { MapKind } from '../../engine/types';
import type { AppStore } from '../../state/store';

const KIND_KEYS: Record<string, MapKind> = {
  '1': 'net',
  '2': 'positive',
  '3': 'negative',
  '4': 'excitation-positive',
  '5': 'excitation-negative',
};

/** Keys that work wherever focus is not in a field: arrows scrub layers, Home/End jump, 1-5 pick the view. */
export function useGlobalKeys(store: AppStore): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isEditable(e.target)) return;
      const s = store.getState();
      const last = (s.model?.layers.length ?? 1) - 1;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') s.stepLayer(e.key === 'ArrowLeft' ? -1 : 1);
      else if (e.key === 'Home') s.stepLayer(-last);
      else if (e.key === 'End') s.stepLayer(last);
      else if (KIND_KEYS[e.key]) s.chooseKind(KIND_KEYS[e.key]);
      else return;
      s.setPlaying(false);
      e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);
}

/** Fields and widgets that use the arrow keys themselves. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    ['INPUT', 'SELECT', 'TEXTAREA', 'CANVAS'].includes(target.tagName) ||
    target.getAttribute('role') === 'listbox'
  );
}
