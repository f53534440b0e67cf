import { describe, expect, it } from 'vitest';
import { curvePath, partialAuc } from './EvaluatePanel';

describe('EvaluatePanel drawing helpers', () => {
  it('maps fraction to x and probability to y inside the margins', () => {
    expect(curvePath([])).toBe('');
    expect(
      curvePath([
        { fraction: 0, probability: 1 },
        { fraction: 1, probability: 0 },
      ]),
    ).toBe('M28.0,28.0 L292.0,172.0');
  });

  it('the AUC of the points so far is the trapezoid over the covered fractions', () => {
    const pts = [
      { fraction: 0, probability: 1 },
      { fraction: 0.5, probability: 0.5 },
    ];
    expect(partialAuc(pts)).toBeCloseTo(0.375, 15);
    expect(partialAuc([...pts, { fraction: 1, probability: 0 }])).toBeCloseTo(0.5, 15);
  });
});
