import { describe, expect, it } from 'vitest';
import { childrenCpuMs, runMeasured } from '../scripts/bench/child-process';

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
});
