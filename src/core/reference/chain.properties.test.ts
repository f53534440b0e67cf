// Properties of PANE-SPEC section 5: 3 flux conservation, 4 bounds, 14 invariances, 15 head linearity,
// 16 Softmax / batch / determinism, 17 zero invariant; plus the error contract of explain.
import { describe, expect, it } from 'vitest';
import type { IrGraph } from '../onnx/ir';
import { effectiveOptions, type PaneOptions } from '../pane/options';
import type { PaneResult } from '../pane/types';
import { mulberry32, uniformArray } from '../random';
import { numel, type Tensor } from '../tensor';
import { explain, explainBatch, propagateNode } from './chain';
import { runForward } from './forward';
import type { DenseLayer } from '../../../tests/support/pn-oracle';
import {
  denseGraphSpec,
  makeGraph,
  maxRelDiff,
  node,
  randomDense,
  randomTensor,
  smallCnnSpec,
  sum,
} from '../../../tests/support/testkit';

const RULES: Partial<PaneOptions>[] = [
  { rule: 'sf' },
  { rule: 'sf', eps: 0.01 },
  { rule: 'alphabeta' },
  { rule: 'alphabeta', alpha: 1.5, beta: 0.5, biasMode: 'ignore' },
  { rule: 'ebp' },
];

function cnn(seed: number, opts: { bias?: boolean; softmax?: boolean; batch?: number } = {}) {
  const rng = mulberry32(seed);
  const g = makeGraph(smallCnnSpec(rng, opts));
  const x = randomTensor(rng, g.shapes.get('x')!);
  return { g, x, values: runForward(g, { x }) };
}

/**
 * Replays every processed node with propagateNode and checks the balance of spec 5.3 with the sink that
 * explain recorded: what the inputs received plus that sink is what the output carried (times alpha +
 * beta at an alphabeta affine node). Sinks are never negative, and ops that only move values have none.
 */
function checkNodeBalance(
  g: IrGraph,
  values: ReadonlyMap<string, Tensor>,
  r: PaneResult,
  opts: PaneOptions,
): void {
  const gain = opts.rule === 'sf' ? 1 : opts.alpha + opts.beta;
  for (const n of g.nodes) {
    const sink = r.sinks.get(n.name);
    if (!sink) continue;
    const out = r.flux.get(n.outputs[0])!;
    const step = propagateNode(g, n, values, out, opts);
    const inT = step.inputs.reduce((s, f) => s + (f ? sum(f.T) : 0), 0);
    const affine = !['Relu', 'MaxPool', 'Concat', 'Flatten'].includes(n.opType);
    expect(inT + sink.T).toBeCloseTo((affine ? gain : 1) * sum(out.T), 10);
    expect(sink.T).toBeGreaterThanOrEqual(0);
    if (n.opType === 'Concat' || n.opType === 'Flatten') expect(sink.T).toBe(0);
  }
}

describe('5.3 flux conservation', () => {
  it('sf: every node sum T_in + sink_T = sum T_out, globally sum T0 + sinks = m', () => {
    const { g, values } = cnn(1, { bias: true });
    for (const eps of [0, 0.05]) {
      for (const startMass of ['unit', 'logit', 'excitation'] as const) {
        const o = effectiveOptions({ rule: 'sf', eps, startMass });
        const r = explain(g, values, o);
        checkNodeBalance(g, values, r, o);
        const sinks = [...r.sinks.values()].reduce((s, v) => s + v.T, 0);
        expect(sum(r.flux.get('x')!.T) + sinks).toBeCloseTo(r.mass, 12);
        expect(sinks).toBeGreaterThan(0);
      }
    }
  });

  it('alphabeta: sum T_in + sink_T = (alpha + beta) sum T_out per affine node', () => {
    const { g, values } = cnn(2, { bias: true });
    for (const opts of RULES.filter((o) => o.rule !== 'sf')) {
      checkNodeBalance(g, values, explain(g, values, opts), effectiveOptions(opts));
    }
  });

  it('biasMode ignore, eps 0, no constants: every sink is zero and sum T0 = m exactly', () => {
    const { g, values } = cnn(3, { bias: false });
    const r = explain(g, values, { biasMode: 'ignore' });
    for (const s of r.sinks.values()) expect(s.T).toBe(0);
    expect(sum(r.flux.get('x')!.T)).toBeCloseTo(1, 13);
  });
});

describe('5.4 bounds', () => {
  it('T >= 0, |R| <= T and no NaN/Inf anywhere, for every rule', () => {
    const { g, values } = cnn(4, { bias: true });
    for (const opts of RULES) {
      for (const f of explain(g, values, opts).flux.values()) {
        f.T.forEach((t, i) => {
          expect(Number.isFinite(t) && Number.isFinite(f.R[i])).toBe(true);
          expect(t).toBeGreaterThanOrEqual(0);
          expect(Math.abs(f.R[i])).toBeLessThanOrEqual(t * (1 + 1e-12));
        });
      }
    }
  });

  it('zero input with zero biases gives all zeros (and no NaN)', () => {
    const { g } = cnn(5, { bias: false });
    const values = runForward(g, { x: { dims: [1, 3, 16, 16], data: new Float64Array(3 * 16 * 16) } });
    for (const opts of RULES) {
      const r = explain(g, values, opts);
      for (const [name, f] of r.flux) {
        if (name === r.logits) continue;
        expect(f.T.every((t) => t === 0) && f.R.every((v) => v === 0)).toBe(true);
      }
    }
  });
});

/** Input maps (T, R) of a dense network explained with the default rule. */
function inputMaps(layers: DenseLayer[], x: Float64Array, opts: Partial<PaneOptions> = {}) {
  const g = makeGraph(denseGraphSpec(layers));
  const values = runForward(g, { x: { dims: [1, x.length], data: x } });
  return explain(g, values, { target: 2, ...opts }).flux.get('x')!;
}

function expectSameMaps(
  a: { T: Float64Array; R: Float64Array },
  b: { T: Float64Array; R: Float64Array },
): void {
  expect(maxRelDiff(a.T, b.T)).toBeLessThan(1e-10);
  expect(maxRelDiff(a.R, b.R)).toBeLessThan(1e-10);
}

describe('5.14 invariances (sf, unit mass)', () => {
  const rng = mulberry32(14);
  const layers = randomDense(rng, [6, 9, 8, 5], { bias: true });
  const x = uniformArray(rng, 6);
  const base = inputMaps(layers, x);
  const copy = (ls: DenseLayer[]): DenseLayer[] =>
    ls.map((l) => ({ W: l.W.map((r) => r.slice()), b: l.b.slice(), relu: l.relu }));

  it('positive rescaling of a hidden ReLU layer: (W_l, b_l) -> c (W_l, b_l), W_l+1 -> W_l+1 / c', () => {
    for (const c of [3.7, 0.01]) {
      const ls = copy(layers);
      ls[1].W.forEach((row) => row.forEach((_, i) => (row[i] *= c)));
      ls[1].b.forEach((_, j) => (ls[1].b[j] *= c));
      ls[2].W.forEach((row) => row.forEach((_, i) => (row[i] /= c)));
      expectSameMaps(inputMaps(ls, x), base);
    }
  });

  it('rescaling the logit layer (W_L, b_L) -> c (W_L, b_L)', () => {
    const ls = copy(layers);
    ls[2].W.forEach((row) => row.forEach((_, i) => (row[i] *= 42)));
    ls[2].b.forEach((_, j) => (ls[2].b[j] *= 42));
    expectSameMaps(inputMaps(ls, x), base);
  });

  it('a consistent permutation of hidden channels', () => {
    const perm = [3, 0, 7, 5, 1, 8, 2, 6, 4];
    const ls = copy(layers);
    ls[0].W = perm.map((p) => layers[0].W[p]);
    ls[0].b = Float64Array.from(perm, (p) => layers[0].b[p]);
    ls[1].W = layers[1].W.map((row) => Float64Array.from(perm, (p) => row[p]));
    expectSameMaps(inputMaps(ls, x), base);
  });

  it('input scaling x -> c x by 1e-20 and 1e20 for bias-free networks (dense and convolutional)', () => {
    const free = copy(layers).map((l) => ({ ...l, b: new Float64Array(l.b.length) }));
    const ref = inputMaps(free, x);
    const { g, x: img, values } = cnn(15, { bias: false });
    const refCnn = explain(g, values, { target: 1 }).flux.get('x')!;
    for (const c of [1e-20, 1e20]) {
      expectSameMaps(
        inputMaps(
          free,
          x.map((v) => v * c),
        ),
        ref,
      );
      const scaled = runForward(g, { x: { dims: img.dims, data: img.data.map((v) => v * c) } });
      expectSameMaps(explain(g, scaled, { target: 1 }).flux.get('x')!, refCnn);
    }
  });
});

describe('5.15 head linearity', () => {
  /** Unnormalised net map R~(u) = R0(u) G_v(u) / m, G_v(u) = sum_k |u_k l_k|. */
  const netMap = (r: PaneResult, logits: Float64Array, x = 'x') => {
    let Gv = 0;
    r.u.forEach((u, k) => (Gv += Math.abs(u * logits[k])));
    return r.flux.get(x)!.R.map((v) => (v * Gv) / r.mass);
  };

  for (const rule of ['sf', 'alphabeta'] as const) {
    it(`${rule}: R~(e_t - e_s) = R~(e_t) - R~(e_s), and contrast heads decompose over the logits`, () => {
      const { g, values } = cnn(16, { bias: true });
      const logits = values.get('logits')!.data;
      const single = [0, 1, 2, 3, 4].map((k) => netMap(explain(g, values, { rule, target: k }), logits));
      for (const head of ['contrast_mean', 'contrast_softmax'] as const) {
        const r = explain(g, values, { rule, head, target: 3 });
        const expected = new Float64Array(single[0].length);
        r.u.forEach((u, k) => single[k].forEach((v, i) => (expected[i] += u * v)));
        expect(maxRelDiff(netMap(r, logits), expected)).toBeLessThan(1e-10);
      }
      // Two classes: contrast_mean is exactly u = e_t - e_s.
      const rng = mulberry32(17);
      const two = randomDense(rng, [5, 7, 2], { bias: true });
      const g2 = makeGraph(denseGraphSpec(two));
      const v2 = runForward(g2, { x: { dims: [1, 5], data: uniformArray(rng, 5) } });
      const l2 = v2.get(g2.outputs[0].name)!.data;
      const diff = explain(g2, v2, { rule, head: 'contrast_mean', target: 0 });
      expect([...diff.u]).toEqual([1, -1]);
      const t = netMap(explain(g2, v2, { rule, target: 0 }), l2);
      const s = netMap(explain(g2, v2, { rule, target: 1 }), l2);
      expect(
        maxRelDiff(
          netMap(diff, l2),
          t.map((v, i) => v - s[i]),
        ),
      ).toBeLessThan(1e-10);
    });
  }
});

describe('5.16 Softmax at the end, batches, determinism', () => {
  it('a final Softmax changes nothing', () => {
    const a = cnn(20, { bias: true });
    const b = cnn(20, { bias: true, softmax: true });
    for (const opts of RULES) {
      const ra = explain(a.g, a.values, opts);
      const rb = explain(b.g, b.values, opts);
      expect(rb.logits).toBe('logits');
      expect(rb.flux.get('x')).toEqual(ra.flux.get('x'));
      expect(rb.target).toBe(ra.target);
    }
  });

  it('a batch equals per-image runs', () => {
    const batch = cnn(21, { bias: true, batch: 3 });
    const single = cnn(21, { bias: true });
    const per = numel(single.x.dims);
    const results = explainBatch(batch.g, batch.values, { rule: 'sf' }, [undefined, 4]);
    expect(results).toHaveLength(3);
    results.forEach((r, n) => {
      const x = { dims: single.x.dims, data: batch.x.data.slice(n * per, (n + 1) * per) };
      const own = explain(single.g, runForward(single.g, { x }), {
        rule: 'sf',
        target: n === 1 ? 4 : undefined,
      });
      expect(r.target).toBe(own.target);
      expect(r.flux.get('x')).toEqual(own.flux.get('x'));
    });
    expect(results[1].target).toBe(4);
    expect(() => explain(batch.g, batch.values)).toThrow(/explainBatch/);
  });

  it('repeated runs are bit-identical', () => {
    const { g, values } = cnn(22, { bias: true });
    for (const opts of RULES) {
      const a = explain(g, values, opts);
      const b = explain(g, values, opts);
      expect(b.flux).toEqual(a.flux);
      expect(b.sinks).toEqual(a.sinks);
    }
  });
});

describe('5.17 zero invariant', () => {
  it('T = R = 0 on every element whose forward value is 0 (the head excepted)', () => {
    const rng = mulberry32(23);
    const g = makeGraph(smallCnnSpec(rng, { bias: true }));
    const x = randomTensor(rng, [1, 3, 16, 16]);
    x.data.fill(0, 0, 200); // a patch of exact zeros in the input too
    const values = runForward(g, { x });
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
      expect(zeros).toBeGreaterThan(200);
    }
  });
});

describe('explain contract', () => {
  it('returns flux for the input and the logits, an excitation per affine node, a sink per node', () => {
    const { g, values } = cnn(30, { bias: true });
    const r = explain(g, values);
    expect(r.flux.has('x') && r.flux.has('logits')).toBe(true);
    const affine = g.nodes.filter((n) => !['Relu', 'MaxPool', 'Concat', 'Flatten'].includes(n.opType));
    expect([...r.excitation.keys()].sort()).toEqual(affine.map((n) => n.outputs[0]).sort());
    expect([...r.sinks.keys()].sort()).toEqual(g.nodes.map((n) => n.name).sort());
    for (const [name, e] of r.excitation) {
      const z = values.get(name)!.data;
      e.G.forEach((gj, j) => {
        expect(e.Epos[j] - e.Eneg[j]).toBeCloseTo(z[j], 12);
        expect(gj).toBeCloseTo(e.Epos[j] + e.Eneg[j], 12);
      });
    }
  });

  it('names the op and the node it cannot traverse', () => {
    const g = makeGraph({
      inputs: { x: [1, 4] },
      initializers: { w: randomTensor(mulberry32(1), [4, 3]) },
      nodes: [node('Tanh', ['x'], ['t'], {}), node('MatMul', ['t', 'w'], ['y'])],
      outputs: ['y'],
    });
    const values = runForward(g, { x: randomTensor(mulberry32(2), [1, 4]) });
    expect(() => explain(g, values)).toThrow(/Tanh.*Tanh_0/);
  });

  it('a Softmax that is not the final node is an error', () => {
    const g = makeGraph({
      inputs: { x: [1, 4] },
      initializers: { w: randomTensor(mulberry32(1), [4, 3]) },
      nodes: [node('Softmax', ['x'], ['s'], { axis: 1 }), node('MatMul', ['s', 'w'], ['y'])],
      outputs: ['y'],
    });
    const values = runForward(g, { x: randomTensor(mulberry32(2), [1, 4]) });
    expect(() => explain(g, values)).toThrow(/Softmax 'Softmax_0'/);
  });
});
