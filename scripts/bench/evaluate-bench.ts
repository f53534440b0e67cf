/**
 * `panescope evaluate` at the README's evaluation settings ("Settings of this run"), on the first N photos of
 * the evaluation set: seconds per image, wall clock and CPU time of the whole command (model load
 * included, so a small N overstates the per-image cost a little). With `maps`, the maps and gradients in
 * that precision (float64: the run the README's table was made with).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runMeasured } from './child-process';

/** README.md, "Settings of this run", without --maps (the float32 maps are the default now). */
export const README_EVALUATE_SETTINGS = [
  '--step',
  '3136',
  '--ig-steps',
  '8',
  '--smoothgrad-samples',
  '8',
  '--epsilon',
  '0.00392',
  '--random-seeds',
  '5',
  '--jobs',
  '2',
];

export interface EvaluateBenchResult {
  photos: number;
  precision: 'float32' | 'float64';
  wallMs: number;
  cpuMs: number;
  /** The CLI's own total (report.timing.totalSeconds), without the Node start-up. */
  reportedSeconds: number;
}

export async function evaluateBench(o: {
  model: string;
  photosDir: string;
  photos: number;
  precision: 'float32' | 'float64';
  workDir: string;
}): Promise<EvaluateBenchResult> {
  const out = join(o.workDir, `evaluate-${o.precision}`);
  rmSync(out, { recursive: true, force: true });
  const precision = o.precision === 'float64' ? ['--maps', 'float64', '--gradients', 'float64'] : [];
  const args = ['bin/panescope.mjs', 'evaluate', '--model', o.model, '--images', o.photosDir];
  args.push('--limit', String(o.photos), '--out', out, ...README_EVALUATE_SETTINGS, ...precision);
  console.error(`[bench] evaluate (${o.precision} maps) on ${o.photos} photos ...`);
  const run = await runMeasured('node', args);
  if (run.code !== 0)
    throw new Error(`evaluate failed (exit ${run.code}): ${run.stderr.trim().split('\n').pop()}`);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    summary: { images: number };
    timing: { totalSeconds: number };
  };
  return {
    photos: report.summary.images,
    precision: o.precision,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    reportedSeconds: report.timing.totalSeconds,
  };
}
