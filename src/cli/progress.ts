/**
 * A progress bar on stderr with the elapsed time and an ETA: redrawn in place on a terminal (messages are
 * printed above it), one line per message otherwise (logs stay readable when stderr is a file or a pipe,
 * and the bar itself is quiet there). Lines never reach the terminal's last column, so a redraw never
 * wraps (issue #13: a fixed 120-column pad wrapped on 80-column terminals).
 */

export interface ProgressOutput {
  /** Whether stderr is a terminal (the bar is drawn only there). */
  tty: boolean;
  /** Terminal width in columns (process.stderr.columns); 80 where unknown. */
  columns?: number;
  write: (s: string) => void;
}

/** The stderr of this process as a ProgressOutput. */
export function stderrOutput(write: (s: string) => void = (s) => process.stderr.write(s)): ProgressOutput {
  return { tty: process.stderr.isTTY === true, columns: process.stderr.columns, write };
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBar {
  private done = 0;
  private line = '';
  private readonly t0 = performance.now();
  constructor(
    private readonly total: number,
    private readonly out: ProgressOutput,
  ) {}

  /** The usable width: one column short of the terminal, so the cursor never wraps. */
  private get width(): number {
    return Math.max(20, (this.out.columns ?? 80) - 1);
  }

  private fit(text: string): string {
    const w = this.width;
    return text.length > w ? text.slice(0, w - 1) + '…' : text.padEnd(w);
  }

  /** One unit of work done; `label` says which. */
  step(label: string): void {
    this.done = Math.min(this.total, this.done + 1);
    const frac = this.done / this.total;
    const elapsed = (performance.now() - this.t0) / 1000;
    const eta = (elapsed / frac) * (1 - frac);
    const counts = `${this.done}/${this.total}`;
    const text = `${(frac * 100).toFixed(0).padStart(3)}% ${counts} ${duration(elapsed)} elapsed, ~${duration(eta)} left  ${label}`;
    // The bar takes what the text leaves, between 10 and 30 columns.
    const barWidth = Math.max(10, Math.min(30, this.width - text.length - 3));
    const bar = '#'.repeat(Math.round(frac * barWidth)).padEnd(barWidth, '.');
    this.line = this.fit(`[${bar}] ${text}`);
    if (this.out.tty) this.out.write(`\r${this.line}`);
  }

  /** A message that stays (above the bar on a terminal, one line in a log). */
  message(text: string): void {
    if (!this.out.tty) this.out.write(`${text}\n`);
    else this.out.write(`\r${this.fit(text)}\n${this.line}`);
  }

  finish(): void {
    if (this.out.tty && this.line) this.out.write('\n');
  }
}
