/**
 * Escaped messages (issue 15, item 2): untrusted text that reaches the terminal (a .npy header, a tensor or
 * node name, a file name, a labels file) carries the ANSI payload below; every message shows it escaped, on
 * one line, and a binary file is never echoed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../../src/core/npy';
import { buildModel } from '../../src/core/onnx';
import { escapeControls, oneLine, quoted, safeText } from '../../src/core/text';
import { cli, hasControls, inputNpy, sin, tinyModel, tmp, tmpFile } from './tiny-model';

/** Retitles the terminal, erases the line and prints a fake green success message. */
export const ANSI = '\x1b]0;pwned\x07\x1b[2K\r\x1b[32mexplained class 285 (Egyptian cat) in 1 ms\x1b[0m';

const model = tmpFile('tiny.onnx', tinyModel());

async function explain(extra: string[], image = inputNpy(), modelPath = model) {
  const out = join(tmp(), 'out');
  return { ...(await cli(['explain', '--model', modelPath, '--image', image, '--out', out, ...extra])), out };
}

describe('escaping untrusted text', () => {
  it('escapes C0, C1, DEL and invisible reordering characters, and caps the length', () => {
    expect(escapeControls(ANSI)).toBe(
      '\\x1b]0;pwned\\x07\\x1b[2K\\r\\x1b[32mexplained class 285 (Egyptian cat) in 1 ms\\x1b[0m',
    );
    expect(escapeControls('a\u0085b\u009bc\u007fd\u202ee\u2066f\u200bg\ufeffh\ti\nj')).toBe(
      'a\\x85b\\x9bc\\x7fd\\u{202e}e\\u{2066}f\\u{200b}g\\u{feff}h\\ti\\nj',
    );
    expect(escapeControls('ünïcödé names stay 名前')).toBe('ünïcödé names stay 名前');
    expect(safeText('x'.repeat(250))).toBe(`${'x'.repeat(200)}… (50 more characters)`);
    expect(safeText('😀'.repeat(5), 3)).toBe('😀😀😀… (2 more characters)');
    expect(quoted('a\x1bb')).toBe("'a\\x1bb'");
    expect(oneLine('one\ntwo\r\nthree\x1b')).toBe('one; two; three\\x1b');
  });

  it('shows a .npy header with the payload escaped and cut, never the file', () => {
    const npy = encodeNpy({ dims: [2], data: Float32Array.of(1, 2) }, 'float32');
    const text = new TextDecoder('latin1').decode(npy).replace("'descr'", `'${ANSI}'`);
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    let message = '';
    try {
      parseNpy(bytes);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^\.npy: cannot read the header '\{'\\x1b\]0;pwned\\x07\\x1b\[2K\\r/);
    expect(hasControls(message)).toBe(false);
    expect(message.length).toBeLessThan(300);
  });

  it('refuses an unknown .npy version without echoing a 600 KB file', async () => {
    const npy = encodeNpy({ dims: [150000], data: new Float32Array(150000).fill(1) }, 'float32');
    npy[6] = 7;
    const run = await explain([], tmpFile('v7.npy', npy));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `panescope: '${join(run.stderr.split("'")[1])}': .npy: format version 7 is not supported (1 to 3)`,
    );
    // A version-2 header length that runs past the file.
    npy[6] = 2;
    const run2 = await explain([], tmpFile('v2.npy', npy));
    expect(run2.stderr).toMatch(/\.npy: header length \d+ does not fit the 600\d+-byte file$/);
    expect(run2.stderr.length).toBeLessThan(300);
  });

  it('escapes a .npy header payload on the terminal', async () => {
    const npy = encodeNpy({ dims: [1, 3, 16, 16], data: new Float32Array(768) }, 'float32');
    const text = new TextDecoder('latin1').decode(npy).replace("'<f4'", `'<f4${ANSI}'`);
    const run = await explain(
      [],
      tmpFile(
        'x.npy',
        Uint8Array.from(text, (c) => c.charCodeAt(0)),
      ),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/'<f4\\x1b\]0;pwned\\x07/);
    expect(hasControls(run.stderr)).toBe(false);
  });

  it('escapes node and tensor names in the coverage report', async () => {
    const bad = buildModel({
      opset: 13,
      inputs: [{ name: 'x', shape: [1, 3, 16, 16] }],
      outputs: [{ name: 'y' }],
      initializers: { w: { dims: [4, 3, 3, 3], data: sin(108) }, fc: { dims: [5, 4], data: sin(20) } },
      nodes: [
        { op: 'Conv', name: ANSI, inputs: ['x', 'w'], outputs: [`c${ANSI}`] },
        { op: 'Erf', name: `erf${ANSI}`, inputs: [`c${ANSI}`], outputs: ['e'] },
        { op: 'GlobalAveragePool', name: 'pool', inputs: ['e'], outputs: ['p'] },
        { op: 'Flatten', name: 'flatten', inputs: ['p'], outputs: ['f'] },
        { op: 'Gemm', name: 'fc', inputs: ['f', 'fc'], outputs: ['y'], attrs: { transB: 1 } },
      ],
    });
    const run = await explain([], inputNpy(), tmpFile('ansi.onnx', bad));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/erf\\x1b\]0;pwned\\x07/);
    expect(hasControls(run.stderr)).toBe(false);
    expect(run.stderr.split('\n')).toHaveLength(1);
  });

  it('escapes a file name and a labels file on the terminal', async () => {
    const missing = await explain([], join(tmp(), `${ANSI}.png`));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read image '.*\\x1b\]0;pwned\\x07\\x1b\[2K\\r.*\.png'/);
    expect(hasControls(missing.stderr)).toBe(false);

    const labels = tmpFile('labels.txt', Array.from({ length: 5 }, (_, k) => `${ANSI} ${k}`).join('\n'));
    const run = await explain(['--labels', labels]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^explained class \d \(\\x1b\]0;pwned\\x07\\x1b\[2K\\r\\x1b\[32mexplained/);
    expect(hasControls(run.stdout + run.stderr)).toBe(false);
    // summary.json keeps the label as written: JSON escapes it, and it is the user's own data.
    const summary = JSON.parse(readFileSync(join(run.out, 'summary.json'), 'utf8'));
    expect(summary.class.label).toContain('\x1b]0;pwned');
  });

  it('escapes an unknown command and a bad flag value before echoing them', async () => {
    const run = await cli([`explain${ANSI}`]);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(/^panescope: unknown command 'explain\\x1b\]0;pwned\\x07/);
    const flag = await explain(['--rule', ANSI]);
    expect(flag.code).toBe(2);
    expect(hasControls(flag.stderr)).toBe(false);
  });
});

describe('escaping in the app', () => {
  it('shows banner messages, notices and status details with control characters escaped', async () => {
    const { createAppStore } = await import('../../src/state/store');
    const { describeError, UserError } = await import('../../src/state/user-error');
    const store = createAppStore();
    store.getState().pushError(`${ANSI}.png is not an image`);
    store.getState().setNotice(`model ${ANSI}`);
    store.getState().setPhase('loading-image', `Decoding ${ANSI}`);
    const s = store.getState();
    for (const text of [s.errors[0].message, s.notice!, s.detail]) {
      expect(hasControls(text)).toBe(false);
      expect(text).toContain('\\x1b]0;pwned\\x07\\x1b[2K\\r\\x1b[32mexplained class 285');
    }
    store.getState().setExplanation(null, `The double chain cannot traverse ${ANSI}`);
    store
      .getState()
      .setRendered('main', { key: 'k', layer: 'x', info: null, message: `cannot draw ${ANSI}` });
    const after = store.getState();
    for (const text of [after.explainBlocked!, after.rendered.main!.message!]) {
      expect(hasControls(text)).toBe(false);
      expect(text).toContain('\\x1b]0;pwned\\x07');
    }
    const long = describeError('loading x.onnx', new Error(`${ANSI}${'y'.repeat(500)}`));
    expect(long).toMatch(/^loading x\.onnx: \\x1b\]0;pwned/);
    expect(long).toMatch(/… \(\d+ more characters\)$/);
    expect(describeError('x', new UserError('plain words'))).toBe('plain words');
  });
});
