/**
 * `panescope evaluate --shard` and `panescope merge`, as a cluster runs them: separate processes (the index
 * once from the flag, once from a Kubernetes Indexed Job's JOB_COMPLETION_INDEX), merged into the summary
 * of one run over every image.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseShard, selectShard } from '../../src/cli/shard';
import { ROOT } from '../paths';
import { cliWorkspace, tinyClassifier, writeRandomPngs } from '../support/cli-fixtures';

async function cli(args: string[], env: Record<string, string> = {}): Promise<void> {
  await promisify(execFile)('node', [join(ROOT, 'bin/panescope.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
}

describe('evaluate --shard and merge', () => {
  it("parses I/N and the schedulers' indices, and splits a stable order into disjoint shards", () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(
      parseShard('auto', {
        SLURM_ARRAY_TASK_ID: '7',
        SLURM_ARRAY_TASK_MIN: '5',
        SLURM_ARRAY_TASK_COUNT: '3',
      }),
    ).toEqual({ index: 3, count: 3 });
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '1' })).toThrow(/auto\/N/);
    expect(() => parseShard('auto/2', {})).toThrow(/JOB_COMPLETION_INDEX/);
    expect(() => parseShard('3/2')).toThrow(/1 to 2/);
    expect(() => parseShard('0/2')).toThrow(/1 to 2/);
    const files = ['a', 'b', 'c', 'd', 'e'];
    const shards = [1, 2].map((index) => selectShard(files, { index, count: 2 }));
    expect(shards).toEqual([
      ['a', 'c', 'e'],
      ['b', 'd'],
    ]);
  });

  it('two shards in separate processes, merged, give the summary of one run', async () => {
    const { dir, model, images } = cliWorkspace(
      'panescope-shard-',
      tinyClassifier({ seed: 5, size: 12, classes: 3, batch: 'N' }),
    );
    writeRandomPngs(images, ['e', 'a', 'c', 'b', 'd'], 14, 13, 9);
    const common = [
      'evaluate',
      ...['--model', model, '--images', images, '--methods', 'sf,gradient,random,centre'],
      ...['--metrics', 'deletion,insertion,lerf', '--step', '24', '--random-seeds', '2', '--jobs', '1'],
    ];
    await Promise.all([
      cli([...common, '--out', join(dir, 'one')]),
      cli([...common, '--out', join(dir, 's1'), '--shard', '1/2']),
      cli([...common, '--out', join(dir, 's2'), '--shard', 'auto/2'], { JOB_COMPLETION_INDEX: '1' }),
    ]);
    await cli(['merge', '--out', join(dir, 'merged'), join(dir, 's2'), join(dir, 's1')]);

    const read = (d: string) => JSON.parse(readFileSync(join(dir, d, 'report.json'), 'utf8'));
    const one = read('one');
    const s1 = read('s1');
    const s2 = read('s2');
    const merged = read('merged');
    expect(s1.images.evaluated).toEqual(['a', 'c', 'e']);
    expect(s2.images.evaluated).toEqual(['b', 'd']);
    expect(s2.images.shard).toEqual({ index: 2, count: 2 });
    expect(merged.images.evaluated).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(merged.summary.images).toBe(5);
    // Identical but for the measured map times (methodMs): the same records in the same order.
    const untimed = ({ methodMs, ...rest }: { methodMs: Record<string, unknown> }) => ({
      ...rest,
      methods: Object.keys(methodMs),
    });
    expect(untimed(merged.summary)).toEqual(untimed(one.summary));
    const noTimes = (records: unknown) =>
      JSON.parse(JSON.stringify(records, (k, v: unknown) => (k === 'ms' ? undefined : v)));
    expect(noTimes(merged.records)).toEqual(noTimes(one.records));
    const md = readFileSync(join(dir, 'merged', 'report.md'), 'utf8');
    expect(md).toContain('2 shard(s)');
    expect(md).toContain('| PANE-sf |');
    for (const kind of ['deletion', 'insertion', 'lerf'])
      expect(readFileSync(join(dir, 'merged', `curves-${kind}.svg`), 'utf8')).toBe(
        readFileSync(join(dir, 'one', `curves-${kind}.svg`), 'utf8'),
      );

    // A shard missing, or one from another run, is refused.
    await expect(cli(['merge', '--out', join(dir, 'm2'), join(dir, 's1')])).rejects.toThrow(
      /shard\(s\) 2\/2 missing/,
    );
    await expect(cli(['merge', '--out', join(dir, 'm3'), join(dir, 's1'), join(dir, 'one')])).rejects.toThrow(
      /other settings|shard 1\/1/,
    );
  }, 300_000);
});
