import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../src/cli/progress';

function capture(tty: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, out: { tty, columns, write: (s: string) => void writes.push(s) } };
}

/** Every line as a terminal shows it: split at newlines and carriage returns. */
const lines = (writes: string[]) =>
  writes
    .join('')
    .split(/[\r\n]/)
    .filter((l) => l.length > 0);

describe('ProgressBar', () => {
  it('never draws a line as wide as the terminal, whatever the label', () => {
    for (const columns of [40, 80, 200]) {
      const { writes, out } = capture(true, columns);
      const bar = new ProgressBar(3, out);
      bar.step('a'.repeat(300));
      bar.message(`done: ${'b'.repeat(300)}`);
      bar.step('short');
      bar.step('last');
      bar.finish();
      const shown = lines(writes);
      expect(shown.length).toBeGreaterThan(3);
      for (const l of shown) expect(l.length, `${columns} columns`).toBeLessThan(columns);
      if (columns >= 80) expect(shown.at(-1)).toMatch(/^\[#+\] 100% 3\/3 .* elapsed, ~0s left {2}last/);
      else expect(shown.at(-1)).toMatch(/^\[#+\] 100% 3\/3 .*…$/);
    }
  });

  it('is quiet off a terminal: messages only, one per line', () => {
    const { writes, out } = capture(false, undefined);
    const bar = new ProgressBar(2, out);
    bar.step('x');
    bar.message('image a: done');
    bar.step('y');
    bar.finish();
    expect(writes).toEqual(['image a: done\n']);
  });
});
