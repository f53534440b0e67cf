/**
 * Validate before working, write atomically (issue 15, item 5): a bad --out, a missing --labels file or an
 * unknown --layers name is refused before the model runs; files go to a staging folder beside --out and are
 * renamed into place, so a failed run leaves nothing; a rerun says what it replaces.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, firstLine, inputNpy, tinyModel, tmp, tmpFile } from './tiny-model';

const model = tmpFile('tiny.onnx', tinyModel());
const image = inputNpy();

async function explain(out: string, extra: string[] = []) {
  return cli(['explain', '--model', model, '--image', image, '--out', out, ...extra]);
}

/** Nothing but `expected` in the folder that holds `out` (no staging folder left behind). */
function siblings(out: string): string[] {
  return readdirSync(dirname(out)).sort();
}

describe('validate before working, write atomically', () => {
  it('refuses an --out that is a file, or lies under one, before loading the image', async () => {
    const file = tmpFile('taken', 'not a folder');
    const run = await explain(file, ['--image', '/nonexistent.npy']);
    expect(run.code).toBe(1);
    // The --out problem is reported, not the missing image: --out is checked first.
    expect(firstLine(run)).toMatch(/^panescope: --out '.*taken' exists and is not a folder$/);
    const under = await explain(join(file, 'maps'));
    expect(firstLine(under)).toMatch(/--out '.*taken\/maps': '.*taken' is not a folder$/);
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });

  it('refuses a place that cannot be written', async () => {
    const run = await explain('/proc/panescope-out');
    expect(run.code).toBe(1);
    expect(firstLine(run)).toMatch(
      /^panescope: --out '\/proc\/panescope-out': (cannot create a folder in '\/proc'|'\/proc' cannot be written)/,
    );
  });

  it('refuses a missing or mismatched --labels file and an unknown --layers name before the work', async () => {
    const out = join(tmp(), 'out');
    const missing = await explain(out, ['--labels', '/nonexistent/labels.txt']);
    expect(missing.code).toBe(1);
    expect(firstLine(missing)).toBe("panescope: cannot read labels '/nonexistent/labels.txt': ENOENT");
    const three = await explain(out, ['--labels', tmpFile('labels.txt', 'a\nb\nc\n')]);
    expect(firstLine(three)).toMatch(
      /--labels '.*labels\.txt': labels file has 3 names; the model has 5 classes$/,
    );
    const layers = await explain(out, ['--layers', 'r,nope,r\x1b[2K']);
    expect(firstLine(layers)).toBe("panescope: --layers: 'nope', 'r\\x1b[2K' are not tensors of this model");
    for (const run of [missing, three, layers]) expect(run.stderr).not.toMatch(/forward|chain/);
    expect(existsSync(out)).toBe(false);
    expect(siblings(out)).toEqual([]);
  });

  it('leaves nothing when the run fails after the maps were computed', async () => {
    // 'w' is a tensor of the model (a weight), so the early check passes, but the chain does not pass through it.
    const out = join(tmp(), 'nested', 'out');
    const run = await explain(out, ['--layers', 'r,w']);
    expect(run.code).toBe(1);
    expect(firstLine(run)).toBe("panescope: --layers: 'w' is not a tensor the chain passes through");
    expect(existsSync(dirname(out))).toBe(false);
    expect(readdirSync(dirname(dirname(out)))).toEqual([]);
  });

  it('writes a new folder whole, and a rerun replaces the earlier run and says so, keeping other files', async () => {
    const out = join(tmp(), 'out');
    const first = await explain(out, ['--layers', 'r']);
    expect(first.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'layers',
      'negative.npy',
      'overlay.png',
      'pixel.npy',
      'positive.npy',
      'saliency.npy',
      'summary.json',
    ]);
    expect(siblings(out)).toEqual(['out']);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    mkdirSync(join(out, 'more'));

    const second = await explain(out, ['--class', '2']);
    expect(second.code).toBe(0);
    expect(second.stderr.split('\n')[0]).toMatch(
      /^--out '.*out' holds an earlier run: replacing saliency\.npy, pixel\.npy, positive\.npy, negative\.npy, overlay\.png, layers\/, summary\.json$/,
    );
    // The layers of the first run are gone (they belonged to other maps); the user's files stay.
    expect(readdirSync(out).sort()).toEqual([
      'more',
      'negative.npy',
      'notes.txt',
      'overlay.png',
      'pixel.npy',
      'positive.npy',
      'saliency.npy',
      'summary.json',
    ]);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).class.index).toBe(2);
    expect(siblings(out)).toEqual(['out']);
  });
});
