/**
 * `panescope evaluate --shard` and `panescope merge`, as a cluster runs them: separate processes (the index
 * once from the flag, once from a Kubernetes Indexed Job's JOB_COMPLETION_INDEX), merged into the summary
 * of one run over every image.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/cli/image-io';
import { parseShard, selectShard } from '../../src/cli/shard';
import { buildModel } from '../../src/core/onnx';
import { mulberry32, normalArray } from '../../src/core/random';
import { ROOT } from '../paths';

function tinyModel(): Uint8Array {
  const rng = mulberry32(5);
  return buildModel({
    inputs: [{ name: 'input', shape: ['N', 3, 12, 12] }],
    outputs: [{ name: 'logits', shape: ['N', 3] }],
    initializers: {
      w1: { dims: [4, 3, 3, 3], data: normalArray(rng, 108, 0.3) },
      fc: { dims: [3, 4], data: normalArray(rng, 12, 0.5) },
    },
    nodes: [
      {
        op: 'Conv',
        inputs: ['input', 'w1'],
        outputs: ['c1'],
        attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { op: 'GlobalAveragePool', inputs: ['r1'], outputs: ['gap'] },
      { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] },
      { op: 'Gemm', inputs: ['flat', 'fc'], outputs: ['logits'], attrs: { transB: 1 } },
    ],
  });
}

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
    const dir = mkdtempSync(join(tmpdir(), 'panescope-shard-'));
    const model = join(dir, 'tiny.onnx');
    writeFileSync(model, tinyModel());
    const images = join(dir, 'images');
    mkdirSync(images);
    const rng = mulberry32(9);
    for (const name of ['e', 'a', 'c', 'b', 'd']) {
      const rgba = new Uint8Array(14 * 13 * 4).map((_, i) => (i % 4 === 3 ? 255 : Math.floor(rng() * 256)));
      writeFileSync(join(images, `${name}.png`), encodePng(14, 13, rgba));
    }
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
