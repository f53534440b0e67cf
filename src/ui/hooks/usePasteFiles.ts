import { useEffect } from 'react';
import type { AppActions } from '../../state/actions';

/** Images pasted anywhere on the page (not into a text field) are opened like dropped files. */
export function usePasteFiles(actions: AppActions): void {
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && ['INPUT', 'TEXTAREA'].includes(target.tagName)) return;
      const files = Array.from(e.clipboardData?.files ?? []);
      if (files.length === 0) return;
      e.preventDefault();
      void actions.openFiles(files);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [actions]);
}
