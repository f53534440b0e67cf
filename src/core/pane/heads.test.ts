// PANE-SPEC 4.4: logits, head vectors and the virtual head's split of the start mass.
import { describe, expect, it } from 'vitest';
import { explain } from '../reference/chain';
import { runForward } from '../reference/forward';
import { makeGraph, node, sum } from '../../../tests/support/testkit';
import { tensor } from '../tensor';
import {
  argmax,
  chooseHead,
  excitationMassSource,
  findLogits,
  headFlux,
  headVector,
  sigmoidBinaryHead,
  softmax,
} from './heads';
import { effectiveOptions } from './options';

describe('findLogits', () => {
  for (const op of ['Softmax', 'LogSoftmax', 'Sigmoid']) {
    it(`is the input of a final ${op}`, () => {
      const g = makeGraph({
        inputs: { x: [1, 3] },
        nodes: [node('Relu', ['x'], ['l']), node(op, ['l'], ['p'], op === 'Sigmoid' ? {} : { axis: 1 })],
        outputs: ['p'],
      });
      const { logits, terminal } = findLogits(g);
      expect(logits).toBe('l');
      expect(terminal?.opType).toBe(op);
    });
  }

  it('is the graph output otherwise', () => {
    const g = makeGraph({ inputs: { x: [1, 3] }, nodes: [node('Relu', ['x'], ['l'])], outputs: ['l'] });
    expect(findLogits(g)).toEqual({ logits: 'l' });
  });
});

describe('headVector', () => {
  const l = new Float64Array([1, 3, -2, 0.5]);

  it('logit: e_t', () => {
    expect([...headVector(l, 2, 'logit')]).toEqual([0, 0, 1, 0]);
  });

  it('contrast_mean: u_t = 1, u_k = -1/(K-1)', () => {
    const u = headVector(l, 1, 'contrast_mean');
    expect([...u]).toEqual([-1 / 3, 1, -1 / 3, -1 / 3]);
    expect(sum(u)).toBeCloseTo(0, 15);
  });

  it('contrast_softmax: u_t = 1, u_k = -p_k / (1 - p_t), finite for a confident prediction', () => {
    const p = softmax(l);
    const u = headVector(l, 1, 'contrast_softmax');
    [0, 2, 3].forEach((k) => expect(u[k]).toBeCloseTo(-p[k] / (1 - p[1]), 14));
    expect(u[1]).toBe(1);
    const sure = headVector(new Float64Array([60, 0, -1]), 0, 'contrast_softmax');
    expect(sure[1] + sure[2]).toBeCloseTo(-1, 12);
    expect(sure.every(Number.isFinite)).toBe(true);
  });

  it('rejects a target outside the logits', () => {
    expect(() => headVector(l, 4, 'logit')).toThrow(/target 4/);
  });

  it('argmax takes the first of equal maxima', () => {
    expect(argmax(new Float64Array([1, 5, 5, 2]))).toBe(1);
  });
});

describe('headFlux (virtual head, sigma_v = +1)', () => {
  it('u = e_t gives T = m and R = m sgn(l_t), with sgn(0) = +1', () => {
    for (const [lt, r] of [
      [2.5, 3],
      [-0.7, -3],
      [0, 3],
    ]) {
      const f = headFlux(new Float64Array([1, lt, -4]), new Float64Array([0, 1, 0]), 3);
      expect([...f.T]).toEqual([0, 3, 0]);
      expect([...f.R]).toEqual([0, r, 0]);
    }
  });

  it('splits m over u_k l_k by the signed-flux rule; competitors with positive logits feed N', () => {
    const l = new Float64Array([2, 1, -1]);
    const u = new Float64Array([1, -0.5, -0.5]);
    const f = headFlux(l, u, 1);
    // contributions [2, -0.5, 0.5], G_v = 3
    expect([...f.T].map((v) => v * 3)).toEqual([2, 0.5, 0.5].map((v) => expect.closeTo(v, 14)));
    expect([...f.R].map((v) => v * 3)).toEqual([2, -0.5, 0.5].map((v) => expect.closeTo(v, 14)));
    expect(sum(f.T)).toBeCloseTo(1, 15);
  });

  it('all-zero logits: the limit l -> 0+ splits by |u_k|', () => {
    const f = headFlux(new Float64Array(3), new Float64Array([1, -0.5, -0.5]), 2);
    expect([...f.T]).toEqual([1, 0.5, 0.5]);
    expect([...f.R]).toEqual([1, -0.5, -0.5]);
  });
});

describe('one-logit sigmoid models', () => {
  it('class 1 is u = +1, class 0 is u = -1, the default is the predicted class', () => {
    expect(sigmoidBinaryHead(0.3)).toEqual({ target: 1, u: new Float64Array([1]) });
    expect(sigmoidBinaryHead(-0.3)).toEqual({ target: 0, u: new Float64Array([-1]) });
    expect(sigmoidBinaryHead(2, 0).u[0]).toBe(-1);
    expect(() => sigmoidBinaryHead(2, 2)).toThrow();
  });

  it('explain uses it: explaining class 0 swaps the chains of class 1', () => {
    const g = makeGraph({
      inputs: { x: [1, 2] },
      initializers: { w: tensor([2, 1], [2, -1]) },
      nodes: [node('MatMul', ['x', 'w'], ['l']), node('Sigmoid', ['l'], ['p'])],
      outputs: ['p'],
    });
    const values = runForward(g, { x: tensor([1, 2], [1.5, 1]) });
    const one = explain(g, values);
    const zero = explain(g, values, { target: 0 });
    expect(one.target).toBe(1);
    expect(zero.target).toBe(0);
    const x1 = one.flux.get('x')!;
    const x0 = zero.flux.get('x')!;
    expect([...x0.T]).toEqual([...x1.T]);
    expect([...x0.R]).toEqual([...x1.R].map((v) => -v));
  });
});

describe('chooseHead (every engine starts here)', () => {
  const logits = Float64Array.of(1, 3, -2);
  it('takes the predicted class and the unit, logit or excitation start mass', () => {
    expect(chooseHead(logits, undefined, effectiveOptions({}))).toMatchObject({
      target: 1,
      massAt: 1,
      mass: 1,
    });
    const logit = chooseHead(logits, undefined, effectiveOptions({ target: 2, startMass: 'logit' }));
    expect(logit).toMatchObject({ target: 2, massAt: 2, mass: 2 });
    expect([...logit.u]).toEqual([0, 0, 1]);
    const excitation = chooseHead(logits, undefined, effectiveOptions({ startMass: 'excitation' }));
    expect(excitation.mass).toBe('excitation');
  });

  it("refuses the 'excitation' start mass with a contrast head", () => {
    const opts = effectiveOptions({ head: 'contrast_mean', startMass: 'excitation' });
    expect(() => chooseHead(logits, undefined, opts)).toThrow("start mass 'excitation' needs head 'logit'");
  });

  it('explains class 0 of a one-logit sigmoid model with u = -1, its mass at logit 0', () => {
    const sigmoid = { name: 's', opType: 'Sigmoid', domain: '', inputs: ['l'], outputs: ['p'], attrs: {} };
    const head = chooseHead(Float64Array.of(-0.3), sigmoid, effectiveOptions({ startMass: 'logit' }));
    expect(head).toMatchObject({ target: 0, massAt: 0, mass: 0.3 });
    expect([...head.u]).toEqual([-1]);
  });
});

describe('excitationMassSource', () => {
  it('walks from the logits through element-preserving ops to the affine producer', () => {
    const g = makeGraph({
      inputs: { x: [1, 2, 3, 3] },
      nodes: [
        node('GlobalAveragePool', ['x'], ['m']),
        node('Relu', ['m'], ['r']),
        node('Flatten', ['r'], ['l']),
        node('Softmax', ['l'], ['p'], { axis: 1 }),
      ],
      outputs: ['p'],
    });
    expect(excitationMassSource(g, findLogits(g).logits)).toBe('m');
  });

  it('is null when a MaxPool (which moves elements) sits above the affine producer', () => {
    const g = makeGraph({
      inputs: { x: [1, 2, 4, 4] },
      nodes: [
        node('AveragePool', ['x'], ['a'], { kernel_shape: [2, 2] }),
        node('GlobalMaxPool', ['a'], ['l']),
      ],
      outputs: ['l'],
    });
    expect(excitationMassSource(g, 'l')).toBeNull();
  });
});
