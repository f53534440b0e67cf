// The compiled float32 gradient (gradient.ts) on onnxruntime wasm against the float64 baselines
// (core/baselines/backprop.ts) on the same forward values, so that both take the same ReLU and max pooling
// decisions: op by op on random cases, on every fixture family and on SqueezeNet 1.1 with a photo; and the
// nodes it refuses, by name.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFamilies } from '../../../scripts/fixtures/build-families';
import { decodeImage } from '../../cli/image-io';
import { backward, logitSeed } from '../../core/baselines/backprop';
import { lastConvLayer } from '../../core/baselines/gradcam';
import { loadGraph } from '../../core/onnx';
import type { IrGraph } from '../../core/onnx/ir';
import { imageInput } from '../../core/onnx/layout';
import { onnx } from '../../core/onnx/proto';
import { argmax, findLogits } from '../../core/pane/heads';
import { IMAGENET_PREPROCESS, preprocess } from '../../core/preprocess';
import { mulberry32, normalArray } from '../../core/random';
import { runForward } from '../../core/reference/forward';
import { CHAIN_OP_KINDS } from '../../core/pane/ops';
import {
  int,
  makeGraph,
  node,
  pick,
  randomF32,
  randomTensor,
  smallCnnSpec,
} from '../../../tests/support/testkit';
import { tensor, type Tensor } from '../../core/tensor';
import { compileGradient, GradientGraphError } from './gradient';
import { GradientRunner } from './gradient-runner';
import type { ForwardValues } from './head';
import { forwardOnOrt, relError } from '../../../tests/support/ort-chain';
import { CORPUS_KEYS, type CorpusKey, type OpCase } from '../../../tests/corpus/cases';
import { casesOf, graphForm } from '../../../tests/corpus/forms';

/** max |float32 - float64| / max |float64|, per tensor. */
const TOLERANCE = 1e-5;
const CASES_PER_OP = 20;

/** Initializers and the float32 forward values, in float64: what the float64 backward reads. */
function float64Values(g: IrGraph, forward: ForwardValues): Map<string, Tensor> {
  const values = new Map<string, Tensor>(g.initializers);
  for (const [k, t] of forward) values.set(k, { dims: t.dims, data: Float64Array.from(t.data) });
  return values;
}

/** Errors of every gradient the runner returns against float64 backward() with the same seed. */
async function gradientErrors(
  g: IrGraph,
  runner: GradientRunner,
  forward: ForwardValues,
  values: ReadonlyMap<string, Tensor>,
  seed: Float32Array,
): Promise<Record<string, number>> {
  const got = await runner.gradients(forward, seed);
  const ref = backward(g, values, new Map([[runner.compiled.logits, Float64Array.from(seed)]]));
  const errors: Record<string, number> = {};
  let reached = 0;
  for (const [name, v] of got) {
    const want = ref.get(name) ?? new Float64Array(v.length);
    errors[name] = relError(v, want);
    if (want.some((w) => w !== 0)) reached++;
  }
  // Zero gradients compare trivially; a branch may have none (a Relu dead on all of its few inputs).
  expect(reached).toBeGreaterThan(got.size / 2);
  return errors;
}

function failing(errors: Record<string, number>): [string, number][] {
  return Object.entries(errors).filter(([, e]) => !(e <= TOLERANCE));
}

/** Mul and Div of two data tensors (product and quotient rules), broadcasting, and x * x: not chain ops. */
function productCase(rng: () => number, i: number): OpCase {
  const full = [1, int(rng, 1, 4), int(rng, 1, 4), int(rng, 1, 4)];
  const small = pick(rng, [full, [1, full[1], 1, 1], [full[3]]]);
  const op = pick(rng, ['Mul', 'Div', 'Square']);
  const x = randomF32(rng, full);
  if (op === 'Square')
    return {
      label: `product#${i} x * x`,
      inputs: { x },
      nodes: [node('Mul', ['x', 'x'], ['y'])],
      outputs: ['y'],
    };
  const inputs = { x, y: randomF32(rng, small) };
  const [a, b] = rng() < 0.5 ? ['x', 'y'] : ['y', 'x'];
  if (op === 'Mul')
    return {
      label: `product#${i} ${a} * ${b}`,
      inputs,
      nodes: [node('Mul', [a, b], ['out'])],
      outputs: ['out'],
    };
  // A denominator >= 1 that also depends on the data.
  return {
    label: `product#${i} ${a} / (relu(${b}) + 1)`,
    inputs,
    initializers: { one: tensor([], [1]) },
    nodes: [node('Relu', [b], ['r']), node('Add', ['r', 'one'], ['d']), node('Div', [a, 'd'], ['out'])],
    outputs: ['out'],
  };
}

/**
 * CASES_PER_OP corpus cases shared among `keys` (the first of each op's cases that `ok` accepts: forms
 * float64 has no gradient for are left out).
 */
function drawn(keys: readonly CorpusKey[], ok: (c: OpCase) => boolean): OpCase[] {
  const perOp = Math.ceil(CASES_PER_OP / keys.length);
  return keys.flatMap((key) =>
    casesOf(key, 4 * perOp, 2)
      .filter((c) => !c.ortRefuses && ok(c))
      .slice(0, perOp),
  );
}

const any = () => true;
const GROUPS: [string, () => OpCase[]][] = [
  ['Conv (groups, depthwise, strides, dilations, pads, auto_pad, 1-D)', () => drawn(['Conv'], any)],
  ['AveragePool (pads, ceil_mode, count_include_pad, 1-D)', () => drawn(['AveragePool'], any)],
  ['MaxPool (pads, dilations, ceil_mode, ties)', () => drawn(['MaxPool'], any)],
  [
    'GlobalAveragePool, GlobalMaxPool, spatial ReduceMean',
    () => drawn(['GlobalAveragePool', 'GlobalMaxPool', 'ReduceMean'], any),
  ],
  ['HardSwish (ramp, and both flat sides)', () => drawn(['HardSwish'], any)],
  ['Gemm (trans flags, alpha, beta, bias shapes, data on either side)', () => drawn(['Gemm'], any)],
  [
    'MatMul (2-D and batched data)',
    // float64 takes only data [..., M, K] times a constant [K, N] (the graph takes 1-D and left constants too).
    () =>
      drawn(['MatMul'], (c) => (c.inputs.a?.dims.length ?? 0) >= 2 && c.initializers?.b?.dims.length === 2),
  ],
  ['BatchNormalization (unfolded)', () => drawn(['BatchNormalization'], any)],
  ['Add, Sub, Sum (broadcasting, constant bias)', () => drawn(['Add', 'Sub', 'Sum'], any)],
  ['Mul, Div by a constant (broadcasting)', () => drawn(['Mul', 'Div'], any)],
  [
    'Mul, Div of two data tensors',
    () => {
      const rng = mulberry32(2010);
      return Array.from({ length: CASES_PER_OP }, (_, i) => productCase(rng, i));
    },
  ],
  [
    'pass-through ops (Relu, LeakyRelu, Clip ... constant Pad)',
    () =>
      drawn(
        CORPUS_KEYS.filter((k) => k !== 'gating Mul' && CHAIN_OP_KINDS[k] === 'pass'),
        (c) => c.nodes.every((n) => (n.attrs?.mode ?? 'constant') === 'constant'),
      ),
  ],
];

describe('compiled float32 gradient == float64 backward, per op', () => {
  GROUPS.forEach(([name, cases], index) => {
    it(name, async () => {
      const rng = mulberry32(2000 + index);
      const { spec, inputs } = graphForm(cases());
      const { g, forward } = await forwardOnOrt(spec, inputs);
      // Every branch's input, and a random seed on all logits so that every branch carries a gradient.
      const tensors = g.inputs.map((v) => v.name);
      const runner = await GradientRunner.create(g, { backend: 'wasm', tensors });
      try {
        const n = forward.get('logits')!.data.length;
        const seed = Float32Array.from(normalArray(rng, n));
        const errors = await gradientErrors(g, runner, forward, float64Values(g, forward), seed);
        expect(Object.keys(errors).length).toBe(tensors.length);
        expect(failing(errors)).toEqual([]);
      } finally {
        runner.dispose();
      }
    });
  });
});

describe('MatMul forms float64 refuses, against the transposed product by hand', () => {
  const W = tensor([2, 3], [1, -2, 3, 0.5, 4, -1]);
  const cases: [string, number[], string[], (s: number[]) => number[]][] = [
    // y = W x, x [3, 1]: dx = W^T s
    [
      'constant on the left',
      [3, 1],
      ['w', 'x'],
      (s) => [0, 1, 2].map((k) => W.data[k] * s[0] + W.data[3 + k] * s[1]),
    ],
    // y = x W, x [2]: dx = W s
    [
      '1-D data',
      [2],
      ['x', 'w'],
      (s) => [0, 1].map((m) => W.data[3 * m] * s[0] + W.data[3 * m + 1] * s[1] + W.data[3 * m + 2] * s[2]),
    ],
  ];
  for (const [name, xDims, operands, expected] of cases) {
    it(name, async () => {
      const spec = {
        inputs: { x: xDims },
        initializers: { w: W },
        nodes: [node('MatMul', operands, ['logits'])],
        outputs: ['logits'],
      };
      const x = {
        dims: xDims,
        data: Float64Array.from({ length: xDims.reduce((a, b) => a * b, 1) }, (_, i) => i - 0.5),
      };
      const { g, forward } = await forwardOnOrt(spec, { x });
      const runner = await GradientRunner.create(g, { backend: 'wasm' });
      try {
        const seed = Float32Array.from({ length: forward.get('logits')!.data.length }, (_, i) => 1 + i);
        const got = (await runner.gradients(forward, seed)).get('x')!;
        expect(relError(got, expected([...seed]))).toBeLessThan(1e-7);
      } finally {
        runner.dispose();
      }
    });
  }
});

describe('the kinks and ties, as adjoints.ts takes them', () => {
  it('Relu and Clip pass nothing at a kink, LeakyRelu its identity side at 0', async () => {
    const spec = {
      inputs: { x: [1, 4] },
      initializers: { lo: tensor([], [0]), hi: tensor([], [1]) },
      nodes: [
        node('Relu', ['x'], ['a']),
        node('LeakyRelu', ['x'], ['b'], { alpha: 0.1 }),
        node('Clip', ['x', 'lo', 'hi'], ['c']),
        node('Concat', ['a', 'b', 'c'], ['logits'], { axis: 1 }),
      ],
      outputs: ['logits'],
    };
    const x = { dims: [1, 4], data: new Float64Array([0, -1, 2, 0.5]) };
    const { g, forward } = await forwardOnOrt(spec, { x });
    const runner = await GradientRunner.create(g, { backend: 'wasm' });
    try {
      const got = (await runner.gradients(forward, new Float32Array(12).fill(1))).get('x')!;
      expect([...got].map((v) => +v.toFixed(6))).toEqual([1, 0.1, 2, 3]);
      const ref = backward(g, float64Values(g, forward), new Map([['logits', new Float64Array(12).fill(1)]]));
      expect(relError(got, ref.get('x')!)).toBeLessThan(1e-7);
    } finally {
      runner.dispose();
    }
  });

  it('MaxPool shares a window equally between its equal maxima', async () => {
    const spec = {
      inputs: { x: [1, 1, 4] },
      nodes: [
        node('MaxPool', ['x'], ['y'], { kernel_shape: [2], strides: [2] }),
        node('Flatten', ['y'], ['logits']),
      ],
      outputs: ['logits'],
    };
    const x = { dims: [1, 1, 4], data: new Float64Array([4, 4, 1, 5]) };
    const { g, forward } = await forwardOnOrt(spec, { x });
    const runner = await GradientRunner.create(g, { backend: 'wasm' });
    try {
      const got = (await runner.gradients(forward, new Float32Array([1, 2]))).get('x')!;
      expect([...got]).toEqual([0.5, 0.5, 0, 2]);
      const ref = backward(g, float64Values(g, forward), new Map([['logits', new Float64Array([1, 2])]]));
      expect([...ref.get('x')!]).toEqual([0.5, 0.5, 0, 2]);
    } finally {
      runner.dispose();
    }
  });
});

describe('the compiler', () => {
  it('reads only the forward values the masks and routes need, and writes no dead node', () => {
    const g = makeGraph(smallCnnSpec(mulberry32(3), { bias: true }));
    const compiled = compileGradient(g);
    const expected = new Set<string>();
    for (const n of g.nodes) {
      if (n.opType === 'Relu') expected.add(n.inputs[0]);
      if (n.opType === 'MaxPool') [n.inputs[0], n.outputs[0]].forEach((v) => expected.add(v));
    }
    expect(new Set(compiled.forwardValues)).toEqual(expected);
    expect(compiled.gradients.map((v) => v.tensor)).toEqual(['x', lastConvLayer(g)]);
    const model = onnx.ModelProto.decode(compiled.model).graph!;
    const read = new Set([...model.output!.map((o) => o.name!), ...model.node!.flatMap((n) => n.input!)]);
    expect(model.node!.filter((n) => !n.output!.some((o) => read.has(o))).map((n) => n.opType)).toEqual([]);
    expect(model.input!.map((v) => v.name).sort()).toEqual(
      ['grad/seed', ...[...expected].map((v) => `forward/${v}`)].sort(),
    );
  });

  it('a small CNN: the logit gradient and the Grad-CAM feature gradient equal float64', async () => {
    const rng = mulberry32(11);
    const { g, forward } = await forwardOnOrt(smallCnnSpec(rng, { bias: true, softmax: true }), {
      x: randomTensor(rng, [1, 3, 16, 16]),
    });
    const runner = await GradientRunner.create(g, { backend: 'wasm' });
    try {
      const values = float64Values(g, forward);
      const target = 2;
      const ref = backward(g, values, logitSeed(g, values, target));
      const layer = lastConvLayer(g);
      expect(runner.featureTensor).toBe(layer);
      expect(relError(await runner.inputGradient(forward, target), ref.get('x')!)).toBeLessThan(TOLERANCE);
      expect(relError(await runner.featureGradient(forward, target), ref.get(layer)!)).toBeLessThan(
        TOLERANCE,
      );
      await expect(runner.inputGradient(forward, 99)).rejects.toThrow(/target 99/);
    } finally {
      runner.dispose();
    }
  });
});

describe('refusals name the node and op', () => {
  const refused = (spec: Parameters<typeof makeGraph>[0]) => {
    try {
      compileGradient(makeGraph(spec));
    } catch (e) {
      expect(e).toBeInstanceOf(GradientGraphError);
      return e as GradientGraphError;
    }
    throw new Error('compiled');
  };

  it('reflect padding, which float64 has no gradient for either', () => {
    const pad = refused({
      inputs: { x: [1, 1, 2, 3] },
      initializers: { p: tensor([8], [0, 0, 0, 1, 0, 0, 0, 1]) },
      nodes: [node('Pad', ['x', 'p'], ['logits'], { mode: 'reflect' })],
      outputs: ['logits'],
    });
    expect(pad.message).toBe("Pad 'Pad_0': the gradient of reflect padding is not supported");
  });

  it('a Gemm of two data tensors, which float64 differentiates', () => {
    const spec = {
      inputs: { x: [2, 3] },
      nodes: [node('Transpose', ['x'], ['xt']), node('Gemm', ['x', 'xt'], ['logits'])],
      outputs: ['logits'],
    };
    const g = makeGraph(spec);
    const x = { dims: [2, 3], data: new Float64Array([1, 2, 3, 4, 5, 6]) };
    const values = runForward(g, { x });
    expect(backward(g, values, logitSeed(g, values, 0)).get('x')).toBeDefined();
    const e = refused(spec);
    expect([e.opType, e.node]).toEqual(['Gemm', 'Gemm_1']);
    expect(e.message).toMatch(/^Gemm 'Gemm_1': needs exactly one data operand/);
  });
});

/** Families whose gradient neither float64 nor the graph takes, and the op each stops at. */
const REFUSED: Record<string, string> = {
  // The gate branches: their plain derivative is not a chain op's (the chains hold gates fixed).
  mobilenet_v3_opset13: 'HardSigmoid',
  mobilenet_v3_opset14: 'HardSigmoid',
  efficientnet: 'Sigmoid',
};

/** The float64 forward values with those onnxruntime computed for the gradient put in their place. */
function valuesWith(g: IrGraph, input: Tensor, forward: ForwardValues): Map<string, Tensor> {
  const values = runForward(g, { [g.inputs[0].name]: input }) as Map<string, Tensor>;
  for (const [k, t] of forward) values.set(k, { dims: t.dims, data: Float64Array.from(t.data) });
  return values;
}

/** Gradient at the input and at Grad-CAM's feature tensor for the predicted class, against float64. */
async function modelErrors(g: IrGraph, bytes: Uint8Array, input: Float32Array) {
  const runner = await GradientRunner.create(g, { backend: 'wasm', model: bytes });
  try {
    const forward = await runner.forward(input);
    const target = argmax(Float64Array.from(forward.get(findLogits(g).logits)!.data));
    const dims = g.shapes.get(g.inputs[0].name)!;
    const values = valuesWith(g, { dims, data: Float64Array.from(input) }, forward);
    const errors = await gradientErrors(
      g,
      runner,
      forward,
      values,
      Float32Array.from(logitSeed(g, values, target).values().next().value!),
    );
    const { gradient } = await runner.inputGradientAt(input, target);
    expect(gradient).toEqual(await runner.inputGradient(forward, target));
    return { errors, tensors: runner.compiled.gradients.map((v) => v.tensor) };
  } finally {
    runner.dispose();
  }
}

describe('every fixture family', () => {
  const families = buildFamilies();
  it('has the 14 families', () => expect(families.length).toBe(14));

  describe.each(families.map((f) => [f.name, f] as const))('%s', (name, family) => {
    const g = loadGraph(family.bytes);
    const op = REFUSED[name];
    if (op) {
      it(`is refused at its ${op}, where float64 stops too`, () => {
        let error: unknown;
        try {
          compileGradient(g);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(GradientGraphError);
        const e = error as GradientGraphError;
        expect(e.opType).toBe(op);
        const { dims } = imageInput(g);
        const data = new Float64Array(dims.reduce((a, b) => a * b, 1)).fill(0.5);
        const values = runForward(g, { [g.inputs[0].name]: { dims, data } });
        expect(() => backward(g, values, logitSeed(g, values, 0))).toThrow(`(node '${e.node}')`);
      });
      return;
    }
    it('input and Grad-CAM feature gradients equal float64', async () => {
      const { dims } = imageInput(g);
      const x = Float32Array.from(
        normalArray(
          mulberry32(7),
          dims.reduce((a, b) => a * b, 1),
        ),
      );
      const { errors, tensors } = await modelErrors(g, family.bytes, x);
      expect(tensors).toEqual([g.inputs[0].name, lastConvLayer(g)]);
      expect(failing(errors)).toEqual([]);
    });
  });
});

const root = fileURLToPath(new URL('../../../', import.meta.url));
const SQUEEZENET = `${root}public/models/squeezenet1_1.onnx`;
const CHELSEA = `${root}public/demo/chelsea.png`;

// The unit project's global setup places the model (tests/global-setup.ts).
describe('SqueezeNet 1.1 on chelsea.png', () => {
  it('input and Grad-CAM feature gradients equal float64', async () => {
    const bytes = new Uint8Array(readFileSync(SQUEEZENET));
    const input = preprocess(
      decodeImage(new Uint8Array(readFileSync(CHELSEA)), 'chelsea.png'),
      IMAGENET_PREPROCESS,
    );
    const { errors } = await modelErrors(loadGraph(bytes), bytes, input);
    expect(Object.keys(errors).length).toBe(2);
    expect(failing(errors)).toEqual([]);
  });
});
