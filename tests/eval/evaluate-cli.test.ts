import { METHOD_IDS } from '../../src/core/baselines/methods';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/cli/image-io';
import {
  parseEvaluateArgs,
  runEvaluate,
  withPaneAliases,
  type EvaluationReport,
} from '../../src/cli/evaluate';
import { DEFAULT_FINAL_MAP } from '../../src/core/pane/final-maps';
import { buildModel } from '../../src/core/onnx';
import { nativeAvailable } from '../../src/runtime';
import { writeFamilies } from '../../scripts/fixtures/build-families';
import { mulberry32, normalArray, uniformArray } from '../../src/core/random';

/** A small CNN with a symbolic batch, so onnxruntime scores perturbed images in batches. */
function tinyModel(): Uint8Array {
  const rng = mulberry32(21);
  return buildModel({
    inputs: [{ name: 'input', shape: ['N', 3, 16, 16] }],
    outputs: [{ name: 'logits', shape: ['N', 4] }],
    initializers: {
      w1: { dims: [6, 3, 3, 3], data: normalArray(rng, 162, 0.3) },
      b1: { dims: [6], data: uniformArray(rng, 6, -0.1, 0.1) },
      w2: { dims: [8, 6, 3, 3], data: normalArray(rng, 432, 0.2) },
      fc: { dims: [4, 8], data: normalArray(rng, 32, 0.5) },
    },
    nodes: [
      {
        op: 'Conv',
        inputs: ['input', 'w1', 'b1'],
        outputs: ['c1'],
        attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      {
        op: 'Conv',
        inputs: ['p1', 'w2'],
        outputs: ['c2'],
        attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
      { op: 'GlobalAveragePool', inputs: ['r2'], outputs: ['gap'] },
      { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] },
      { op: 'Gemm', inputs: ['flat', 'fc'], outputs: ['logits'], attrs: { transB: 1 } },
    ],
  });
}

function fixture(): { model: string; images: string } {
  const dir = mkdtempSync(join(tmpdir(), 'panescope-eval-'));
  const model = join(dir, 'tiny.onnx');
  writeFileSync(model, tinyModel());
  const images = join(dir, 'images');
  const rng = mulberry32(3);
  mkdirSync(images);
  for (const name of ['a', 'b']) {
    const rgba = new Uint8Array(20 * 18 * 4).map((_, i) => (i % 4 === 3 ? 255 : Math.floor(rng() * 256)));
    writeFileSync(join(images, `${name}.png`), encodePng(20, 18, rgba), { flag: 'w' });
  }
  writeFileSync(join(images, 'broken.jpg'), 'not a jpeg');
  return { model, images };
}

const FLAGS = [
  '--step',
  '32',
  '--ig-steps',
  '2',
  '--smoothgrad-samples',
  '2',
  '--random-seeds',
  '2',
  '--jobs',
  '1',
];

/** `panescope evaluate` of the fixture into `out`, with FLAGS and then `extra`. */
function evaluateInto(
  model: string,
  images: string,
  out: string,
  extra: string[],
  log: (s: string) => void = () => {},
) {
  return runEvaluate(
    parseEvaluateArgs(['--model', model, '--images', images, '--out', out, ...FLAGS, ...extra]),
    log,
  );
}

/** The parts of a report that must not depend on timing. */
function timeless(r: EvaluationReport) {
  return r.records.map((rec) => ({
    ...rec,
    ms: 0,
    methods: Object.fromEntries(Object.entries(rec.methods).map(([k, v]) => [k, { ...v, ms: 0 }])),
  }));
}

describe('panescope evaluate', () => {
  it('writes the report, skips unreadable images, and is deterministic', async () => {
    const { model, images } = fixture();
    const run = (out: string) =>
      runEvaluate(
        parseEvaluateArgs(['--model', model, '--images', images, '--out', out, ...FLAGS]),
        () => {},
      );
    const out1 = join(images, '..', 'out1');
    const first = await run(out1);
    expect(first.complete).toBe(true);
    expect(first.images.evaluated).toEqual(['a', 'b']);
    expect(first.images.skipped.map((s) => s.file)).toEqual(['broken.jpg']);
    for (const f of [
      'report.json',
      'report.md',
      'curves-deletion.svg',
      'curves-insertion.svg',
      'curves-lerf.svg',
    ]) {
      expect(existsSync(join(out1, f))).toBe(true);
    }
    const md = readFileSync(join(out1, 'report.md'), 'utf8');
    expect(md).toContain('| PANE-sf |');
    expect(md).toContain('Paired comparisons');
    expect(first.summary.table.sf?.deletion_auc.n).toBe(2);
    expect(first.summary.correlation.length).toBeGreaterThan(0);

    const second = await run(join(images, '..', 'out2'));
    expect(timeless(second)).toEqual(timeless(first));

    // A rerun into the same folder reuses the finished images.
    const messages: string[] = [];
    await runEvaluate(
      parseEvaluateArgs(['--model', model, '--images', images, '--out', out1, ...FLAGS]),
      (s) => messages.push(s),
    );
    expect(messages.join('')).toContain('reusing 2 finished image(s)');
  }, 60_000);

  it('a rerun with more methods computes only the missing ones; pane is redone when its construction changed', async () => {
    const { model, images } = fixture();
    const run = (out: string, methods: string, log: (s: string) => void = () => {}) =>
      evaluateInto(model, images, out, ['--methods', methods], log);
    const all = 'gradient,pane,random,sf';
    const fresh = await run(join(images, '..', 'fresh'), all);
    const out = join(images, '..', 'grown');
    await run(out, 'gradient,random');
    // A stored 'pane' of another construction (as after a change of the default final map) is not reused.
    const stored = join(out, 'images', 'a.json');
    const a = JSON.parse(readFileSync(stored, 'utf8'));
    a.record.methods.pane = { ...a.record.methods.gradient, ms: 0 };
    a.paneMap = 'fused';
    writeFileSync(stored, JSON.stringify(a));
    const messages: string[] = [];
    const grown = await run(out, all, (s) => messages.push(s));
    expect(messages.join('')).toContain('reusing 2 image(s)');
    expect(grown.settings.methods).toEqual(['gradient', 'pane', 'random', 'sf']);
    expect(timeless(grown)).toEqual(timeless(fresh));
    expect(Object.keys(grown.records[0].methods)).toEqual(['gradient', 'pane', 'random', 'sf']);
    expect({ ...grown.summary, methodMs: {} }).toEqual({ ...fresh.summary, methodMs: {} });
  }, 60_000);

  it("'pane' and 'pane-NAME' of the default construction stand for each other in stored records", () => {
    const m = (auc: number) => ({ metrics: { deletion_auc: auc }, ms: 1 }) as never;
    const record = (methods: object) => ({ id: 'a', target: 0, probability: 1, methods, ms: 1 }) as never;
    const named = `pane-${DEFAULT_FINAL_MAP}` as const;
    // A named run of the default gives 'pane'.
    const a = withPaneAliases({ key: 'k', record: record({ [named]: m(0.1) }) });
    expect(a.paneMap).toBe(DEFAULT_FINAL_MAP);
    expect(a.record.methods.pane).toEqual(m(0.1));
    // A stored 'pane' of another construction gives that construction's name, and yields to the named default.
    const b = withPaneAliases({
      key: 'k',
      record: record({ pane: m(0.2), [named]: m(0.3) }),
      paneMap: 'fused',
    });
    expect(b.record.methods['pane-fused']).toEqual(m(0.2));
    expect(b.record.methods.pane).toEqual(m(0.3));
    // An old record without paneMap: its 'pane' is of an unknown construction and stays out of use.
    const c = withPaneAliases({ key: 'k', record: record({ pane: m(0.4) }) });
    expect(c.paneMap).toBeUndefined();
  });

  it('--split evaluates one half of the development / test split', async () => {
    const { model, images } = fixture();
    // b.png is a development image and a.png and broken.jpg are test images (core/eval/split).
    const run = async (split: string) =>
      evaluateInto(model, images, join(images, '..', split), [
        '--split',
        split,
        '--methods',
        'sf,random',
        '--metrics',
        'deletion',
      ]);
    const dev = await run('dev');
    expect(dev.images).toMatchObject({ split: 'dev', evaluated: ['b'], skipped: [] });
    const test = await run('test');
    expect(test.images.evaluated).toEqual(['a']);
    expect(test.images.skipped.map((s) => s.file)).toEqual(['broken.jpg']);
    expect(() =>
      parseEvaluateArgs(['--model', 'm', '--images', 'i', '--out', 'o', '--split', 'train']),
    ).toThrow(/--split must be one of dev, test/);
  }, 60_000);

  it('--gradients wasm scores the gradient baselines on the float32 graph as float64 does', async () => {
    const { model, images } = fixture();
    const methods = ['--methods', 'gradient,gradient_x_input,integrated_gradients,smoothgrad,gradcam'];
    const run = (out: string, gradients: string) =>
      runEvaluate(
        parseEvaluateArgs([
          ...['--model', model, '--images', images, '--out', join(images, '..', out)],
          ...[...FLAGS, ...methods, '--metrics', 'deletion,insertion', '--maps', 'float64'],
          ...['--gradients', gradients],
        ]),
        () => {},
      );
    const f64 = await run('f64', 'float64');
    const f32 = await run('f32', 'wasm');
    // 'wasm' is the old name of the float32 gradient graph.
    expect(f32.settings.gradients).toBe('float32');
    expect(f64.settings.gradients).toBe('float64');
    expect(f32.images.evaluated).toEqual(['a', 'b']);
    for (const rec of f32.records) {
      const same = f64.records.find((r) => r.id === rec.id)!;
      for (const [method, r] of Object.entries(rec.methods)) {
        const want = same.methods[method as keyof typeof rec.methods]!.metrics;
        expect(Math.abs(r.metrics.deletion!.auc - want.deletion!.auc), method).toBeLessThan(1e-4);
        expect(Math.abs(r.metrics.insertion!.auc - want.insertion!.auc), method).toBeLessThan(1e-4);
      }
    }
    expect(() =>
      parseEvaluateArgs(['--model', 'm', '--images', 'i', '--out', 'o', '--gradients', 'webgpu']),
    ).toThrow(/--gradients must be one of float32, float64/);
  }, 60_000);

  it('--maps float32 (the default) gives the AUCs of the float64 reference within 1e-3, every method', async () => {
    const { model, images } = fixture();
    const metrics = ['--metrics', 'deletion,insertion,lerf,adversarial,correlation'];
    const run = (out: string, maps: string[]) =>
      runEvaluate(
        parseEvaluateArgs([
          ...['--model', model, '--images', images, '--out', join(images, '..', out)],
          ...[...FLAGS, ...metrics, ...maps],
        ]),
        () => {},
      );
    const f32 = await run('f32', []);
    const f64 = await run('f64', ['--maps', 'float64']);
    expect(f32.settings.maps).toBe('float32');
    expect(f32.settings.gradients).toBe('float32');
    expect(f32.settings.runtime).toBe((await nativeAvailable()) ? 'native' : 'wasm');
    expect(f64.settings.maps).toBe('float64');
    expect(f64.settings.gradients).toBe('float64');
    expect(f32.images.evaluated).toEqual(['a', 'b']);
    let compared = 0;
    for (const rec of f32.records) {
      const same = f64.records.find((r) => r.id === rec.id)!;
      expect(rec.target).toBe(same.target);
      expect(Math.abs(rec.probability - same.probability)).toBeLessThan(1e-5);
      expect(Object.keys(rec.methods).sort()).toEqual(Object.keys(same.methods).sort());
      for (const [method, r] of Object.entries(rec.methods)) {
        const want = same.methods[method as keyof typeof rec.methods]!.metrics;
        for (const kind of ['deletion', 'insertion', 'lerf'] as const) {
          expect(Math.abs(r.metrics[kind]!.auc - want[kind]!.auc), `${method} ${kind}`).toBeLessThan(1e-3);
          compared++;
        }
      }
      // The per-layer correlations come from the compiled sf chain: the same layers, the same values.
      expect(rec.correlation!.map((l) => l.tensor)).toEqual(same.correlation!.map((l) => l.tensor));
      rec.correlation!.forEach((l, i) => {
        const want = same.correlation![i].netOverTotal;
        if (want !== null) expect(Math.abs(l.netOverTotal! - want)).toBeLessThan(1e-4);
      });
    }
    expect(compared).toBe(2 * METHOD_IDS.length * 3);
    expect(() =>
      parseEvaluateArgs(['--model', 'm', '--images', 'i', '--out', 'o', '--maps', 'float16']),
    ).toThrow(/--maps must be one of float32, float64/);
  }, 120_000);

  it('refuses an NHWC (TensorFlow layout) model with a clear message', async () => {
    const { images } = fixture();
    const model = writeFamilies(join(images, '..', 'families')).get('tf_nhwc')!;
    await expect(
      runEvaluate(
        parseEvaluateArgs(['--model', model, '--images', images, '--out', join(images, '..', 'o')]),
        () => {},
      ),
    ).rejects.toThrow(/evaluate takes NCHW models; this one takes NHWC/);
  });

  it('rejects unknown methods and metrics with a usage error', () => {
    expect(() =>
      parseEvaluateArgs(['--model', 'm', '--images', 'i', '--out', 'o', '--methods', 'sf,nope']),
    ).toThrow(/unknown 'nope'/);
    expect(() =>
      parseEvaluateArgs(['--model', 'm', '--images', 'i', '--out', 'o', '--metrics', 'auc']),
    ).toThrow(/unknown 'auc'/);
  });
});
