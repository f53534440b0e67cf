/**
 * Malformed models are refused at load with every problem named (issue 15, item 6): each case is a small
 * CNN with one thing wrong, and the message names the node and the problem in one line.
 */
import { describe, expect, it } from 'vitest';
import { buildModel, type BuildNode, type ModelSpec } from './build';
import { loadGraph } from './index';
import { parseOnnx } from './parse';
import { onnx } from './proto';
import { modelProblems } from './validate';

const sin = (n: number, phase = 0) => Array.from({ length: n }, (_, i) => Math.sin(i + phase));

/** x [1, 3, 8, 8] -> Conv 'conv' (3x3, 4 filters) -> MaxPool 'pool' (2x2) -> GAP -> Flatten -> Gemm. */
function cnn(
  edit: { conv?: BuildNode['attrs']; pool?: BuildNode['attrs']; spec?: Partial<ModelSpec> } = {},
): ModelSpec {
  return {
    opset: 13,
    inputs: [{ name: 'x', shape: [1, 3, 8, 8] }],
    outputs: [{ name: 'y' }],
    initializers: { w: { dims: [4, 3, 3, 3], data: sin(108) }, fc: { dims: [5, 4], data: sin(20, 1) } },
    nodes: [
      {
        op: 'Conv',
        name: 'conv',
        inputs: ['x', 'w'],
        outputs: ['c'],
        attrs: { pads: [1, 1, 1, 1], ...edit.conv },
      },
      {
        op: 'MaxPool',
        name: 'pool',
        inputs: ['c'],
        outputs: ['m'],
        attrs: { kernel_shape: [2, 2], strides: [2, 2], ...edit.pool },
      },
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['m'], outputs: ['p'] },
      { op: 'Flatten', name: 'flatten', inputs: ['p'], outputs: ['f'] },
      { op: 'Gemm', name: 'fc', inputs: ['f', 'fc'], outputs: ['y'], attrs: { transB: 1 } },
    ],
    ...edit.spec,
  };
}

const problems = (spec: ModelSpec) => modelProblems(parseOnnx(buildModel(spec)));

describe('load-time validation', () => {
  it('accepts a well-formed model', () => {
    expect(problems(cnn())).toEqual([]);
    expect(loadGraph(buildModel(cnn())).nodes.length).toBe(5);
  });

  it.each([
    [
      'dilation 0',
      { conv: { dilations: [0, 1] } },
      "Conv 'conv': dilations [0,1] holds 0; each must be >= 1",
    ],
    [
      'dilation -1',
      { conv: { dilations: [1, -1] } },
      "Conv 'conv': dilations [1,-1] holds -1; each must be >= 1",
    ],
    ['stride 0', { conv: { strides: [0, 0] } }, "Conv 'conv': strides [0,0] holds 0; each must be >= 1"],
    [
      'negative pads',
      { conv: { pads: [1, -1, 1, 1] } },
      "Conv 'conv': pads [1,-1,1,1] holds -1; each must be >= 0",
    ],
    [
      'a kernel_shape that disagrees with the weight',
      { conv: { kernel_shape: [5, 5] } },
      "Conv 'conv': kernel_shape [5,5] disagrees with the weight's [3,3]",
    ],
    ['group 0', { conv: { group: 0 } }, "Conv 'conv': group 0 must be an integer >= 1"],
    [
      'pooling kernel 0',
      { pool: { kernel_shape: [0, 2] } },
      "MaxPool 'pool': kernel_shape [0,2] holds 0; each must be >= 1",
    ],
    [
      'negative pooling kernel',
      { pool: { kernel_shape: [-2, 2] } },
      "MaxPool 'pool': kernel_shape [-2,2] holds -2",
    ],
    [
      'pads as large as the pooling window',
      { pool: { pads: [2, 0, 0, 0] } },
      "MaxPool 'pool': pads [2,0,0,0] must be smaller than kernel_shape [2,2]",
    ],
    [
      'strides of the wrong length',
      { pool: { strides: [2, 2, 2] } },
      "MaxPool 'pool': strides has 3 values, expected 2 for a 2-D window",
    ],
  ])('refuses %s, naming the node', (_what, edit, message) => {
    const list = problems(cnn(edit));
    expect(list).toHaveLength(1);
    expect(list[0]).toContain(message);
    expect(() => loadGraph(buildModel(cnn(edit)))).toThrow(`invalid model: ${list[0]}`);
  });

  it('refuses two nodes producing one tensor, and a node overwriting an initializer', () => {
    const base = cnn();
    const twice = cnn({
      spec: {
        nodes: [
          ...base.nodes.slice(0, 1),
          { op: 'Relu', name: 'again', inputs: ['x'], outputs: ['c'] },
          ...base.nodes.slice(1),
        ],
      },
    });
    expect(problems(twice)).toEqual(["Relu 'again': output 'c' is already produced by Conv 'conv'"]);
    const overwrite = cnn({
      spec: { nodes: [{ op: 'Relu', name: 'r', inputs: ['x'], outputs: ['fc'] }, ...base.nodes] },
    });
    expect(problems(overwrite)).toEqual(["Relu 'r': output 'fc' is already produced by initializer 'fc'"]);
  });

  it('refuses opsets outside 1 to 21, with what to do', () => {
    expect(problems(cnn({ spec: { opset: 999 } }))).toEqual([
      'opset 999 of the default domain is not supported (panescope reads opsets 1 to 21; re-export with opset_version=17)',
    ]);
  });

  it('refuses NaN or infinite weights, naming the weight and the index', () => {
    const w = sin(108);
    w[17] = NaN;
    expect(
      problems(
        cnn({ spec: { initializers: { ...cnn().initializers, w: { dims: [4, 3, 3, 3], data: w } } } }),
      ),
    ).toEqual(["weight 'w' holds NaN at index 17"]);
    const fc = sin(20);
    fc[3] = -Infinity;
    expect(
      problems(cnn({ spec: { initializers: { ...cnn().initializers, fc: { dims: [5, 4], data: fc } } } })),
    ).toEqual(["weight 'fc' holds -Infinity at index 3"]);
  });

  it('refuses a BatchNormalization whose variance + epsilon is not positive', () => {
    const spec = cnn();
    const bn: BuildNode = {
      op: 'BatchNormalization',
      name: 'bn',
      inputs: ['c0', 's', 'b', 'mu', 'var'],
      outputs: ['c'],
    };
    const withBn = (variance: number[]) =>
      problems({
        ...spec,
        initializers: {
          ...spec.initializers,
          s: { dims: [4], data: [1, 1, 1, 1] },
          b: { dims: [4], data: [0, 0, 0, 0] },
          mu: { dims: [4], data: [0, 0, 0, 0] },
          var: { dims: [4], data: variance },
        },
        nodes: [{ ...spec.nodes[0], outputs: ['c0'] }, bn, ...spec.nodes.slice(1)],
      });
    expect(withBn([1, 1, 0.5, 2])).toEqual([]);
    expect(withBn([1, -1, 1, 1])).toEqual([
      "BatchNormalization 'bn': variance -1 (channel 1) + epsilon 0.00001 is not positive",
    ]);
  });

  it('refuses declared input dims of 0, negative or past 2^31, and names every problem at once', () => {
    expect(problems(cnn({ spec: { inputs: [{ name: 'x', shape: [1, 3, 0, 8] }] } }))).toEqual([
      "input 'x' declares dimension 0 in [1,3,0,8]; dims must be 1 to 2^31 - 1",
    ]);
    expect(problems(cnn({ spec: { inputs: [{ name: 'x', shape: [1, 3, 2 ** 31, 8] }] } }))[0]).toContain(
      'declares dimension 2147483648',
    );
    const many = problems(
      cnn({
        conv: { dilations: [0, 0], strides: [0, 0] },
        pool: { kernel_shape: [0, 0] },
        spec: { opset: 30 },
      }),
    );
    expect(many).toHaveLength(4);
    expect(() =>
      loadGraph(buildModel(cnn({ conv: { dilations: [0, 0], strides: [0, 0] }, spec: { opset: 30 } }))),
    ).toThrow(/^invalid model: opset 30 .*; Conv 'conv': strides .*; Conv 'conv': dilations .*$/);
  });

  it('escapes control characters in names it quotes', () => {
    const spec = cnn({ conv: { dilations: [0, 1] } });
    spec.nodes[0] = { ...spec.nodes[0], name: '\u001b]0;pwned\u0007\u001b[2K' };
    expect(problems(spec)[0]).toBe(
      "Conv '\\x1b]0;pwned\\x07\\x1b[2K': dilations [0,1] holds 0; each must be >= 1",
    );
  });

  it('refuses negative or huge initializer dims before allocating', () => {
    const withDims = (dims: number[]) =>
      onnx.ModelProto.encode({
        opsetImport: [{ version: 13 }],
        graph: {
          node: [{ opType: 'Identity', input: ['w'], output: ['y'] }],
          initializer: [{ name: 'w', dims, dataType: 1, floatData: [] }],
        },
      }).finish();
    // The cases that gave "Invalid typed array length: -8192" and an out-of-memory abort.
    expect(() => parseOnnx(withDims([-8192]))).toThrow("initializer 'w' has dimension -8192 in [-8192]");
    expect(() => parseOnnx(withDims([2 ** 40]))).toThrow("initializer 'w' has dimension 1099511627776");
    expect(() => parseOnnx(withDims([2 ** 20, 2 ** 20]))).toThrow(
      "initializer 'w' has 1099511627776 elements ([1048576,1048576]), more than 2^31 - 1",
    );
  });
});
