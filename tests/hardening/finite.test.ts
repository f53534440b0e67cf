/**
 * Finite or refused (issue 15, item 1): NaN and infinite inputs, preprocessing parameters that overflow,
 * out-of-range alpha and beta, non-finite weights and forward passes that overflow are refused in one line that
 * names where the values arose; nothing is written. Finite runs give finite maps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../src/core/npy';
import { loadGraph } from '../../src/core/onnx';
import { findNonFinite, describeNonFinite } from '../../src/core/finite';
import { requireFiniteChain } from '../../src/cli/non-finite';
import { DEFAULT_OPTIONS } from '../../src/core/pane/options';
import { CHELSEA } from '../paths';
import { cli, firstLine, hasControls, inputNpy, sin, tinyModel, tmp, tmpFile } from './tiny-model';

const model = tmpFile('tiny.onnx', tinyModel());

async function explain(extra: string[], image = inputNpy(), modelPath = model) {
  const out = join(tmp(), 'out');
  const run = await cli(['explain', '--model', modelPath, '--image', image, '--out', out, ...extra]);
  return { ...run, out };
}

describe('finite or refused', () => {
  it('finds the first non-finite value and counts them', () => {
    expect(findNonFinite([1, 2, 3])).toBeUndefined();
    const found = findNonFinite([0, -Infinity, NaN, 4]);
    expect(found).toEqual({ index: 1, value: '-Inf', count: 2 });
    expect(describeNonFinite(found!, 4)).toBe('-Inf at index 1 (2 of 4 values are not finite)');
  });

  it.each([
    ['NaN', NaN, /x\.npy': the array holds NaN at index 0 \(768 of 768 values are not finite\)/],
    ['+Inf', Infinity, /the array holds \+Inf at index 0/],
  ])('refuses an all-%s .npy input', async (_, value, message) => {
    const run = await explain(
      [],
      inputNpy(() => value),
    );
    expect(run.code).toBe(1);
    expect(firstLine(run)).toMatch(message);
    expect(existsSync(run.out)).toBe(false);
  });

  it('refuses one NaN among finite values, naming its index', async () => {
    const run = await explain(
      [],
      inputNpy((i) => (i === 300 ? NaN : 0.5)),
    );
    expect(run.code).toBe(1);
    expect(firstLine(run)).toMatch(/NaN at index 300 \(1 of 768 values are not finite\)/);
  });

  it.each([
    [['--std', '1e-320'], /std 1e-320 maps pixel values to .*Infinity/],
    [
      ['--scale', '1e308'],
      /scale 1e\+308, mean 0.485 and std 0.229 maps pixel values to -2.12 .. Infinity in channel 0/,
    ],
    [['--mean', '1e308', '--std', '1e-10'], /mean 1e\+308 and std 1e-10 maps/],
  ])(
    'refuses preprocessing %j that sends pixels to infinity, before reading the image',
    async (flags, message) => {
      const run = await explain(flags, CHELSEA);
      expect(run.code).toBe(1);
      expect(firstLine(run)).toMatch(message);
      expect(existsSync(run.out)).toBe(false);
    },
  );

  it.each([
    [['--alpha', '1e308', '--beta', '1e308'], '--alpha must be at most 1000000 (got 1e+308)'],
    [['--alpha=-5'], '--alpha must be >= 0 (got -5)'],
    [['--alpha', '-5'], '--alpha must be >= 0 (got -5)'],
    [['--beta', '-0.5'], '--beta must be >= 0 (got -0.5)'],
    [['--beta', 'NaN'], "--beta must be a finite number (got 'NaN')"],
    [['--alpha', 'Infinity'], "--alpha must be a finite number (got 'Infinity')"],
    [['--alpha', '-Infinity'], "--alpha must be a finite number (got '-Infinity')"],
    [['--alpha', ''], "--alpha must be a finite number (got '')"],
  ])('refuses alpha and beta %j with a usage error', async (flags, message) => {
    const run = await explain(['--rule', 'alphabeta', ...flags]);
    expect(run.code).toBe(2);
    expect(firstLine(run)).toBe(`panescope: ${message}`);
  });

  it('parses --opt=-5 and --opt -5 the same way (here a negative mean, which is allowed)', async () => {
    const a = await explain(['--mean=-0.5', '--preprocess', 'none'], CHELSEA);
    const b = await explain(['--mean', '-0.5', '--preprocess', 'none'], CHELSEA);
    expect([a.code, b.code]).toEqual([0, 0]);
    const sa = JSON.parse(readFileSync(join(a.out, 'summary.json'), 'utf8'));
    const sb = JSON.parse(readFileSync(join(b.out, 'summary.json'), 'utf8'));
    expect(sa.preprocess.mean).toEqual([-0.5, -0.5, -0.5]);
    expect(sb.preprocess).toEqual(sa.preprocess);
  });

  it('runs alpha - beta != 1 with a warning in summary.json and finite maps', async () => {
    const run = await explain(['--rule', 'alphabeta', '--alpha', '3', '--beta', '1']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(run.out, 'summary.json'), 'utf8'));
    expect(summary.warnings).toEqual([
      expect.stringMatching(/^alpha - beta = 2, not 1: .* does not conserve/),
    ]);
    expect(run.stderr).toMatch(/warning: alpha - beta = 2, not 1/);
    expect(Math.abs(summary.flux.sumTInputPlusSinks - 1)).toBeGreaterThan(1e-3);
    const S = parseNpy(readFileSync(join(run.out, 'saliency.npy')));
    expect(findNonFinite(S.data)).toBeUndefined();
    expect(S.data.some((v) => v !== 0)).toBe(true);
    // The conserving default has no warning.
    const sf = await explain([]);
    expect(JSON.parse(readFileSync(join(sf.out, 'summary.json'), 'utf8')).warnings).toEqual([]);
  });

  it.each([
    [
      'a NaN weight',
      { w: { dims: [4, 3, 3, 3], data: sin(108).map((v, i) => (i === 7 ? NaN : v)) } },
      /invalid model: weight 'w' holds NaN at index 7/,
    ],
    [
      'an infinite weight',
      { fc: { dims: [5, 4], data: sin(20).map((v, i) => (i === 2 ? -Infinity : v)) } },
      /invalid model: weight 'fc' holds -Infinity at index 2/,
    ],
  ])('refuses a model with %s at load', async (_, initializers, message) => {
    const bad = tmpFile('bad.onnx', tinyModel({ initializers }));
    const run = await explain([], inputNpy(), bad);
    expect(run.code).toBe(1);
    expect(firstLine(run)).toMatch(message);
  });

  it('refuses a batch norm with negative variance at load', () => {
    const bn = tinyModel({
      initializers: {
        scale: { dims: [4], data: [1, 1, 1, 1] },
        bias: { dims: [4], data: [0, 0, 0, 0] },
        mean: { dims: [4], data: [0, 0, 0, 0] },
        var: { dims: [4], data: [1, -2, 1, 1] },
      },
      middle: [
        {
          op: 'BatchNormalization',
          name: 'bn',
          inputs: ['r', 'scale', 'bias', 'mean', 'var'],
          outputs: ['m'],
        },
      ],
    });
    expect(() => loadGraph(bn)).toThrow(
      "BatchNormalization 'bn': variance -2 (channel 1) + epsilon 0.00001 is not positive",
    );
  });

  it('names the node where the forward pass overflows', async () => {
    // float32 weights of about 1e30: the stem and the first 1x1 convolutions stay finite in float64, each
    // multiplies the magnitude by about 1e30, and one of the later ones overflows.
    const convs = Array.from({ length: 12 }, (_, k) => ({
      op: 'Conv',
      name: `conv${k + 1}`,
      inputs: [k === 0 ? 'r' : `h${k}`, 'w2'],
      outputs: [k === 11 ? 'm' : `h${k + 1}`],
    }));
    const huge = tinyModel({
      initializers: {
        w2: { dims: [4, 4, 1, 1], data: Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1e30 : 0)) },
      },
      middle: convs,
    });
    const run = await explain([], inputNpy(), tmpFile('huge.onnx', huge));
    expect(run.code).toBe(1);
    // The diagonal weight makes the growth exact: |x| ~ 1 -> stem ~ 1 -> 1e30 per layer; 1e330 > 1.8e308.
    expect(firstLine(run)).toMatch(
      /^panescope: the forward pass gives non-finite logits \(.*\): node 'conv11' \(Conv\) turns finite inputs into [+-]Inf .* in 'h11'$/,
    );
  });

  it('names the tensor nearest the head where the chain produced a NaN', async () => {
    const flux = (bad: boolean) => ({ T: Float64Array.of(1, bad ? NaN : 1), R: Float64Array.of(0, 0) });
    const run = {
      target: 0,
      mass: 1,
      sinks: 0,
      tensors: ['y', 'f', 'c', 'x'],
      flux: async (name: string) => flux(name === 'c' || name === 'x'),
    };
    await expect(requireFiniteChain(run, 'x', { ...DEFAULT_OPTIONS, rule: 'alphabeta' })).rejects.toThrow(
      "the double chain (rule alphabeta, alpha 2, beta 1) produced NaN at index 1 (1 of 2 values are not finite) first at tensor 'c'",
    );
    await expect(
      requireFiniteChain({ ...run, flux: async () => flux(false) }, 'x', DEFAULT_OPTIONS),
    ).resolves.toBeUndefined();
  });

  it('prints no control characters in any of these refusals', async () => {
    const run = await explain(
      [],
      inputNpy(() => NaN),
    );
    expect(hasControls(run.stderr)).toBe(false);
  });
});

describe('finite or refused in the app', () => {
  it('refuses a non-finite input, logits or explanation with a message naming the layer', async () => {
    const { checkExplanation, checkInput, checkPrediction } = await import('../../src/state/finite-guards');
    expect(() => checkInput(Float32Array.of(0, Infinity))).toThrow(
      'The preprocessed image holds +Inf at index 1 (1 of 2 values are not finite)',
    );
    expect(() => checkPrediction({ logits: Float32Array.of(1, NaN, NaN) })).toThrow(
      'The model gives non-finite logits (NaN at index 1 (2 of 3 values are not finite))',
    );
    const layer = (tensor: string, sumT: number) => ({ tensor, corrPN: 0, netRatio: 0, sumT, sumR: 0 });
    const options = { ...DEFAULT_OPTIONS, rule: 'alphabeta' as const, alpha: 20, beta: 19 };
    expect(() =>
      checkExplanation({ options, layers: [layer('x', NaN), layer('conv1', Infinity), layer('fc', 1)] }),
    ).toThrow(
      "The double chain (rule alphabeta, alpha 20, beta 19) produced non-finite values in 2 layer(s), first at 'conv1'",
    );
    expect(() => checkExplanation({ options, layers: [layer('x', 1), layer('fc', 1)] })).not.toThrow();
    checkInput(Float32Array.of(0, 1));
    checkPrediction({ logits: Float32Array.of(0, 1) });
  });
});
