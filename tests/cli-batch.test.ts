/** `panescope explain --images DIR` / several --image: one folder per image, an index, resumable. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main';
import { folderNames, indexCsv } from '../src/cli/explain-batch';
import { cliWorkspace, tinyClassifier, writeRandomPngs } from './support/cli-fixtures';

let stdout: string[] = [];
let stderr: string[] = [];
beforeAll(() => {
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void stdout.push(a.join(' ')));
});
afterEach(() => {
  stdout = [];
  stderr = [];
});

function fixture(): { model: string; images: string; dir: string } {
  const ws = cliWorkspace('panescope-batch-', tinyClassifier({ seed: 4, size: 16, classes: 5, batch: 1 }));
  writeRandomPngs(ws.images, ['b', 'a', 'c'], 20, 20, 4);
  writeFileSync(join(ws.images, 'broken.png'), 'not a png');
  writeFileSync(join(ws.images, 'notes.txt'), 'ignored');
  return ws;
}

describe('panescope explain --images', () => {
  it('explains a folder into one folder per image with an index, and resumes', async () => {
    const { model, images, dir } = fixture();
    const out = join(dir, 'out');
    const args = ['explain', '--model', model, '--images', images, '--out', out, '--preprocess', 'none'];
    // One image cannot be read: the others are explained, the exit code says something failed.
    expect(await main(args)).toBe(1);
    for (const f of ['a', 'b', 'c'])
      for (const file of ['saliency.npy', 'overlay.png', 'summary.json'])
        expect(existsSync(join(out, f, file)), `${f}/${file}`).toBe(true);
    expect(existsSync(join(out, 'broken'))).toBe(false);
    const index = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(index.backend).toBe('ort');
    expect(index.images.map((r: { folder: string; status: string }) => [r.folder, r.status])).toEqual([
      ['a', 'done'],
      ['b', 'done'],
      ['broken', 'failed'],
      ['c', 'done'],
    ]);
    const a = JSON.parse(readFileSync(join(out, 'a', 'summary.json'), 'utf8'));
    expect(index.images[0]).toMatchObject({
      class: a.class.index,
      label: a.class.label,
      probability: a.class.prob,
    });
    expect(index.images[2].error).toMatch(/broken\.png/);
    const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'image,folder,status,class,label,probability,forward_ms,chain_ms,maps_ms,total_ms,error',
    );
    expect(csv).toHaveLength(5);
    expect(csv[1].startsWith(`${join(images, 'a.png')},a,done,${a.class.index},`)).toBe(true);
    expect(stdout.at(-1)).toContain('explained 3 of 4 image(s)');
    // Off a terminal the bar is quiet: stderr has the failure, not a bar.
    expect(stderr.join('\n')).not.toContain('[#');

    // A rerun reuses the finished folders; other options explain again.
    expect(await main(args)).toBe(1);
    const again = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(again.images.map((r: { status: string }) => r.status)).toEqual([
      'reused',
      'reused',
      'failed',
      'reused',
    ]);
    expect(stdout.at(-1)).toContain('(3 reused)');
    expect(await main([...args, '--rule', 'ebp'])).toBe(1);
    const ebp = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(ebp.images.map((r: { status: string }) => r.status)).toEqual(['done', 'done', 'failed', 'done']);
  }, 120_000);

  it('takes several --image, naming folders apart when base names repeat', async () => {
    const { model, images, dir } = fixture();
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'a.png'), readFileSync(join(images, 'b.png')));
    const out = join(dir, 'out2');
    const paths = [join(images, 'a.png'), join(other, 'a.png')];
    expect(
      await main([
        'explain',
        '--model',
        model,
        '--image',
        paths[0],
        '--image',
        paths[1],
        '--out',
        out,
        '--preprocess',
        'none',
      ]),
    ).toBe(0);
    expect(existsSync(join(out, 'a', 'summary.json'))).toBe(true);
    expect(existsSync(join(out, 'a-2', 'summary.json'))).toBe(true);
    expect(folderNames(['x/a.png', 'y/a.jpg', 'z/a b.png'])).toEqual(['a', 'a-2', 'a_b']);
    expect(
      indexCsv([{ image: 'p,"q".png', folder: 'p', status: 'failed', error: 'bad' }]).split('\n')[1],
    ).toBe('"p,""q"".png",p,failed,,,,,,,,bad');
  }, 120_000);
});
