/**
 * Runs a command as a child process and measures it: wall clock, and the CPU time (user + system) of the
 * child and everything it waited for, read from bash's `times` builtin after the command, since Node reports
 * no resource usage for children. On a shared machine the CPU time is the number that compares across loads.
 */
import { spawn } from 'node:child_process';

export interface ChildRun {
  code: number;
  wallMs: number;
  /** User + system CPU time of the command's process tree (its waited-for children included). */
  cpuMs: number;
  stdout: string;
  stderr: string;
}

/** The marker line bash prints before `times`, so the command's own output cannot be mistaken for it. */
const MARK = '__panescope_bench_times__';

/** `0m1.250s` -> 1250 (bash's `times` format). */
function bashDurationMs(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text.trim());
  if (!m) throw new Error(`unexpected duration '${text}' from bash's times`);
  return (Number(m[1]) * 60 + Number(m[2])) * 1000;
}

/**
 * The children's user + system time from `times` output (two lines: the shell's own, then its children's).
 */
export function childrenCpuMs(timesOutput: string): number {
  const lines = timesOutput.trim().split('\n');
  if (lines.length < 2) throw new Error(`unexpected output of bash's times: '${timesOutput}'`);
  const [user, system] = lines[lines.length - 1].trim().split(/\s+/);
  return bashDurationMs(user) + bashDurationMs(system);
}

export function runMeasured(command: string, args: readonly string[], echo = false): Promise<ChildRun> {
  const script = `"$@"; rc=$?; echo ${MARK} >&2; times >&2; exit $rc`;
  const t0 = performance.now();
  const child = spawn('bash', ['-c', script, 'bash', command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (echo) process.stderr.write(d);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const at = stderr.lastIndexOf(MARK);
      if (at < 0) return reject(new Error(`${command}: no timing from bash (exit ${code})`));
      resolve({
        code: code ?? 1,
        wallMs,
        cpuMs: childrenCpuMs(stderr.slice(at + MARK.length)),
        stdout,
        stderr: stderr.slice(0, at),
      });
    });
  });
}
