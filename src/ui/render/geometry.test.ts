import { describe, expect, it } from 'vitest';
import { chartGeometry } from './chart';
import { cropOnCanvas, hitTest, moveCrop, resizeCrop } from './crop';
import { formatScale } from './export-png';

describe('crop geometry', () => {
  const placement = { scale: 0.5, dx: 10, dy: 0 };
  const crop = { x: 100, y: 50, width: 200, height: 200 };

  it('moves inside the image only', () => {
    expect(moveCrop(crop, -500, 30, 451, 300)).toEqual({ x: 0, y: 80, width: 200, height: 200 });
    expect(moveCrop(crop, 500, 500, 451, 300)).toEqual({ x: 251, y: 100, width: 200, height: 200 });
  });

  it('resizes with the model aspect, about the centre or the top-left corner, within the image', () => {
    expect(resizeCrop(crop, 100, 1, 451, 300, 'center')).toEqual({ x: 150, y: 100, width: 100, height: 100 });
    expect(resizeCrop(crop, 1000, 1, 451, 300, 'topleft')).toEqual({ x: 100, y: 0, width: 300, height: 300 });
    expect(resizeCrop(crop, 1, 1, 451, 300, 'topleft').width).toBe(8);
  });

  it('maps the crop onto the canvas and tells handle, inside and outside apart', () => {
    expect(cropOnCanvas(crop, placement)).toEqual({ x: 60, y: 25, width: 100, height: 100 });
    expect(hitTest(crop, placement, 160, 125)).toBe('resize');
    expect(hitTest(crop, placement, 100, 60)).toBe('move');
    expect(hitTest(crop, placement, 20, 20)).toBe('outside');
  });
});

describe('chain chart geometry', () => {
  it('places corr on [-1, 1] and the ratio on a log axis, breaking the line where a layer has no numbers', () => {
    const stats = [
      { tensor: 'a', corrPN: 1, netRatio: 1e-9, sumT: 1, sumR: 0 },
      { tensor: 'c', corrPN: -1, netRatio: 1, sumT: 1, sumR: 1 },
    ];
    const g = chartGeometry(['a', 'b', 'c'], stats, 112, 112, 6);
    expect(g.xs).toEqual([6, 56, 106]);
    expect(g.corrPoints).toEqual([{ x: 6, y: 6 }, null, { x: 106, y: 106 }]);
    expect(g.ratioPoints).toEqual([{ x: 6, y: 106 }, null, { x: 106, y: 6 }]);
    expect(g.corrPath).toBe('M6.0 6.0M106.0 106.0');
  });
});

describe('formatScale', () => {
  it('prints three significant digits, in exponent form for tiny and huge values', () => {
    expect(formatScale(0)).toBe('0');
    expect(formatScale(0.012345)).toBe('0.0123');
    expect(formatScale(-4.0211e-11)).toBe('-4.02e-11');
    expect(formatScale(123456)).toBe('1.23e+5');
  });
});
