import { describe, expect, it } from 'vitest';
import { colormapLut, LUT_SIZE, parseCssRgb } from './colormap';

function entry(lut: Uint8Array, i: number): number[] {
  return Array.from(lut.subarray(4 * i, 4 * i + 4));
}

describe('colormap tables (d3-scale-chromatic)', () => {
  it('sequential is matplotlib/d3 inferno entry for entry', () => {
    const lut = colormapLut('sequential');
    expect(lut.length).toBe(4 * LUT_SIZE);
    // Entries of the published 256-colour inferno table (d3-scale-chromatic src/sequential-multi/viridis.js).
    expect(entry(lut, 0)).toEqual([0x00, 0x00, 0x04, 255]);
    expect(entry(lut, 1)).toEqual([0x01, 0x00, 0x05, 255]);
    expect(entry(lut, 128)).toEqual([0xbc, 0x37, 0x54, 255]);
    expect(entry(lut, 255)).toEqual([0xfc, 0xff, 0xa4, 255]);
  });

  it('diverging is RdBu reversed: blue against, near-white centre, red for', () => {
    const lut = colormapLut('diverging');
    // The ends of ColorBrewer's 11-class RdBu, #053061 and #67001f.
    expect(entry(lut, 0)).toEqual([5, 48, 97, 255]);
    expect(entry(lut, 255)).toEqual([103, 0, 31, 255]);
    // d3's B-spline through the 11 ColorBrewer colours, at t = 127/255 and 128/255.
    expect(entry(lut, 127)).toEqual([241, 239, 238, 255]);
    expect(entry(lut, 128)).toEqual([242, 239, 237, 255]);
  });

  it('gray runs 0..255', () => {
    const lut = colormapLut('gray');
    expect(entry(lut, 0)).toEqual([0, 0, 0, 255]);
    expect(entry(lut, 100)).toEqual([100, 100, 100, 255]);
    expect(entry(lut, 255)).toEqual([255, 255, 255, 255]);
  });

  it('parses both colour forms d3 answers and refuses others', () => {
    expect(parseCssRgb('#0a0B0c')).toEqual([10, 11, 12]);
    expect(parseCssRgb('rgb(1, 22, 255)')).toEqual([1, 22, 255]);
    expect(() => parseCssRgb('hsl(0, 0%, 0%)')).toThrow(/not a CSS colour/);
  });
});
