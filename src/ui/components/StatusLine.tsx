import { useEffect, useState } from 'react';
import { useAppState } from '../context';

/** What the app is doing, with the time spent on it so far; the timings of the last run when idle. */
export function StatusLine() {
  const phase = useAppState((s) => s.phase);
  const detail = useAppState((s) => s.detail);
  const since = useAppState((s) => s.phaseSince);
  const download = useAppState((s) => s.download);
  const busy = phase !== 'ready';
  const elapsed = useElapsed(busy, since);
  return (
    <div className="status" data-testid="status" data-phase={phase} role="status" aria-live="polite">
      {busy && <span className="spinner" aria-hidden="true" />}
      <span className="status-text truncate">{detail}</span>
      {download && (
        // Bytes against Content-Length; without one the bar is indeterminate (no value) and the text counts.
        <progress
          data-testid="download-progress"
          aria-label="Model download"
          {...(download.total ? { value: download.loaded, max: download.total } : {})}
          data-loaded={download.loaded}
        />
      )}
      {busy && elapsed >= 0.5 && <span className="status-time">{elapsed.toFixed(1)} s</span>}
    </div>
  );
}

/** Seconds since `since` while `running`, refreshed a few times a second. */
function useElapsed(running: boolean, since: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(performance.now()), 200);
    return () => clearInterval(timer);
  }, [running]);
  return running ? Math.max(0, (now - since) / 1000) : 0;
}
