/**
 * Models the chain cannot explain say exactly why: an op without a rule gets the op-coverage report (and
 * onnxruntime still classifies with the model), a model that is not an image classifier is refused with
 * what was found.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import {
  buildModel,
  coverageReport,
  describeModelProblem,
  loadGraph,
  type BuildNode,
} from '../../src/core/onnx';
import { createRunner } from '../../src/runtime';
import { CHELSEA } from '../paths';

let stderr: string[] = [];
beforeAll(() => {
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  stderr = [];
});

const sin = (n: number, phase = 0) => Array.from({ length: n }, (_, i) => Math.sin(i + phase));

/** A small CNN with `middle` between its stem convolution ('stem' -> 'c') and its pooled classifier ('m' ->). */
function cnnWith(middle: BuildNode[], opset = 13, initializers = {}): Uint8Array {
  return buildModel({
    opset,
    inputs: [{ name: 'x', shape: ['N', 3, 16, 16] }],
    outputs: [{ name: 'y' }],
    initializers: {
      w: { dims: [4, 3, 3, 3], data: sin(108) },
      fc: { dims: [5, 4], data: sin(20, 1) },
      ...initializers,
    },
    nodes: [
      { op: 'Conv', name: 'stem', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
      ...middle,
      { op: 'GlobalAveragePool', name: 'pool', inputs: ['m'], outputs: ['p'] },
      { op: 'Flatten', name: 'flatten', inputs: ['p'], outputs: ['f'] },
      { op: 'Gemm', name: 'fc', inputs: ['f', 'fc'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  });
}

const resize = cnnWith(
  [
    {
      op: 'Resize',
      name: 'upsample',
      inputs: ['c', '', 'scales'],
      outputs: ['u'],
      attrs: { mode: 'linear' },
    },
    { op: 'Relu', name: 'relu', inputs: ['u'], outputs: ['m'] },
  ],
  13,
  { scales: { dims: [4], data: [1, 1, 2, 2] } },
);
const erf = cnnWith([{ op: 'Erf', name: 'erf_act', inputs: ['c'], outputs: ['m'] }]);

function writeModel(bytes: Uint8Array): { model: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'panescope-refusals-'));
  const model = join(dir, 'model.onnx');
  writeFileSync(model, bytes);
  return { model, out: join(dir, 'out') };
}

describe('an op without a rule', () => {
  it.each([
    ['Resize', resize, 'upsample'],
    ['Erf', erf, 'erf_act'],
  ] as const)(
    '%s: the coverage report names it, the CLI says so, onnxruntime still classifies',
    async (op, bytes, node) => {
      const g = loadGraph(bytes);
      expect(describeModelProblem(g)).toBeNull();
      expect(coverageReport(g).unsupported).toEqual([
        { opType: op, node, reason: `no double-chain rule for ${op}` },
      ]);

      const { model, out } = writeModel(bytes);
      expect(await main(['explain', '--model', model, '--image', CHELSEA, '--out', out])).toBe(1);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toContain(`NO ${op} x1 | cannot traverse: ${node} (no double-chain rule for ${op})`);

      const runner = await createRunner(bytes, { backend: 'wasm', outputs: [] });
      try {
        const logits = await (
          await runner.run(new Float32Array(3 * 16 * 16).fill(0.5), [1, 3, 16, 16])
        )
          .get('y')!
          .getData();
        expect(logits).toHaveLength(5);
        expect(logits.every(Number.isFinite)).toBe(true);
      } finally {
        runner.dispose();
      }
    },
  );
});

describe('not an image classifier', () => {
  it('a recurrent text model is refused with what was found', async () => {
    const hidden = 3;
    const lstm = buildModel({
      inputs: [{ name: 'tokens', shape: ['T', 1, 4] }],
      outputs: [{ name: 'state' }],
      initializers: {
        W: { dims: [1, 4 * hidden, 4], data: sin(48) },
        R: { dims: [1, 4 * hidden, hidden], data: sin(36, 2) },
      },
      nodes: [
        {
          op: 'LSTM',
          name: 'encoder',
          inputs: ['tokens', 'W', 'R'],
          outputs: ['', 'state'],
          attrs: { hidden_size: hidden },
        },
      ],
    });
    const { model, out } = writeModel(lstm);
    expect(await main(['explain', '--model', model, '--image', CHELSEA, '--out', out])).toBe(1);
    expect(stderr).toEqual([
      `panescope: '${model}': not an image classifier: input 'tokens' has rank 3 ([1, 1, 4]); an image classifier ` +
        'takes a 4-D image [N, C, H, W] (or [N, H, W, C] from TensorFlow); ' +
        "model has recurrent or control-flow ops (LSTM 'encoder'); a CNN classifier has none",
    ]);
  });

  it('a segmenter (per-pixel output) and a two-headed model are refused with what was found', () => {
    const segmenter = loadGraph(
      buildModel({
        inputs: [{ name: 'x', shape: [1, 3, 16, 16] }],
        outputs: [{ name: 'mask' }],
        initializers: { w: { dims: [4, 3, 1, 1], data: sin(12) } },
        nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['mask'] }],
      }),
    );
    expect(describeModelProblem(segmenter)).toBe(
      "output 'mask' is [1, 4, 16, 16], a map rather than one score per class (a detector or segmenter?)",
    );
    const twoHeads = loadGraph(
      buildModel({
        inputs: [{ name: 'x', shape: [1, 3, 16, 16] }],
        outputs: [{ name: 'boxes' }, { name: 'scores' }],
        nodes: [
          { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['boxes'] },
          { op: 'GlobalMaxPool', inputs: ['x'], outputs: ['scores'] },
        ],
      }),
    );
    expect(describeModelProblem(twoHeads)).toBe(
      'model has 2 outputs: boxes, scores; an image classifier has exactly one',
    );
  });
});
