/**
 * Bounded reads (issue 15, item 4): only regular files are opened, sizes are capped before reading, the input
 * size is capped, and image sizes come from the header before any decoding, for every format, in the CLI and
 * the app (core/image-header).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readImageHeader, readImageHeaderFrom } from '../../src/core/image-header';
import { cli, firstLine, inputNpy, tinyModel, tmp, tmpFile } from './tiny-model';

const model = tmpFile('tiny.onnx', tinyModel());

async function explain(flags: Record<string, string>, extra: string[] = []) {
  const out = join(tmp(), 'out');
  const args = { model, image: inputNpy(), out, ...flags };
  const run = await cli(['explain', ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, v]), ...extra]);
  return { ...run, out };
}

function bytes(...parts: (number[] | string | Uint8Array)[]): Uint8Array {
  return Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : [...p])),
  );
}
const be16 = (v: number) => [(v >>> 8) & 255, v & 255];
const be32 = (v: number) => [...be16(v >>> 16), ...be16(v & 0xffff)];

/** A PNG whose IHDR says width x height (grey, 8 bit), with an IDAT of `rows` rows of zeros. */
function png(width: number, height: number, rows = 0): Uint8Array {
  const chunk = (type: string, data: number[] | Uint8Array) => bytes(be32(data.length), type, data, be32(0));
  const idat = deflateSync(new Uint8Array(rows * (width + 1)));
  return bytes(
    [0x89],
    'PNG\r\n\x1a\n',
    chunk('IHDR', [...be32(width), ...be32(height), 8, 0, 0, 0, 0]),
    chunk('IDAT', idat),
  );
}

/**
 * A JPEG's first segments: SOI, APP1 segments of `app1Bytes` in all (a segment holds at most 65533), then a
 * baseline frame header of width x height.
 */
function jpegHeader(width: number, height: number, app1Bytes = 0): Uint8Array {
  const app1: number[] = [];
  for (let left = app1Bytes; left > 0; left -= 65000) {
    const n = Math.min(left, 65000);
    app1.push(0xff, 0xe1, ...be16(n + 2), ...new Uint8Array(n));
  }
  return bytes(
    [0xff, 0xd8],
    app1,
    [0xff, 0xc0, 0, 11, 8],
    be16(height),
    be16(width),
    [1, 1, 0x11, 0],
    [0xff, 0xd9],
  );
}

describe('bounded reads', () => {
  it.each([
    ['model', '/dev/zero', /cannot read model '\/dev\/zero': it is a device, not a file/],
    ['image', '/dev/urandom', /cannot read image '\/dev\/urandom': it is a device, not a file/],
    ['labels', '/dev/zero', /cannot read labels '\/dev\/zero': it is a device, not a file/],
  ])('refuses --%s %s at once', async (flag, path, message) => {
    const t0 = performance.now();
    const run = await explain({ [flag]: path });
    expect(run.code).toBe(1);
    expect(firstLine(run)).toMatch(message);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(existsSync(run.out)).toBe(false);
  });

  it('refuses --model /dev/zero in evaluate too, at once', async () => {
    // An empty folder of images: the model is read, and refused, first.
    const images = tmp();
    const t0 = performance.now();
    const run = await cli([
      'evaluate',
      '--model',
      '/dev/zero',
      '--images',
      images,
      '--out',
      join(tmp(), 'out'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot read model '\/dev\/zero': it is a device, not a file/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('refuses a FIFO and a folder without waiting for a writer', async () => {
    const fifo = join(tmp(), 'image.png');
    execFileSync('mkfifo', [fifo]);
    const run = await explain({ image: fifo });
    expect(run.code).toBe(1);
    expect(firstLine(run)).toMatch(
      /cannot read image '.*image\.png': it is a named pipe \(FIFO\), not a file/,
    );
    const dir = await explain({ image: tmp() });
    expect(firstLine(dir)).toMatch(/it is a folder, not a file/);
  });

  it('caps file sizes before reading, with --max-file-mb to change the cap', async () => {
    const big = tmpFile('big.npy', new Uint8Array(2 * 1024 * 1024 + 1));
    const run = await explain({ image: big, 'max-file-mb': '1' });
    expect(run.code).toBe(1);
    expect(firstLine(run)).toMatch(
      /^panescope: image '.*big\.npy' is 2 MB; image files up to 1 MB are read \(raise the cap with --max-file-mb\)$/,
    );
    // Raised: the file is read (and then refused as a .npy, which it is not).
    const raised = await explain({ image: big, 'max-file-mb': '3' });
    expect(firstLine(raised)).toMatch(/not a \.npy file/);
    for (const bad of ['0', '-1', '3000', 'lots']) {
      expect((await explain({ 'max-file-mb': bad })).code).toBe(2);
    }
  });

  it('caps --input-size', async () => {
    const run = await explain({ 'input-size': '20000' });
    expect(run.code).toBe(2);
    expect(firstLine(run)).toBe(
      'panescope: --input-size 20000 x 20000 is too large: at most 4096 per side and 1048576 pixels (1024 x 1024)',
    );
    expect((await explain({ 'input-size': '8000,10' })).code).toBe(2);
  });

  it('refuses a 20000 x 20000 PNG from its header in under a second', async () => {
    // 20000 grey rows of zeros: 400 MB of pixels in a 390 KB file.
    const bomb = png(20000, 20000, 20000);
    expect(bomb.length).toBeLessThan(500_000);
    const t0 = performance.now();
    const run = await explain({ image: tmpFile('bomb.png', bomb) });
    const ms = performance.now() - t0;
    expect(run.code).toBe(1);
    expect(firstLine(run)).toMatch(
      /bomb\.png': the image is 20000 x 20000 \(400 megapixels\); images up to 50 megapixels are read$/,
    );
    expect(ms).toBeLessThan(1000);
  });

  it('refuses images without pixels and formats the CLI does not decode, from the header', async () => {
    const empty = await explain({ image: tmpFile('empty.png', png(0, 10)) });
    expect(firstLine(empty)).toMatch(/empty\.png': the image has no pixels \(0 x 10\)$/);
    const gif = await explain({ image: tmpFile('x.gif', bytes('GIF89a', [0x40, 1, 0xf0, 0])) });
    expect(firstLine(gif)).toMatch(/x\.gif': GIF images are not read here; convert it to PNG or JPEG$/);
    const jpeg = await explain({ image: tmpFile('huge.jpg', jpegHeader(20000, 20000, 100_000)) });
    expect(firstLine(jpeg)).toMatch(/huge\.jpg': the image is 20000 x 20000 \(400 megapixels\)/);
  });

  it('finds a JPEG frame header after a large APP1, reading only the chunks it needs', async () => {
    const file = jpegHeader(12000, 9000, 65_000 * 3);
    expect(readImageHeader(file)).toMatchObject({ format: 'jpeg', width: 12000, height: 9000 });
    const reads: number[] = [];
    const header = await readImageHeaderFrom(file.length, async (offset, length) => {
      reads.push(offset);
      return file.subarray(offset, offset + length);
    });
    expect(header).toMatchObject({ format: 'jpeg', width: 12000, height: 9000, orientation: 1 });
    // The first chunk, then the chunk of each segment head after it: 2 of the file's 3 chunks... at most.
    expect(reads.length).toBeLessThanOrEqual(4);
    expect(reads[0]).toBe(0);
    // The largest of several frame headers counts (a hostile file cannot hide a big frame behind a small one).
    const two = bytes(
      jpegHeader(10, 10).subarray(0, -2),
      [0xff, 0xc2, 0, 11, 8],
      be16(30000),
      be16(30000),
      [1, 1, 0x11, 0],
    );
    expect(readImageHeader(two)).toMatchObject({ width: 30000, height: 30000 });
  });
});
