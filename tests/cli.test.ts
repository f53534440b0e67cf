/** `panescope explain` on the default model and on bad input: files, numbers and one-line errors. */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main';
import { tensorFileName } from '../src/cli/explain';
import { parseNpy } from '../src/core/npy';
import { buildModel } from '../src/core/onnx';
import { CHELSEA, SHARED_SQUEEZENET, SQUEEZENET_ONNX } from './paths';

let stderr: string[] = [];
beforeAll(() => {
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  stderr = [];
});

const tmp = () => mkdtempSync(join(tmpdir(), 'panescope-cli-'));

describe('panescope explain', () => {
  it('writes the maps, the overlay, the requested layers and the summary for SqueezeNet', async () => {
    const out = tmp();
    const code = await main([
      'explain',
      '--model',
      SQUEEZENET_ONNX,
      '--image',
      CHELSEA,
      '--out',
      out,
      '--layers',
      'fire7,conv0_relu',
      '--map',
      'fused',
    ]);
    expect(code).toBe(0);
    const S = parseNpy(readFileSync(join(out, 'pixel.npy')));
    // saliency.npy is the chosen construction: the mean of max-normalised positive layer maps, in [0, 1].
    const F = parseNpy(readFileSync(join(out, 'saliency.npy')));
    expect(F.dims).toEqual([224, 224]);
    const fMax = Math.max(...F.data);
    expect(fMax).toBeGreaterThan(0.1);
    expect(fMax).toBeLessThanOrEqual(1 + 1e-6);
    expect(Math.min(...F.data)).toBeGreaterThanOrEqual(0);
    const P = parseNpy(readFileSync(join(out, 'positive.npy')));
    const N = parseNpy(readFileSync(join(out, 'negative.npy')));
    expect(S.dims).toEqual([224, 224]);
    expect(S.data).toBeInstanceOf(Float32Array);
    // S = S_P - S_N, both non-negative.
    let worst = 0;
    for (let i = 0; i < S.data.length; i++) {
      expect(P.data[i]).toBeGreaterThanOrEqual(0);
      expect(N.data[i]).toBeGreaterThanOrEqual(0);
      worst = Math.max(worst, Math.abs(S.data[i] - (P.data[i] - N.data[i])));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(parseNpy(readFileSync(join(out, 'layers', tensorFileName('fire7')))).dims).toEqual([13, 13]);
    expect(parseNpy(readFileSync(join(out, 'layers', tensorFileName('conv0_relu')))).dims).toEqual([
      111, 111,
    ]);
    const png = readFileSync(join(out, 'overlay.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.model.sha256).toBe('0fd0995dc9ad121c6b154fd21939d5be3642d03e10365c59482ef1116218fd0b');
    expect(summary.input.shape).toEqual([1, 3, 224, 224]);
    expect(summary.class).toMatchObject({ index: 285, label: 'Egyptian cat' });
    expect(summary.top5).toHaveLength(5);
    expect(summary.top5[0].prob).toBeGreaterThan(0.4);
    expect(summary.options.rule).toBe('sf');
    expect(summary.finalMap).toBe('fused');
    expect(summary.overlay.colormap).toBe('sequential');
    expect(Math.abs(summary.flux.sumTInputPlusSinks - 1)).toBeLessThan(1e-6);
    expect(summary.timingsMs.total).toBeGreaterThan(0);
  });

  it('explains requested classes with other rules and heads from a preprocessed .npy input', async () => {
    const out = tmp();
    const x = `${SHARED_SQUEEZENET}/test_data_set/0/input_0.npy`;
    const code = await main([
      'explain',
      '--model',
      SQUEEZENET_ONNX,
      '--image',
      x,
      '--class',
      '490',
      '--rule',
      'ebp',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.class.index).toBe(490);
    expect(summary.options).toMatchObject({ rule: 'ebp', alpha: 1, beta: 0, biasMode: 'ignore' });
    // ebp: alpha=1, beta=0 never feeds the negative chain from the positive start.
    const N = parseNpy(readFileSync(join(out, 'negative.npy')));
    expect(N.data.every((v) => v === 0)).toBe(true);

    // A class other than the top one, with another rule and head.
    const out2 = tmp();
    const args = [
      '--class',
      '7',
      '--rule',
      'alphabeta',
      '--alpha',
      '3',
      '--beta',
      '2',
      '--head',
      'contrast_mean',
    ];
    expect(await main(['explain', '--model', SQUEEZENET_ONNX, '--image', x, ...args, '--out', out2])).toBe(0);
    const s2 = JSON.parse(readFileSync(join(out2, 'summary.json'), 'utf8'));
    expect(s2.class.index).toBe(7);
    expect(s2.options).toMatchObject({ rule: 'alphabeta', alpha: 3, beta: 2, head: 'contrast_mean' });
    expect(s2.top5[0].index).toBe(490);
  });

  it('rejects bad arguments with exit code 2 and a usage line', async () => {
    expect(await main(['explain', '--model', SQUEEZENET_ONNX, '--out', tmp()])).toBe(2);
    expect(stderr.join('\n')).toContain('--image is required');
    stderr = [];
    expect(await main(['explain', '--model', 'm', '--image', 'i', '--out', 'o', '--rule', 'magic'])).toBe(2);
    expect(stderr[0]).toContain('--rule must be one of sf, alphabeta, ebp');
  });

  it('prints the usage and exits 0 for --help after a command', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['evaluate', '--help'])).toBe(0);
      // The last call: earlier tests of this file may have logged through the same spy.
      expect(String(log.mock.calls.at(-1)?.[0])).toContain(
        '[--maps float32|float64] [--gradients float32|float64]',
      );
    } finally {
      log.mockRestore();
    }
  });

  it('--version prints the package version; no arguments print the usage on stderr with exit 2', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['--version'])).toBe(0);
      const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
      expect(String(log.mock.calls.at(-1)?.[0])).toBe(`panescope ${version}`);
      const logged = log.mock.calls.length;
      expect(await main([])).toBe(2);
      expect(log.mock.calls.length).toBe(logged);
      expect(stderr.join('\n')).toMatch(/^usage: panescope --version/);
    } finally {
      log.mockRestore();
    }
  });

  it('fails with one clear line on an unreadable image, a non-image file and a class out of range', async () => {
    expect(
      await main(['explain', '--model', SQUEEZENET_ONNX, '--image', '/nonexistent.png', '--out', tmp()]),
    ).toBe(1);
    expect(stderr).toEqual(["panescope: cannot read image '/nonexistent.png': ENOENT"]);
    stderr = [];
    const notImage = join(tmp(), 'notes.png');
    writeFileSync(notImage, 'hello');
    expect(await main(['explain', '--model', SQUEEZENET_ONNX, '--image', notImage, '--out', tmp()])).toBe(1);
    expect(stderr[0]).toMatch(/notes\.png': not a PNG or JPEG image/);
    stderr = [];
    expect(
      await main([
        'explain',
        '--model',
        SQUEEZENET_ONNX,
        '--image',
        CHELSEA,
        '--class',
        '1000',
        '--out',
        tmp(),
      ]),
    ).toBe(1);
    expect(stderr[0]).toContain('--class 1000 is out of range: the model has 1000 classes');
  });

  it('refuses a model with an op that has no rule (Erf) and names the node in the op-coverage report', async () => {
    const dir = tmp();
    const model = join(dir, 'erf.onnx');
    const w = Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => Math.sin(i));
    writeFileSync(
      model,
      buildModel({
        inputs: [{ name: 'x', shape: [1, 3, 8, 8] }],
        outputs: [{ name: 'y' }],
        initializers: { w: { dims: [2, 3, 3, 3], data: w } },
        nodes: [
          { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], name: 'stem' },
          { op: 'Erf', inputs: ['c'], outputs: ['m'], name: 'erf_act' },
          { op: 'GlobalAveragePool', inputs: ['m'], outputs: ['g'] },
          { op: 'Flatten', inputs: ['g'], outputs: ['y'] },
        ],
      }),
    );
    const x = join(dir, 'x.npy');
    const { encodeNpy } = await import('../src/core/npy');
    writeFileSync(x, encodeNpy({ dims: [1, 3, 8, 8], data: new Float32Array(192).fill(0.5) }, 'float32'));
    const out = join(dir, 'out');
    expect(await main(['explain', '--model', model, '--image', x, '--out', out])).toBe(1);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain('cannot traverse');
    expect(stderr[0]).toContain('Erf');
    expect(stderr[0]).toContain('erf_act');
    expect(existsSync(join(out, 'saliency.npy'))).toBe(false);
  });
});
