// The gating rule (docs/bring-your-own-model.md "Gating products"; no rule in PANE-SPEC): SiLU,
// squeeze-excitation and hard-swish gates are fixed coefficients, the chain flows through the signal only.
// Properties of spec section 5 on gated networks: 3 flux conservation, 4 bounds, 17 zero invariant.
import { describe, expect, it } from 'vitest';
import { GATE_ATTR, markGates } from '../onnx/gates';
import type { IrGraph } from '../onnx/ir';
import { effectiveOptions, type PaneOptions } from '../pane/options';
import { chainOpKind, fluxInputs, isChainOp } from '../pane/ops';
import type { Flux } from '../pane/types';
import { mulberry32, uniformArray } from '../random';
import type { Tensor } from '../tensor';
import { explain, propagateNode } from './chain';
import { runForward } from './forward';
import {
  makeGraph,
  maxRelDiff,
  node,
  normalTensor,
  randomTensor,
  sum,
  type GraphSpec,
  type NodeSpec,
} from '../../../tests/support/testkit';

const RULES: Partial<PaneOptions>[] = [
  { rule: 'sf' },
  { rule: 'sf', eps: 0.01 },
  { rule: 'alphabeta' },
  { rule: 'alphabeta', alpha: 1.5, beta: 0.5, biasMode: 'ignore' },
  { rule: 'ebp' },
];

const gated = (spec: GraphSpec): IrGraph => markGates(makeGraph(spec));

/**
 * An EfficientNet/MobileNetV3-like network: SiLU stem, depthwise conv with HardSwish, squeeze-excitation
 * (GAP -> Conv -> SiLU -> Conv -> Sigmoid) gating by Mul, a HardSigmoid-gated Mul, residual Add, head.
 */
function gatedCnn(rng: () => number, bias = true): GraphSpec {
  const initializers: Record<string, Tensor> = {};
  const nodes: NodeSpec[] = [];
  const conv = (x: string, y: string, c: number, m: number, k: number, group = 1) => {
    initializers[`${y}.w`] = normalTensor(rng, [m, c / group, k, k], Math.sqrt(2 / ((c / group) * k * k)));
    const inputs = [x, `${y}.w`];
    if (bias) {
      initializers[`${y}.b`] = randomTensor(rng, [m], -0.1, 0.1);
      inputs.push(`${y}.b`);
    }
    nodes.push(node('Conv', inputs, [y], { kernel_shape: [k, k], pads: Array(4).fill((k - 1) / 2), group }));
  };
  const silu = (x: string, y: string) => {
    nodes.push(node('Sigmoid', [x], [`${y}.gate`]), node('Mul', [x, `${y}.gate`], [y]));
  };
  conv('x', 'stem', 3, 8, 3);
  silu('stem', 'stem_act');
  conv('stem_act', 'dw', 8, 8, 3, 8);
  nodes.push(node('HardSwish', ['dw'], ['dw_act']));
  nodes.push(node('GlobalAveragePool', ['dw_act'], ['se_pool']));
  conv('se_pool', 'se_fc1', 8, 2, 1);
  silu('se_fc1', 'se_act');
  conv('se_act', 'se_fc2', 2, 8, 1);
  nodes.push(node('Sigmoid', ['se_fc2'], ['se_gate']));
  nodes.push(node('Mul', ['se_gate', 'dw_act'], ['se_out']));
  conv('se_out', 'project', 8, 8, 1);
  nodes.push(node('HardSigmoid', ['project'], ['hs'], { alpha: 1 / 6, beta: 0.5 }));
  nodes.push(node('Mul', ['project', 'hs'], ['hswish']));
  nodes.push(node('Add', ['hswish', 'stem_act'], ['res']));
  nodes.push(node('GlobalAveragePool', ['res'], ['gap']), node('Flatten', ['gap'], ['flat']));
  initializers['fc.w'] = normalTensor(rng, [8, 5], Math.sqrt(1 / 8));
  nodes.push(node('Gemm', bias ? ['flat', 'fc.w', 'fc.b'] : ['flat', 'fc.w'], ['logits']));
  if (bias) initializers['fc.b'] = randomTensor(rng, [5], -0.1, 0.1);
  return { inputs: { x: [1, 3, 8, 8] }, initializers, nodes, outputs: ['logits'] };
}

function randomFlux(rng: () => number, n: number): Flux {
  const T = uniformArray(rng, n, 0, 1);
  return { T, R: T.map((t) => t * (2 * rng() - 1)) };
}

describe('gate recognition', () => {
  it('marks the gate operand of SiLU, squeeze-excitation and hard-sigmoid products, and leaves other Muls', () => {
    const g = gated(gatedCnn(mulberry32(1)));
    const marks = Object.fromEntries(
      g.nodes.filter((n) => n.opType === 'Mul').map((n) => [n.outputs[0], n.attrs[GATE_ATTR]]),
    );
    expect(marks).toEqual({ stem_act: 1, se_act: 1, se_out: 0, hswish: 1 });
    const kinds = g.nodes
      .filter((n) => n.opType === 'HardSwish' || n.opType === 'Mul')
      .map((n) => chainOpKind(n));
    expect(new Set(kinds)).toEqual(new Set(['gate']));
    const se = g.nodes.find((n) => n.outputs[0] === 'se_out')!;
    expect(fluxInputs(g, se)).toEqual([1]);
  });

  it('a gate rescaled by constants (Keras relu6(x + 3) / 6) is a gate; a product without one is not', () => {
    const g = gated({
      inputs: { x: [1, 4], z: [1, 4] },
      initializers: {
        three: { dims: [], data: Float64Array.of(3) },
        six: { dims: [], data: Float64Array.of(6) },
      },
      nodes: [
        node('Add', ['x', 'three'], ['shifted']),
        node('Clip', ['shifted'], ['r6'], { min: 0, max: 6 }),
        node('Div', ['r6', 'six'], ['hsig']),
        node('Mul', ['x', 'hsig'], ['hswish']),
        node('Relu', ['x'], ['rx']),
        node('Mul', ['rx', 'z'], ['product']),
        node('Clip', ['x'], ['lower'], { min: 0, max: Infinity }),
        node('Mul', ['lower', 'z'], ['unbounded']),
      ],
      outputs: ['hswish', 'product', 'unbounded'],
    });
    const mark = (out: string) => g.nodes.find((n) => n.outputs[0] === out)!.attrs[GATE_ATTR];
    expect([mark('hswish'), mark('product'), mark('unbounded')]).toEqual([1, undefined, undefined]);
  });
});

describe('the gate rule', () => {
  const rng = mulberry32(5);

  it('passes (T, R) to the signal where y != 0 and sinks where y = 0, under every rule; the gate gets nothing', () => {
    const g = gated({
      inputs: { x: [2, 6] },
      nodes: [node('HardSigmoid', ['x'], ['h'], { alpha: 0.5, beta: 0.5 }), node('Mul', ['x', 'h'], ['y'])],
      outputs: ['y'],
    });
    const x = randomTensor(rng, [2, 6], -3, 3);
    x.data[3] = 0; // y = 0 through the signal
    x.data[7] = -2.5; // y = 0 through a closed gate (HardSigmoid saturated at 0)
    const values = runForward(g, { x });
    const y = values.get('y')!.data;
    const out = randomFlux(rng, 12);
    const mul = g.nodes[1];
    for (const opts of RULES) {
      const step = propagateNode(g, mul, values, out, effectiveOptions(opts));
      expect(step.inputs[1]).toBeNull();
      let sinkT = 0;
      y.forEach((v, j) => {
        if (v === 0) sinkT += out.T[j];
        expect(step.inputs[0]!.T[j]).toBe(v === 0 ? 0 : out.T[j]);
        expect(step.inputs[0]!.R[j]).toBe(v === 0 ? 0 : out.R[j]);
      });
      expect(step.sinkT).toBeCloseTo(sinkT, 14);
      expect(sinkT).toBeGreaterThan(0);
    }
  });

  it('a broadcast signal receives the sum of the mass of the outputs it feeds', () => {
    const g = gated({
      inputs: { s: [1, 4], a: [3, 4] },
      nodes: [node('Sigmoid', ['a'], ['gate']), node('Mul', ['s', 'gate'], ['y'])],
      outputs: ['y'],
    });
    const values = runForward(g, { s: randomTensor(rng, [1, 4], 0.5, 1), a: randomTensor(rng, [3, 4]) });
    const out = randomFlux(rng, 12);
    const step = propagateNode(g, g.nodes[1], values, out, effectiveOptions({}));
    for (let i = 0; i < 4; i++) {
      expect(step.inputs[0]!.T[i]).toBeCloseTo(out.T[i] + out.T[i + 4] + out.T[i + 8], 14);
      expect(step.inputs[0]!.R[i]).toBeCloseTo(out.R[i] + out.R[i + 4] + out.R[i + 8], 14);
    }
  });

  it('sf: a gated graph gives the maps of the same graph with its gates frozen into constants', () => {
    // HardSwish has no constant form (its decomposition is tested below): Relu in its place.
    const spec = gatedCnn(mulberry32(7));
    const withRelu = {
      ...spec,
      nodes: spec.nodes.map((n) => (n.op === 'HardSwish' ? { ...n, op: 'Relu' } : n)),
    };
    const g = gated(withRelu);
    const x = randomTensor(mulberry32(8), [1, 3, 8, 8]);
    const values = runForward(g, { x });
    const gates = ['stem_act.gate', 'se_act.gate', 'se_gate', 'hs'];
    // Every Mul becomes a Mul by a constant: an element-wise affine node of spec 4.3.
    const frozen = makeGraph({
      ...withRelu,
      initializers: {
        ...withRelu.initializers,
        ...Object.fromEntries(gates.map((n) => [n, values.get(n)!])),
      },
      nodes: withRelu.nodes.filter((n) => !gates.includes(n.outputs[0])),
    });
    expect(frozen.nodes.filter((n) => chainOpKind(n) === 'gate')).toEqual([]);
    const a = explain(g, values, { rule: 'sf' });
    const b = explain(frozen, runForward(frozen, { x }), { rule: 'sf' });
    for (const name of ['x', 'stem', 'dw_act', 'project', 'res']) {
      expect(maxRelDiff(a.flux.get(name)!.T, b.flux.get(name)!.T), name).toBeLessThan(1e-12);
      expect(maxRelDiff(a.flux.get(name)!.R, b.flux.get(name)!.R), name).toBeLessThan(1e-12);
    }
  });

  it('a HardSwish node gives the maps of its decomposition x * HardSigmoid(x), for every rule', () => {
    const spec = gatedCnn(mulberry32(9));
    const decomposed = gated({
      ...spec,
      nodes: spec.nodes.flatMap((n) =>
        n.op === 'HardSwish'
          ? [
              node('HardSigmoid', ['dw'], ['dw.hs'], { alpha: 1 / 6, beta: 0.5 }),
              node('Mul', ['dw', 'dw.hs'], ['dw_act']),
            ]
          : [n],
      ),
    });
    const g = gated(spec);
    const x = randomTensor(mulberry32(10), [1, 3, 8, 8]);
    const [va, vb] = [runForward(g, { x }), runForward(decomposed, { x })];
    for (const opts of RULES) {
      const [a, b] = [explain(g, va, opts), explain(decomposed, vb, opts)];
      expect(maxRelDiff(a.flux.get('x')!.R, b.flux.get('x')!.R)).toBeLessThan(1e-12);
      expect(maxRelDiff(a.flux.get('x')!.T, b.flux.get('x')!.T)).toBeLessThan(1e-12);
    }
  });
});

describe('spec 5 properties on a gated network', () => {
  const g = gated(gatedCnn(mulberry32(11)));
  const x = randomTensor(mulberry32(12), [1, 3, 8, 8]);
  x.data.fill(0, 0, 40); // exact zeros in the input
  const values = runForward(g, { x });

  it('5.3 sf: sum T0 + sinks = m; every gate node balances with gain 1 under every rule', () => {
    for (const opts of RULES) {
      const o = effectiveOptions(opts);
      const r = explain(g, values, o);
      if (o.rule === 'sf') {
        const sinks = [...r.sinks.values()].reduce((s, v) => s + v.T, 0);
        expect(sum(r.flux.get('x')!.T) + sinks).toBeCloseTo(1, 12);
      }
      for (const n of g.nodes.filter((m) => isChainOp(m) && chainOpKind(m) === 'gate')) {
        const out = r.flux.get(n.outputs[0]);
        if (!out) continue; // the SiLU inside the squeeze-excitation branch carries no mass
        const step = propagateNode(g, n, values, out, o);
        const inT = step.inputs.reduce((s, f) => s + (f ? sum(f.T) : 0), 0);
        expect(inT + step.sinkT).toBeCloseTo(sum(out.T), 12);
      }
    }
  });

  it('5.4 T >= 0, |R| <= T, no NaN; the gate branches receive no mass', () => {
    for (const opts of RULES) {
      const r = explain(g, values, opts);
      for (const [name, f] of r.flux) {
        const bad = f.T.findIndex(
          (t, i) =>
            !(Number.isFinite(t) && Number.isFinite(f.R[i]) && t >= 0 && Math.abs(f.R[i]) <= t * (1 + 1e-12)),
        );
        expect(bad, name).toBe(-1);
      }
      for (const branch of ['stem_act.gate', 'se_pool', 'se_fc1', 'se_act', 'se_fc2', 'se_gate', 'hs']) {
        expect(r.flux.has(branch), branch).toBe(false);
      }
    }
  });

  it('5.17 T = R = 0 on every element whose forward value is 0', () => {
    for (const opts of RULES) {
      const r = explain(g, values, opts);
      let zeros = 0;
      for (const [name, f] of r.flux) {
        if (name === r.logits) continue;
        values.get(name)!.data.forEach((v, i) => {
          if (v !== 0) return;
          zeros++;
          expect(f.T[i] === 0 && f.R[i] === 0).toBe(true);
        });
      }
      expect(zeros).toBeGreaterThanOrEqual(40);
    }
  });

  it('zero input with zero biases gives all zeros', () => {
    const g0 = gated(gatedCnn(mulberry32(13), false));
    const v0 = runForward(g0, { x: { dims: [1, 3, 8, 8], data: new Float64Array(192) } });
    for (const opts of RULES) {
      for (const [name, f] of explain(g0, v0, opts).flux) {
        if (name === 'logits') continue;
        expect(f.T.every((t) => t === 0) && f.R.every((v) => v === 0), name).toBe(true);
      }
    }
  });
});
