/**
 * Light and dark themes: the page follows prefers-color-scheme until the user picks one with the toggle,
 * which is remembered (localStorage) and set as <html data-theme> (styles.css holds both palettes).
 */
import { useEffect, useState } from 'react';

export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'panescope-theme';

function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

function storedTheme(): Theme | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null; // storage can be refused (private windows, sandboxed frames)
  }
}

/** Applies a remembered choice before the first paint (called once at start-up). */
export function applyStoredTheme(): void {
  const chosen = storedTheme();
  if (chosen) document.documentElement.dataset.theme = chosen;
}

/** The theme in force and a setter that overrides the system's preference. */
export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setThemeState] = useState<Theme>(() => storedTheme() ?? systemTheme());
  useEffect(() => {
    if (storedTheme()) return;
    const media = window.matchMedia?.('(prefers-color-scheme: light)');
    if (!media) return;
    const follow = () => setThemeState(media.matches ? 'light' : 'dark');
    media.addEventListener('change', follow);
    return () => media.removeEventListener('change', follow);
  }, []);
  const setTheme = (t: Theme) => {
    document.documentElement.dataset.theme = t;
    try {
      localStorage.setItem(STORAGE_KEY, t);
    } catch {
      // not remembered; the page still switches
    }
    setThemeState(t);
  };
  return [theme, setTheme];
}
