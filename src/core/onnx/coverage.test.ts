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

  it('reports Sigmoid * Mul gating (SiLU / squeeze-excitation) by node name and op type', () => {
    const g = load(
      base([
        { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'] },
        { op: 'Sigmoid', name: 'gate_sigmoid', inputs: ['c'], outputs: ['sg'] },
        { op: 'Mul', name: 'gate_mul', inputs: ['c', 'sg'], outputs: ['h'] },
        ...head,
      ]),
    );
    const r = coverageReport(g);
    expect(r.ok).toBe(false);
    expect(r.unsupported).toEqual([
      {
        opType: 'Sigmoid',
        node: 'gate_sigmoid',
        reason:
          'Sigmoid inside the network (a gate): only supported as the final activation after the logits',
      },
      { opType: 'Mul', node: 'gate_mul', reason: 'product of two data tensors (gating)' },
    ]);
    const text = formatCoverage(r);
    expect(text.split('\n')).toEqual([
      'ok Conv x1: conv',
      'NO Sigmoid x1 | cannot traverse: gate_sigmoid (Sigmoid inside the network (a gate): only supported as the final activation after the logits)',
      'NO Mul x1 | cannot traverse: gate_mul (product of two data tensors (gating))',
      'ok GlobalAveragePool x1: gap',
      'ok Flatten x1: flat',
      'ok Gemm x1: fc',
      'ok Softmax x1: softmax',
    ]);
    const err = new CoverageError(r);
    expect(err.report).toBe(r);
    expect(err.message).toBe(
      "the double chain cannot traverse 2 node(s): Sigmoid 'gate_sigmoid' (Sigmoid inside the network (a gate): " +
        "only supported as the final activation after the logits); Mul 'gate_mul' (product of two data tensors (gating))",
    );
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
  const one = (inputs: ModelSpec['inputs'], outputs: ModelSpec['outputs'] = [{ name: 'y' }]) =>
    loadGraph(
      buildModel({
        inputs,
        outputs,
        nodes: [
          ...inputs.map((v, i) => ({ op: 'Identity', inputs: [v.name], outputs: [i === 0 ? 'y' : `y${i}`] })),
          ...outputs.slice(1).map((v) => ({ op: 'Identity', inputs: [inputs[0].name], outputs: [v.name] })),
        ],
      }),
    );

  it('accepts one float image input and one output', () => {
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
    expect(describeModelProblem(one([{ name: 'v', shape: ['N', 784] }]))).toBe(
      "input 'v' has rank 2 ([1, 784]); expected [N, C, H, W] (or [N, C, L])",
    );
    expect(
      describeModelProblem(one([{ name: 'x', shape: [1, 3, 8, 8] }], [{ name: 'y' }, { name: 'z' }])),
    ).toBe('model has 2 outputs: y, z; an image classifier has exactly one');
  });
});
