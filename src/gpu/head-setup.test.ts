import { describe, expect, test } from 'vitest';
import type { IrNode } from '../core/onnx/ir';
import { headVector } from '../core/pane/heads';
import { effectiveOptions } from '../core/pane/options';
import { headSetup } from './head-setup';

const logits = Float64Array.from([0.5, -2, 3, 1]);
const sigmoid: IrNode = {
  name: 's',
  opType: 'Sigmoid',
  domain: '',
  inputs: ['l'],
  outputs: ['p'],
  attrs: {},
};

describe('host half of the virtual head', () => {
  test('target, weights and start mass per option', () => {
    const unit = headSetup(logits, undefined, effectiveOptions({}));
    expect(unit.target).toBe(2);
    expect([...unit.u]).toEqual([0, 0, 1, 0]);
    expect(unit.mass).toBe(1);
    const logit = headSetup(logits, undefined, effectiveOptions({ target: 1, startMass: 'logit' }));
    expect(logit).toMatchObject({ target: 1, mass: 2, massAt: 1 });
    expect(headSetup(logits, undefined, effectiveOptions({ startMass: 'excitation' })).mass).toBe(
      'excitation',
    );
    const contrast = headSetup(logits, undefined, effectiveOptions({ head: 'contrast_softmax', target: 0 }));
    expect([...contrast.u]).toEqual([...Float32Array.from(headVector(logits, 0, 'contrast_softmax'))]);
  });

  test("the 'excitation' mass needs u = e_t", () => {
    expect(() =>
      headSetup(logits, undefined, effectiveOptions({ head: 'contrast_mean', startMass: 'excitation' })),
    ).toThrow(/needs head 'logit'/);
  });

  test('one logit behind a sigmoid explains class 1 with u = +1 and class 0 with u = -1', () => {
    expect(headSetup(Float64Array.of(-0.3), sigmoid, effectiveOptions({}))).toMatchObject({
      target: 0,
      massAt: 0,
    });
    expect([...headSetup(Float64Array.of(-0.3), sigmoid, effectiveOptions({})).u]).toEqual([-1]);
    expect([...headSetup(Float64Array.of(-0.3), sigmoid, effectiveOptions({ target: 1 })).u]).toEqual([1]);
  });
});
