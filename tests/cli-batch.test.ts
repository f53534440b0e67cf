/** `panescope explain --images DIR` / several --image: one folder per image, an index, resumable. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main';
import { encodePng } from '../src/cli/image-io';
import { folderNames, indexCsv } from '../src/cli/explain-batch';
import { buildModel } from '../src/core/onnx';
import { mulberry32, normalArray } from '../src/core/random';

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
  const dir = mkdtempSync(join(tmpdir(), 'panescope-batch-'));
  const rng = mulberry32(4);
  const model = join(dir, 'tiny.onnx');
  writeFileSync(
    model,
    buildModel({
      inputs: [{ name: 'input', shape: [1, 3, 16, 16] }],
      outputs: [{ name: 'logits', shape: [1, 5] }],
      initializers: {
        w1: { dims: [4, 3, 3, 3], data: normalArray(rng, 108, 0.3) },
        fc: { dims: [5, 4], data: normalArray(rng, 20, 0.5) },
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
    }),
  );
  const images = join(dir, 'images');
  mkdirSync(images);
  for (const name of ['b', 'a', 'c']) {
    const rgba = new Uint8Array(20 * 20 * 4).map((_, i) => (i % 4 === 3 ? 255 : Math.floor(rng() * 256)));
    writeFileSync(join(images, `${name}.png`), encodePng(20, 20, rgba));
  }
  writeFileSync(join(images, 'broken.png'), 'not a png');
  writeFileSync(join(images, 'notes.txt'), 'ignored');
  return { model, images, dir };
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
