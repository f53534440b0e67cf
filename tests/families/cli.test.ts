/**
 * `panescope explain` (through the CLI's main()) on every family written by the fixture script, on a real
 * photo: H x W maps whatever the layout, flux conserved, preprocessing from metadata and flags.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFamilies } from '../../scripts/fixtures/build-families';
import { families } from '../../scripts/fixtures/families';
import { tensorFileName } from '../../src/cli/explain';
import { main } from '../../src/cli/main';
import { parseNpy } from '../../src/core/npy';
import { buildModel } from '../../src/core/onnx';
import { CHELSEA } from '../paths';

let stderr: string[] = [];
let paths: Map<string, string>;
beforeAll(() => {
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  paths = writeFamilies();
});
afterEach(() => {
  stderr = [];
});

const tmp = () => mkdtempSync(join(tmpdir(), 'panescope-families-'));
const summaryOf = (out: string) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
const npyDims = (path: string) => parseNpy(readFileSync(path)).dims;

/** Input height and width each family is written for. */
const SIZE: Record<string, [number, number]> = { lenet_gray: [28, 28] };

describe('panescope explain on every family', () => {
  it.each(families().map((f) => f.name))('%s', async (name) => {
    const out = tmp();
    const code = await main([
      'explain',
      '--model',
      paths.get(name)!,
      '--image',
      CHELSEA,
      '--out',
      out,
      '--layers',
      'all',
    ]);
    expect(code, stderr.join('\n')).toBe(0);
    const [H, W] = SIZE[name] ?? [32, 32];
    expect(npyDims(join(out, 'saliency.npy'))).toEqual([H, W]);
    const summary = summaryOf(out);
    expect(Math.abs(summary.flux.sumTInputPlusSinks - 1)).toBeLessThan(1e-9);
    expect(summary.layersWritten.length).toBeGreaterThan(3);
    expect(npyDims(join(out, 'layers', tensorFileName(summary.input.name)))).toEqual([H, W]);
  });

  it('reads the model input layout and preprocessing from the model (NHWC, metadata hints)', async () => {
    const out = tmp();
    expect(await main(['explain', '--model', paths.get('tf_nhwc')!, '--image', CHELSEA, '--out', out])).toBe(
      0,
    );
    const s = summaryOf(out);
    expect(s.input).toEqual({ name: 'input_1', shape: [1, 32, 32, 3], layout: 'NHWC' });
    expect(s.preprocess).toMatchObject({ scale: 1, mean: [0, 0, 0], std: [1, 1, 1], width: 32, height: 32 });
    const grey = tmp();
    expect(
      await main(['explain', '--model', paths.get('lenet_gray')!, '--image', CHELSEA, '--out', grey]),
    ).toBe(0);
    expect(summaryOf(grey).preprocess).toMatchObject({ channels: 1, mean: [0.1307, 0.1307, 0.1307] });
  });

  it('flags override the model and the ImageNet recipe; --labels names the classes', async () => {
    const dir = tmp();
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, Array.from({ length: 10 }, (_, k) => `digit ${k}`).join('\n'));
    const out = join(dir, 'out');
    const args = ['--mean', '0.5', '--std', '0.25,0.5,1', '--scale', '1/255', '--channel-order', 'bgr'];
    const model = paths.get('tf_nhwc')!;
    expect(
      await main([
        'explain',
        '--model',
        model,
        '--image',
        CHELSEA,
        '--out',
        out,
        ...args,
        '--labels',
        labels,
      ]),
    ).toBe(0);
    const s = summaryOf(out);
    expect(s.preprocess).toMatchObject({ mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1], channelOrder: 'bgr' });
    expect(s.class.label).toMatch(/^digit \d$/);
    const imagenet = join(dir, 'imagenet');
    expect(
      await main([
        'explain',
        '--model',
        model,
        '--image',
        CHELSEA,
        '--out',
        imagenet,
        '--preprocess',
        'imagenet',
      ]),
    ).toBe(0);
    expect(summaryOf(imagenet).preprocess).toMatchObject({ mean: [0.485, 0.456, 0.406], scale: 1 / 255 });
  });

  it('--input-size sets a symbolic spatial size; a size the model does not take fails with one line', async () => {
    const dir = tmp();
    const model = join(dir, 'dynamic.onnx');
    writeFileSync(
      model,
      buildModel({
        inputs: [{ name: 'x', shape: ['N', 3, 'H', 'W'] }],
        outputs: [{ name: 'y' }],
        initializers: {
          w: { dims: [4, 3, 3, 3], data: Array.from({ length: 108 }, (_, i) => Math.sin(i)) },
          fc: { dims: [4, 5], data: Array.from({ length: 20 }, (_, i) => Math.cos(i)) },
        },
        nodes: [
          { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
          { op: 'Relu', inputs: ['c'], outputs: ['r'] },
          { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['p'] },
          { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
          { op: 'MatMul', inputs: ['f', 'fc'], outputs: ['y'] },
        ],
      }),
    );
    const out = join(dir, 'out');
    expect(
      await main(['explain', '--model', model, '--image', CHELSEA, '--out', out, '--input-size', '40,48']),
    ).toBe(0);
    expect(npyDims(join(out, 'saliency.npy'))).toEqual([40, 48]);
    stderr = [];
    const byDefault = join(dir, 'default');
    expect(await main(['explain', '--model', model, '--image', CHELSEA, '--out', byDefault])).toBe(0);
    expect(npyDims(join(byDefault, 'saliency.npy'))).toEqual([224, 224]);

    stderr = [];
    const fixed = paths.get('lenet_gray')!;
    expect(
      await main(['explain', '--model', fixed, '--image', CHELSEA, '--out', dir, '--input-size', '32']),
    ).toBe(1);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^panescope: .*Gemm .*inner dimensions 400 and 256 differ/);
    stderr = [];
    expect(await main(['explain', '--model', fixed, '--image', CHELSEA, '--out', dir, '--mean', 'a,b'])).toBe(
      2,
    );
    expect(stderr[0]).toContain('--mean must be numbers separated by commas');
  });
});
