import { escapeControls } from '../../core/text';
import type { SliceCreator } from './slice';

export type Phase =
  'starting' | 'loading-model' | 'loading-image' | 'forward' | 'explaining' | 'rendering' | 'ready';

export interface AppError {
  id: number;
  message: string;
}

export interface StatusSlice {
  phase: Phase;
  /** What is happening in words, e.g. "Downloading model: 2.1 of 4.7 MB". */
  detail: string;
  /** performance.now() when the phase began (for the elapsed-time display). */
  phaseSince: number;
  /** Last duration of each step in ms, e.g. { model: 420, forward: 2400 }. */
  timings: Record<string, number>;
  errors: AppError[];
  /** Lasting information, e.g. that the ort engine is in use. */
  notice: string | null;
  /** A model download in progress (bytes; total null when the server does not say), for the progress bar. */
  download: { loaded: number; total: number | null } | null;
  /** Counts changes to the kept downloads (model-cache.ts), so that their list is read again. */
  modelCacheVersion: number;
  setPhase(phase: Phase, detail?: string): void;
  setDetail(detail: string): void;
  recordTiming(step: string, ms: number): void;
  pushError(message: string): void;
  dismissError(id: number): void;
  clearErrors(): void;
  setNotice(notice: string | null): void;
  setDownload(download: StatusSlice['download']): void;
  modelCacheChanged(): void;
}

/**
 * The banner keeps this many messages (it shows a few, the rest behind "and N more"); older ones have been
 * read or superseded. A refused link brings a heading and up to 21 lines.
 */
const MAX_ERRORS = 30;

export const createStatusSlice: SliceCreator<StatusSlice> = (set) => ({
  phase: 'starting',
  detail: 'Starting',
  phaseSince: 0,
  timings: {},
  errors: [],
  notice: null,
  download: null,
  modelCacheVersion: 0,
  // Every message shown in the page goes through escapeControls: file names, URLs and tensor names are
  // untrusted and may carry control characters.
  setPhase: (phase, detail = '') =>
    set({ phase, detail: escapeControls(detail), phaseSince: performance.now() }),
  setDetail: (detail) => set({ detail: escapeControls(detail) }),
  recordTiming: (step, ms) => set((s) => ({ timings: { ...s.timings, [step]: ms } })),
  pushError: (message) =>
    set((s) => {
      const id = (s.errors.at(-1)?.id ?? 0) + 1;
      return { errors: [...s.errors, { id, message: escapeControls(message) }].slice(-MAX_ERRORS) };
    }),
  dismissError: (id) => set((s) => ({ errors: s.errors.filter((e) => e.id !== id) })),
  clearErrors: () => set({ errors: [] }),
  setDownload: (download) => set({ download }),
  modelCacheChanged: () => set((s) => ({ modelCacheVersion: s.modelCacheVersion + 1 })),
  setNotice: (notice) => set({ notice: notice === null ? null : escapeControls(notice) }),
});
