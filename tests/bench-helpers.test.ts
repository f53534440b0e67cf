import { describe, expect, it } from 'vitest';
import { childrenCpuMs, runMeasured } from '../scripts/bench/child-process';
import { pearson } from '../scripts/bench/correlation';

describe('bench helpers', () => {
  it("reads the children's CPU time from bash's times output", () => {
    expect(childrenCpuMs('0m0.010s 0m0.002s\n1m2.500s 0m0.250s\n')).toBeCloseTo(62_750, 6);
    expect(() => childrenCpuMs('0m0.010s 0m0.002s')).toThrow(/times/);
  });

  it('measures a child process: exit code, output, and CPU time that a busy loop accumulates', async () => {
    // Spins until the child itself has used 150 ms of CPU time (wall time would depend on the machine's load).
    const spin =
      'while (process.cpuUsage().user + process.cpuUsage().system < 150000); console.log("done"); process.exit(3)';
    const run = await runMeasured('node', ['-e', spin]);
    expect(run.code).toBe(3);
    expect(run.stdout.trim()).toBe('done');
    expect(run.cpuMs).toBeGreaterThanOrEqual(150);
  });

  it("computes Pearson's r", () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(() => pearson([1, 2], [1])).toThrow(/2 values against 1/);
  });
});
