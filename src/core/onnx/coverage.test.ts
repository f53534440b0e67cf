import { describe, expect, it } from 'vitest';
import { buildModel, type BuildNode, type ModelSpec } from './build';
import { CoverageError, coverageReport, describeModelProblem, formatCoverage } from './coverage';
import { loadGraph } from './index';

const C = 2;
const base = (nodes: BuildNode[], extra: Partial<ModelSpec> = {}): ModelSpec => ({
  opset: 13,
  inputs: [{ name: 'x', shape: ['N', C, 4, 4] }],
  outputs: [{ name: 'prob' }],
  initializers: {
    w: { dims: [C, C, 1, 1], data: [1, -1, 0.5, 2] },
    fc: { dims: [3, C], data: [1, 0, 0, 1, 1, 1] },
    k: { dims: [1, C, 1, 1], data: [2, 3] },
  },
  nodes,
  ...extra,
});
const head: BuildNode[] = [
  { op: 'GlobalAveragePool', name: 'gap', inputs: ['h'], outputs: ['p'] },
  { op: 'Flatten', name: 'flat', inputs: ['p'], outputs: ['f'] },
  { op: 'Gemm', name: 'fc', inputs: ['f', 'fc'], outputs: ['logits'], attrs: { transB: 1 } },
  { op: 'Softmax', name: 'softmax', inputs: ['logits'], outputs: ['prob'] },
];
const load = (spec: ModelSpec) => loadGraph(buildModel(spec));

describe('coverageReport', () => {
  it('accepts a plain CNN with a final softmax, counting ops on the path', () => {
    const r = coverageReport(
      load(
        base([
          { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'] },
          { op: 'Mul', name: 'scale', inputs: ['c', 'k'], outputs: ['s'] },
          { op: 'Clip', name: 'relu6', inputs: ['s'], outputs: ['h'], attrs: { min: 0, max: 6 } },
          ...head,
        ]),
      ),
    );
    expect(r.ok).toBe(true);
    expect(r.unsupported).toEqual([]);
    expect(r.logits).toBe('logits');
    expect(r.opCounts).toEqual({
      Conv: 1,
      Mul: 1,
      Clip: 1,
      GlobalAveragePool: 1,
      Flatten: 1,
      Gemm: 1,
      Softmax: 1,
    });
  });

  it('accepts gating products (SiLU, squeeze-excitation): the gate branch needs only a forward evaluator', () => {
    const g = load(
      base([
        { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'] },
        { op: 'Sigmoid', name: 'gate_sigmoid', inputs: ['c'], outputs: ['sg'] },
        { op: 'Mul', name: 'silu', inputs: ['c', 'sg'], outputs: ['a'] },
        { op: 'GlobalAveragePool', name: 'se_pool', inputs: ['a'], outputs: ['sp'] },
        { op: 'Conv', name: 'se_fc', inputs: ['sp', 'w'], outputs: ['sf'] },
        { op: 'HardSigmoid', name: 'se_gate', inputs: ['sf'], outputs: ['sh'] },
        { op: 'Mul', name: 'se_mul', inputs: ['sh', 'a'], outputs: ['h'] },
        ...head,
      ]),
    );
    const r = coverageReport(g);
    expect(r.unsupported).toEqual([]);
    expect(r.opCounts).toMatchObject({ Sigmoid: 1, HardSigmoid: 1, Mul: 2, Conv: 2 });
  });

  it('reports a Sigmoid used as an activation and a product with no gate, by node name and op type', () => {
    const g = load(
      base([
        { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'] },
        { op: 'Sigmoid', name: 'act', inputs: ['c'], outputs: ['s'] },
        { op: 'Mul', name: 'square', inputs: ['s', 's'], outputs: ['h'] },
        ...head,
      ]),
    );
    const r = coverageReport(g);
    expect(r.ok).toBe(false);
    const sigmoidReason =
      'Sigmoid inside the network: only supported as the final activation after the logits ' +
      'or as a gate (x * Sigmoid(...))';
    const mulReason =
      'product of two data tensors, neither a gate (Sigmoid, HardSigmoid, Tanh or bounded Clip output)';
    expect(r.unsupported).toEqual([
      { opType: 'Sigmoid', node: 'act', reason: sigmoidReason },
      { opType: 'Mul', node: 'square', reason: mulReason },
    ]);
    expect(formatCoverage(r).split('\n')).toEqual([
      'ok Conv x1: conv',
      `NO Sigmoid x1 | cannot traverse: act (${sigmoidReason})`,
      `NO Mul x1 | cannot traverse: square (${mulReason})`,
      'ok GlobalAveragePool x1: gap',
      'ok Flatten x1: flat',
      'ok Gemm x1: fc',
      'ok Softmax x1: softmax',
    ]);
    const err = new CoverageError(r);
    expect(err.report).toBe(r);
    expect(err.message).toBe(
      `the double chain cannot traverse 2 node(s): Sigmoid 'act' (${sigmoidReason}); Mul 'square' (${mulReason})`,
    );
  });

  it('ReduceMean has a rule over the spatial axes only', () => {
    const mean = (axes: number[]) =>
      coverageReport(
        load(
          base([
            { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['h0'] },
            { op: 'ReduceMean', name: 'mean', inputs: ['h0'], outputs: ['h'], attrs: { axes, keepdims: 1 } },
            ...head,
          ]),
        ),
      ).unsupported;
    expect(mean([2, 3])).toEqual([]);
    expect(mean([-1, -2])).toEqual([]);
    expect(mean([3])).toEqual([
      {
        opType: 'ReduceMean',
        node: 'mean',
        reason: 'mean over axes [3]: only the mean over the spatial axes of [N, C, H, W] has a rule',
      },
    ]);
  });

  it('flags data-dependent operands, unknown ops and subgraphs, and ignores what is off the path', () => {
    const g = load(
      base(
        [
          { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'] },
          { op: 'Div', name: 'inv', inputs: ['k', 'c'], outputs: ['d'] },
          { op: 'Div', name: 'halve', inputs: ['d', 'k'], outputs: ['d2'] },
          { op: 'Resize', name: 'up', inputs: ['d2', '', 'scales'], outputs: ['r'] },
          { op: 'Relu', name: 'relu', inputs: ['r'], outputs: ['h'] },
          ...head,
          { op: 'Elu', name: 'side', inputs: ['x'], outputs: ['aux'] },
        ],
        {
          outputs: [{ name: 'prob' }, { name: 'aux' }],
          initializers: {
            ...base([]).initializers,
            scales: { dims: [4], data: [1, 1, 1, 1] },
          },
        },
      ),
    );
    const r = coverageReport(g);
    expect(r.unsupported).toEqual([
      { opType: 'Div', node: 'inv', reason: 'division by a data tensor' },
      { opType: 'Resize', node: 'up', reason: 'no double-chain rule for Resize' },
    ]);
    expect(r.opCounts.Elu).toBeUndefined();
  });

  it('accepts a final Sigmoid of a binary classifier and rejects MatMul of two data tensors', () => {
    const binary = load({
      inputs: [{ name: 'x', shape: [1, 1, 2, 2] }],
      outputs: [{ name: 'p' }],
      initializers: { v: { dims: [4, 1], data: [1, 2, 3, 4] } },
      nodes: [
        { op: 'Flatten', name: 'flat', inputs: ['x'], outputs: ['f'] },
        { op: 'MatMul', name: 'mm', inputs: ['f', 'v'], outputs: ['l'] },
        { op: 'Sigmoid', name: 'sig', inputs: ['l'], outputs: ['p'] },
      ],
    });
    expect(coverageReport(binary)).toMatchObject({ ok: true, logits: 'l' });
    const gram = load({
      inputs: [{ name: 'x', shape: [1, 1, 2, 2] }],
      outputs: [{ name: 'l' }],
      nodes: [
        { op: 'Flatten', name: 'flat', inputs: ['x'], outputs: ['f'] },
        { op: 'Transpose', name: 't', inputs: ['f'], outputs: ['ft'] },
        { op: 'MatMul', name: 'gram', inputs: ['ft', 'f'], outputs: ['l'] },
      ],
    });
    expect(coverageReport(gram).unsupported).toEqual([
      {
        opType: 'MatMul',
        node: 'gram',
        reason: 'product of two data tensors (MatMul needs one constant operand)',
      },
    ]);
  });
});

describe('describeModelProblem', () => {
  /** A model whose first input is pooled to one score per channel (a classifier's output shape). */
  const one = (
    inputs: ModelSpec['inputs'],
    outputs: ModelSpec['outputs'] = [{ name: 'y' }],
    extra: BuildNode[] = [],
  ) =>
    loadGraph(
      buildModel({
        inputs,
        outputs,
        nodes: [
          { op: 'GlobalAveragePool', inputs: [inputs[0].name], outputs: ['p'] },
          { op: 'Flatten', inputs: ['p'], outputs: ['y'] },
          ...inputs.slice(1).map((v, i) => ({ op: 'Identity', inputs: [v.name], outputs: [`y${i + 1}`] })),
          ...outputs.slice(1).map((v) => ({ op: 'Identity', inputs: ['y'], outputs: [v.name] })),
          ...extra,
        ],
      }),
    );

  it('accepts one float image input (NCHW or NHWC) and one output of class scores', () => {
    expect(describeModelProblem(one([{ name: 'img', shape: ['N', 3, 8, 8] }]))).toBeNull();
  });

  it('says what was found otherwise', () => {
    expect(
      describeModelProblem(
        one([
          { name: 'a', shape: [1, 3, 8, 8] },
          { name: 'b', shape: [1, 3, 8, 8] },
        ]),
      ),
    ).toBe('model has 2 inputs: a, b; an image classifier has exactly one');
    expect(describeModelProblem(one([{ name: 'ids', shape: [1, 3, 8, 8], elemType: 'int64' }]))).toBe(
      "input 'ids' is int64; an image classifier takes a float tensor",
    );
    const flat = loadGraph(
      buildModel({
        inputs: [{ name: 'v', shape: ['N', 784] }],
        outputs: [{ name: 'y' }],
        nodes: [{ op: 'Identity', inputs: ['v'], outputs: ['y'] }],
      }),
    );
    expect(describeModelProblem(flat)).toBe(
      "input 'v' has rank 2 ([1, 784]); an image classifier takes a 4-D image [N, C, H, W] " +
        '(or [N, H, W, C] from TensorFlow)',
    );
    expect(
      describeModelProblem(one([{ name: 'x', shape: [1, 3, 8, 8] }], [{ name: 'y' }, { name: 'z' }])),
    ).toBe('model has 2 outputs: y, z; an image classifier has exactly one');
  });

  it('refuses per-pixel outputs and recurrent or control-flow ops, listing every problem', () => {
    const segmenter = loadGraph(
      buildModel({
        inputs: [{ name: 'x', shape: [1, 3, 8, 8] }],
        outputs: [{ name: 'y' }],
        nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
      }),
    );
    expect(describeModelProblem(segmenter)).toBe(
      "output 'y' is [1, 3, 8, 8], a map rather than one score per class (a detector or segmenter?)",
    );
    const rnn = loadGraph(
      buildModel({
        inputs: [{ name: 'seq', shape: [5, 1, 4] }],
        outputs: [{ name: 'y' }, { name: 'h' }],
        initializers: {
          W: { dims: [1, 12, 4], data: new Array(48).fill(0.1) },
          R: { dims: [1, 12, 3], data: new Array(36).fill(0.1) },
        },
        nodes: [
          {
            op: 'GRU',
            name: 'gru',
            inputs: ['seq', 'W', 'R'],
            outputs: ['y', 'h'],
            attrs: { hidden_size: 3 },
          },
        ],
      }),
    );
    expect(describeModelProblem(rnn)).toBe(
      "input 'seq' has rank 3 ([5, 1, 4]); an image classifier takes a 4-D image [N, C, H, W] " +
        '(or [N, H, W, C] from TensorFlow); model has 2 outputs: y, h; an image classifier has exactly one; ' +
        "model has recurrent or control-flow ops (GRU 'gru'); a CNN classifier has none",
    );
  });
});
