import { describe, expect, it } from 'vitest';
import { runForward } from '../reference/forward';
import { tensor, type Tensor } from '../tensor';
import { buildModel, type BuildNode, type ModelSpec } from './build';
import type { IrGraph } from './ir';
import { foldBatchNorm, prepareGraph } from './normalize';
import { parseOnnx } from './parse';

const load = (spec: ModelSpec, opts?: Parameters<typeof prepareGraph>[1]) =>
  prepareGraph(parseOnnx(buildModel(spec)), opts);

/** Deterministic values in [-1, 1). */
function seeded(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

function run(g: IrGraph, x: Tensor, name = g.outputs[0].name): number[] {
  return Array.from(runForward(g, { [g.inputs[0].name]: x }).get(name)!.data);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A one-node model on x [1, 4] (or `shape`) with int64 constant initializers. */
function oneNode(
  opset: number,
  node: Omit<BuildNode, 'outputs'> & { outputs?: string[] },
  ints: Record<string, number[]> = {},
  floats: Record<string, number[]> = {},
  shape: number[] = [1, 4],
): ModelSpec {
  const outputs = node.outputs ?? ['y'];
  return {
    opset,
    inputs: [{ name: 'x', shape }],
    outputs: outputs.map((name) => ({ name })),
    initializers: {
      ...Object.fromEntries(
        Object.entries(ints).map(([k, v]) => [k, { dims: [v.length], data: v, elemType: 'int64' as const }]),
      ),
      ...Object.fromEntries(Object.entries(floats).map(([k, v]) => [k, { dims: [], data: v }])),
    },
    nodes: [{ ...node, outputs, name: 'n' }],
  };
}

const X = tensor([1, 4], [-2, -0.5, 0.5, 3]);

describe('argument canonicalisation across opsets', () => {
  it('Clip: attributes (opset 6) and inputs (opsets 11, 13) become numeric min/max attributes', () => {
    const forms = [
      load(oneNode(6, { op: 'Clip', inputs: ['x'], attrs: { min: { f: -1 }, max: { f: 1 } } })),
      load(oneNode(11, { op: 'Clip', inputs: ['x', 'lo', 'hi'] }, {}, { lo: [-1], hi: [1] })),
      load(oneNode(13, { op: 'Clip', inputs: ['x', 'lo', 'hi'] }, {}, { lo: [-1], hi: [1] })),
    ];
    for (const g of forms) {
      expect(g.nodes[0].inputs).toEqual(['x']);
      expect(g.nodes[0].attrs).toEqual({ min: -1, max: 1 });
      expect(run(g, X)).toEqual([-1, -0.5, 0.5, 1]);
    }
    // An omitted bound is unbounded: ReLU written as Clip(x, 0) in opset 13, and Clip-6 without attributes.
    const relu = load(oneNode(13, { op: 'Clip', inputs: ['x', 'lo', ''] }, {}, { lo: [0] }));
    expect(relu.nodes[0].attrs).toEqual({ min: 0, max: Infinity });
    expect(run(relu, X)).toEqual([0, 0, 0.5, 3]);
    const onlyMax = load(oneNode(13, { op: 'Clip', inputs: ['x', '', 'hi'] }, {}, { hi: [0] }));
    expect(onlyMax.nodes[0]).toMatchObject({ inputs: ['x'], attrs: { min: -Infinity, max: 0 } });
    const none = load(oneNode(6, { op: 'Clip', inputs: ['x'] }));
    expect(none.nodes[0].attrs).toEqual({ min: -Infinity, max: Infinity });
  });

  it('Reshape: the shape input (opset 5+) becomes the shape attribute of opset 1', () => {
    const fromInput = load(oneNode(13, { op: 'Reshape', inputs: ['x', 's'] }, { s: [2, -1] }));
    const fromAttr = load(oneNode(1, { op: 'Reshape', inputs: ['x'], attrs: { shape: [2, -1] } }));
    for (const g of [fromInput, fromAttr]) {
      expect(g.nodes[0]).toMatchObject({ inputs: ['x'], attrs: { shape: [2, -1] } });
      expect(g.shapes.get('y')).toEqual([2, 2]);
    }
    // The shape initializer is gone from the prepared graph.
    expect(fromInput.initializers.has('s')).toBe(false);
  });

  it('Pad: attributes (opset 2) and inputs (opsets 11, 18 with axes) give one form', () => {
    const byAttr = load(
      oneNode(2, {
        op: 'Pad',
        inputs: ['x'],
        attrs: { pads: [0, 1, 0, 2], mode: 'constant', value: { f: 9 } },
      }),
    );
    const byInput = load(
      oneNode(11, { op: 'Pad', inputs: ['x', 'p', 'v'] }, { p: [0, 1, 0, 2] }, { v: [9] }),
    );
    const byAxes = load(
      oneNode(18, { op: 'Pad', inputs: ['x', 'p', 'v', 'a'] }, { p: [1, 2], a: [-1] }, { v: [9] }),
    );
    for (const g of [byAttr, byInput, byAxes]) {
      expect(g.nodes[0]).toMatchObject({
        inputs: ['x'],
        attrs: { pads: [0, 1, 0, 2], mode: 'constant', value: 9 },
      });
      expect(g.shapes.get('y')).toEqual([1, 7]);
      expect(run(g, X)).toEqual([9, -2, -0.5, 0.5, 3, 9, 9]);
    }
    // Defaults: mode constant, value 0 (opset 11 without constant_value).
    const defaults = load(oneNode(11, { op: 'Pad', inputs: ['x', 'p'] }, { p: [0, 1, 0, 0] }));
    expect(defaults.nodes[0].attrs).toEqual({ pads: [0, 1, 0, 0], mode: 'constant', value: 0 });
    const reflect = load(
      oneNode(11, { op: 'Pad', inputs: ['x', 'p'], attrs: { mode: 'reflect' } }, { p: [0, 2, 0, 1] }),
    );
    expect(run(reflect, X)).toEqual([0.5, -0.5, -2, -0.5, 0.5, 3, 0.5]);
  });

  it('Squeeze / Unsqueeze: axes attribute (opset 11) and input (opset 13)', () => {
    const x3 = tensor([1, 4, 1], [1, 2, 3, 4]);
    const sq11 = load(
      oneNode(11, { op: 'Squeeze', inputs: ['x'], attrs: { axes: [0, 2] } }, {}, {}, [1, 4, 1]),
    );
    const sq13 = load(oneNode(13, { op: 'Squeeze', inputs: ['x', 'a'] }, { a: [0, -1] }, {}, [1, 4, 1]));
    expect(sq11.nodes[0].attrs.axes).toEqual([0, 2]);
    expect(sq13.nodes[0]).toMatchObject({ inputs: ['x'], attrs: { axes: [0, -1] } });
    for (const g of [sq11, sq13]) expect(g.shapes.get('y')).toEqual([4]);
    expect(run(sq13, x3)).toEqual([1, 2, 3, 4]);
    const un11 = load(oneNode(11, { op: 'Unsqueeze', inputs: ['x'], attrs: { axes: [1, -1] } }));
    const un13 = load(oneNode(13, { op: 'Unsqueeze', inputs: ['x', 'a'] }, { a: [1, -1] }));
    for (const g of [un11, un13]) {
      expect(g.nodes[0]).toMatchObject({ inputs: ['x'], attrs: { axes: [1, -1] } });
      expect(g.shapes.get('y')).toEqual([1, 1, 4, 1]);
    }
  });

  it('Split: split attribute (opset 11) and input (opset 13)', () => {
    const outputs = ['a', 'b'];
    const s11 = load(oneNode(11, { op: 'Split', inputs: ['x'], outputs, attrs: { axis: 1, split: [1, 3] } }));
    const s13 = load(
      oneNode(13, { op: 'Split', inputs: ['x', 's'], outputs, attrs: { axis: 1 } }, { s: [1, 3] }),
    );
    for (const g of [s11, s13]) {
      expect(g.nodes[0]).toMatchObject({ inputs: ['x'], attrs: { axis: 1, split: [1, 3] } });
      expect([g.shapes.get('a'), g.shapes.get('b')]).toEqual([
        [1, 1],
        [1, 3],
      ]);
      expect(run(g, X, 'b')).toEqual([-0.5, 0.5, 3]);
    }
    // Without split: equal parts.
    const equal = load(oneNode(13, { op: 'Split', inputs: ['x'], outputs, attrs: { axis: 1 } }));
    expect(run(equal, X, 'a')).toEqual([-2, -0.5]);
  });

  it('Dropout: the ratio (opset 7 attribute) and ratio/training_mode inputs (opset 12) are dropped', () => {
    const d7 = load(oneNode(7, { op: 'Dropout', inputs: ['x'], attrs: { ratio: 0.5 } }));
    const d12 = load(oneNode(12, { op: 'Dropout', inputs: ['x', 'r', 't'] }, {}, { r: [0.5], t: [1] }));
    for (const g of [d7, d12]) {
      expect(g.nodes[0].inputs).toEqual(['x']);
      expect(run(g, X)).toEqual(Array.from(X.data));
    }
    expect(d12.initializers.size).toBe(0);
  });

  it('ReduceSum / ReduceMean: axes attribute (opset 11) and input (opset 13 / 18)', () => {
    const x = tensor([1, 2, 2], [1, 2, 3, 5]);
    const sum11 = load(
      oneNode(11, { op: 'ReduceSum', inputs: ['x'], attrs: { axes: [2], keepdims: 0 } }, {}, {}, [1, 2, 2]),
    );
    const sum13 = load(
      oneNode(13, { op: 'ReduceSum', inputs: ['x', 'a'], attrs: { keepdims: 0 } }, { a: [2] }, {}, [1, 2, 2]),
    );
    for (const g of [sum11, sum13]) {
      expect(g.nodes[0]).toMatchObject({ inputs: ['x'], attrs: { axes: [2] } });
      expect(g.shapes.get('y')).toEqual([1, 2]);
      expect(run(g, x)).toEqual([3, 8]);
    }
    const mean18 = load(oneNode(18, { op: 'ReduceMean', inputs: ['x', 'a'] }, { a: [1] }, {}, [1, 2, 2]));
    expect(mean18.shapes.get('y')).toEqual([1, 1, 2]);
    expect(run(mean18, x)).toEqual([2, 3.5]);
  });
});

describe('constant folding', () => {
  it('folds the PyTorch flatten pattern Shape -> Gather -> Unsqueeze -> Concat -> Reshape', () => {
    // torch.flatten written by the exporter: x.view(x.size(0), -1), after a ReLU so that the Shape reads
    // an inferred (not declared) shape.
    const g = load({
      opset: 13,
      inputs: [{ name: 'x', shape: ['batch', 3, 2, 2] }],
      outputs: [{ name: 'y' }],
      initializers: {
        zero: { dims: [], data: [0], elemType: 'int64' },
        axes0: { dims: [1], data: [0], elemType: 'int64' },
        minusOne: { dims: [1], data: [-1], elemType: 'int64' },
      },
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'], name: 'relu' },
        { op: 'Shape', inputs: ['r'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
        { op: 'Unsqueeze', inputs: ['n', 'axes0'], outputs: ['n1'] },
        { op: 'Concat', inputs: ['n1', 'minusOne'], outputs: ['shape'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['r', 'shape'], outputs: ['y'], name: 'reshape' },
      ],
    });
    expect(g.nodes.map((n) => n.opType)).toEqual(['Relu', 'Reshape']);
    expect(g.nodes[1]).toMatchObject({ name: 'reshape', inputs: ['r'], attrs: { shape: [1, -1] } });
    expect(g.shapes.get('y')).toEqual([1, 12]);
    // Only what the remaining nodes use survives.
    expect([...g.initializers.keys()]).toEqual([]);
  });

  it('folds Shape -> Slice, Constant -> Cast and ConstantOfShape chains into initializers', () => {
    const g = load({
      opset: 13,
      inputs: [{ name: 'x', shape: ['N', 2, 3] }],
      outputs: [{ name: 'y' }],
      initializers: {
        st: { dims: [1], data: [1], elemType: 'int64' },
        en: { dims: [1], data: [3], elemType: 'int64' },
      },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Slice', inputs: ['s', 'st', 'en'], outputs: ['hw'] },
        {
          op: 'ConstantOfShape',
          inputs: ['hw'],
          outputs: ['ones'],
          attrs: { value: { tensor: { dims: [1], data: [1] } } },
        },
        {
          op: 'Constant',
          inputs: [],
          outputs: ['i'],
          attrs: { value: { tensor: { dims: [3], data: [1, 2, 3], elemType: 'int64' } } },
        },
        { op: 'Cast', inputs: ['i'], outputs: ['f'], attrs: { to: 1 } },
        { op: 'Mul', inputs: ['ones', 'f'], outputs: ['scale'] },
        { op: 'Mul', inputs: ['x', 'scale'], outputs: ['y'], name: 'scale_x' },
      ],
    });
    expect(g.nodes.map((n) => n.name)).toEqual(['scale_x']);
    expect(g.initializers.get('scale')).toEqual({ dims: [2, 3], data: Float64Array.of(1, 2, 3, 1, 2, 3) });
    expect(g.constTypes.get('scale')).toBe('float32');
    expect(run(g, tensor([1, 2, 3], [1, 1, 1, -1, -1, -1]))).toEqual([1, 2, 3, -1, -2, -3]);
  });

  it('records integer types of folded shape values', () => {
    const g = load({
      inputs: [{ name: 'x', shape: [2, 3] }],
      outputs: [{ name: 'y' }, { name: 's' }],
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Relu', inputs: ['x'], outputs: ['y'] },
      ],
    });
    expect(g.initializers.get('s')!.data).toEqual(Float64Array.of(2, 3));
    expect(g.constTypes.get('s')).toBe('int64');
  });
});

describe('BatchNormalization folding', () => {
  const C = 3;
  const bnInits = (prefix: string, seed: number, channels = C) => {
    const r = seeded(4 * channels, seed);
    return {
      [`${prefix}_g`]: { dims: [channels], data: r.slice(0, channels).map((v) => 1 + v) },
      [`${prefix}_b`]: { dims: [channels], data: r.slice(channels, 2 * channels) },
      [`${prefix}_m`]: { dims: [channels], data: r.slice(2 * channels, 3 * channels) },
      [`${prefix}_v`]: { dims: [channels], data: r.slice(3 * channels).map((v) => 0.5 + v * v) },
    };
  };
  const bn = (name: string, x: string, y: string, eps = 1e-3): BuildNode => ({
    op: 'BatchNormalization',
    name,
    inputs: [x, `${name}_g`, `${name}_b`, `${name}_m`, `${name}_v`],
    outputs: [y],
    attrs: { epsilon: { f: eps } },
  });
  // conv1 (bias) -> bn1 -> relu -> conv2 (no bias, stride 2, pads) -> bn2 -> GAP -> flatten -> gemm (transB) -> bn3
  // plus gemm2 (transB = 0, bias [1, 4]) -> bn4 on a second head added to the first.
  const spec: ModelSpec = {
    opset: 13,
    inputs: [{ name: 'x', shape: ['N', 2, 5, 5] }],
    outputs: [{ name: 'out' }],
    initializers: {
      w1: { dims: [C, 2, 3, 3], data: seeded(C * 18, 1) },
      b1: { dims: [C], data: seeded(C, 2) },
      w2: { dims: [C, C, 3, 3], data: seeded(C * C * 9, 3) },
      w3: { dims: [4, C], data: seeded(4 * C, 4) },
      b3: { dims: [4], data: seeded(4, 5) },
      w4: { dims: [C, 4], data: seeded(4 * C, 6) },
      b4: { dims: [1, 4], data: seeded(4, 7) },
      ...bnInits('bn1', 11),
      ...bnInits('bn2', 12),
      ...bnInits('bn3', 13, 4),
      ...bnInits('bn4', 14, 4),
    },
    nodes: [
      {
        op: 'Conv',
        name: 'conv1',
        inputs: ['x', 'w1', 'b1'],
        outputs: ['c1'],
        attrs: { pads: [1, 1, 1, 1] },
      },
      bn('bn1', 'c1', 'n1'),
      { op: 'Relu', name: 'relu1', inputs: ['n1'], outputs: ['r1'] },
      {
        op: 'Conv',
        name: 'conv2',
        inputs: ['r1', 'w2'],
        outputs: ['c2'],
        attrs: { strides: [2, 2], pads: [1, 0, 1, 0] },
      },
      bn('bn2', 'c2', 'n2'),
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['n2'], outputs: ['p'] },
      { op: 'Flatten', name: 'flat', inputs: ['p'], outputs: ['f'] },
      { op: 'Gemm', name: 'fc', inputs: ['f', 'w3', 'b3'], outputs: ['g'], attrs: { transB: 1, alpha: 0.5 } },
      bn('bn3', 'g', 'n3'),
      { op: 'Gemm', name: 'fc2', inputs: ['f', 'w4', 'b4'], outputs: ['g2'], attrs: { beta: 2 } },
      bn('bn4', 'g2', 'n4'),
      { op: 'Add', name: 'sum', inputs: ['n3', 'n4'], outputs: ['out'] },
    ],
  };
  const x = tensor([1, 2, 5, 5], seeded(50, 99));

  it('gives the same outputs as the unfolded graph and removes every foldable BN', () => {
    const folded = load(spec);
    const unfolded = load(spec, { foldBatchNorm: false });
    expect(unfolded.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(4);
    expect(folded.nodes.map((n) => n.opType)).not.toContain('BatchNormalization');
    const a = runForward(folded, { x });
    const b = runForward(unfolded, { x });
    // Every BN output tensor that survives (all of them, under the BN's name) agrees, not only the output.
    for (const name of ['n1', 'n2', 'n3', 'n4', 'out']) {
      expect(maxAbsDiff(a.get(name)!.data, b.get(name)!.data)).toBeLessThan(1e-9);
    }
    // Sanity: the BN really changes values (the comparison is not of two identities).
    expect(maxAbsDiff(b.get('c1')!.data, b.get('n1')!.data)).toBeGreaterThan(0.1);
  });

  it('keeps the Conv/Gemm name, takes the BN output name, and drops the old weights', () => {
    const g = load(spec);
    const conv1 = g.nodes.find((n) => n.name === 'conv1')!;
    expect(conv1.outputs).toEqual(['n1']);
    expect(conv1.inputs[0]).toBe('x');
    expect(g.nodes.find((n) => n.name === 'fc2')!.attrs.beta).toBe(1);
    expect(g.shapes.has('c1')).toBe(false);
    expect(g.shapes.get('n1')).toEqual([1, C, 5, 5]);
    expect(g.initializers.has('w1')).toBe(false);
    expect(g.initializers.has('bn1_g')).toBe(false);
  });

  it('does not fold a BN whose Conv output has another consumer or is a graph output', () => {
    const shared: ModelSpec = {
      ...spec,
      outputs: [{ name: 'out' }, { name: 'c2' }],
      nodes: [
        ...spec.nodes.slice(0, 3),
        // c1 also feeds this Relu: bn1 must stay.
        { op: 'Relu', name: 'side', inputs: ['c1'], outputs: ['side'] },
        { op: 'Add', name: 'mix', inputs: ['r1', 'side'], outputs: ['r1b'] },
        { ...spec.nodes[3], inputs: ['r1b', 'w2'] },
        ...spec.nodes.slice(4),
      ],
    };
    const g = prepareGraph(parseOnnx(buildModel(shared)));
    const bns = g.nodes.filter((n) => n.opType === 'BatchNormalization').map((n) => n.name);
    expect(bns).toEqual(['bn1', 'bn2']);
    const unfolded = prepareGraph(parseOnnx(buildModel(shared)), { foldBatchNorm: false });
    expect(maxAbsDiff(run(g, x), run(unfolded, x))).toBeLessThan(1e-9);
  });

  it('foldBatchNorm on its own folds a graph in parse form', () => {
    const raw = parseOnnx(buildModel(spec));
    const folded = foldBatchNorm(raw);
    expect(folded.nodes).toHaveLength(raw.nodes.length - 4);
    expect(maxAbsDiff(run(folded, x), run(raw, x))).toBeLessThan(1e-9);
  });
});

describe('shape inference', () => {
  const net: ModelSpec = {
    opset: 13,
    inputs: [{ name: 'img', shape: ['batch', 3, 'H', 'W'] }],
    outputs: [{ name: 'prob' }],
    initializers: {
      w: { dims: [4, 3, 3, 3], data: seeded(108, 5) },
      fc: { dims: [4, 10], data: seeded(40, 6) },
    },
    nodes: [
      {
        op: 'Conv',
        inputs: ['img', 'w'],
        outputs: ['c'],
        attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' },
      },
      {
        op: 'MaxPool',
        inputs: ['c'],
        outputs: ['m'],
        attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 },
      },
      { op: 'GlobalAveragePool', inputs: ['m'], outputs: ['p'] },
      { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
      { op: 'MatMul', inputs: ['f', 'fc'], outputs: ['l'] },
      { op: 'Softmax', inputs: ['l'], outputs: ['prob'] },
    ],
  };

  it('fixes a symbolic batch to 1 and gives every value a concrete shape', () => {
    const g = load({ ...net, inputs: [{ name: 'img', shape: ['batch', 3, 17, 17] }] });
    expect(g.shapes.get('img')).toEqual([1, 3, 17, 17]);
    expect(g.shapes.get('c')).toEqual([1, 4, 9, 9]);
    expect(g.shapes.get('m')).toEqual([1, 4, 4, 4]);
    expect(g.shapes.get('p')).toEqual([1, 4, 1, 1]);
    expect(g.shapes.get('prob')).toEqual([1, 10]);
    const values = [
      ...g.initializers.keys(),
      ...g.inputs.map((v) => v.name),
      ...g.nodes.flatMap((n) => n.outputs),
    ];
    for (const v of values) expect(g.shapes.has(v), v).toBe(true);
    // The declared input keeps its symbolic form.
    expect(g.inputs[0].shape).toEqual(['batch', 3, 17, 17]);
  });

  it('takes a symbolic spatial size from the caller, the metadata hint, or 224', () => {
    expect(load(net).shapes.get('img')).toEqual([1, 3, 224, 224]);
    const hinted = load({ ...net, metadata: { 'panescope.input_size': '32,48' } });
    expect(hinted.shapes.get('img')).toEqual([1, 3, 32, 48]);
    expect(hinted.shapes.get('c')).toEqual([1, 4, 16, 24]);
    expect(load(net, { inputSize: { height: 8, width: 10 } }).shapes.get('c')).toEqual([1, 4, 4, 5]);
    const g = load(net, { inputShape: [2, 3, 8, 10] });
    expect(g.shapes.get('c')).toEqual([2, 4, 4, 5]);
    expect(g.shapes.get('m')).toEqual([2, 4, 2, 2]);
    expect(g.shapes.get('prob')).toEqual([2, 10]);
    expect(() => load(net, { inputShape: [1, 1, 8, 8] })).toThrow(/does not fit input 'img'/);
    const fixed = { ...net, inputs: [{ name: 'img', shape: [1, 3, 9, 9] }] };
    expect(() => load(fixed, { inputSize: { height: 8, width: 8 } })).toThrow(/does not fit input 'img'/);
  });

  it('says which size it assumed when a symbolic size makes shape inference fail', () => {
    const flattening: ModelSpec = {
      inputs: [{ name: 'img', shape: ['N', 1, 'H', 'W'] }],
      outputs: [{ name: 'y' }],
      initializers: { fc: { dims: [10, 16], data: seeded(160, 7) } },
      nodes: [
        { op: 'Flatten', inputs: ['img'], outputs: ['f'] },
        { op: 'Gemm', inputs: ['f', 'fc'], outputs: ['y'], attrs: { transB: 1 } },
      ],
    };
    expect(() => load(flattening)).toThrow(
      /inner dimensions 50176 and 16 differ \(input 'img' \[N,1,H,W\] has a symbolic spatial size, taken as 224 x 224;/,
    );
    expect(load(flattening, { inputSize: { height: 4, width: 4 } }).shapes.get('y')).toEqual([1, 10]);
  });

  it('sorts nodes written out of order', () => {
    const shuffled = {
      ...net,
      inputs: [{ name: 'img', shape: [1, 3, 9, 9] }],
      nodes: [...net.nodes].reverse(),
    };
    const g = load(shuffled);
    expect(g.nodes.map((n) => n.opType)).toEqual([
      'Conv',
      'MaxPool',
      'GlobalAveragePool',
      'Flatten',
      'MatMul',
      'Softmax',
    ]);
    const cyclic = { ...shuffled, nodes: [...net.nodes.slice(0, 5), { ...net.nodes[5], inputs: ['prob'] }] };
    expect(() => load(cyclic)).toThrow(/cycle through Softmax/);
  });

  it('leaves the outputs of ops it does not know without a shape instead of failing', () => {
    const g = load({
      inputs: [{ name: 'x', shape: [1, 3, 4, 4] }],
      outputs: [{ name: 'y' }],
      initializers: { scales: { dims: [4], data: [1, 1, 2, 2] } },
      nodes: [
        { op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['r'] },
        { op: 'Relu', inputs: ['r'], outputs: ['y'] },
      ],
    });
    expect(g.shapes.has('r')).toBe(false);
    expect(g.shapes.has('y')).toBe(false);
  });
});
