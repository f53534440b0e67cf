// Preprocessing hints from metadata_props: our panescope.* keys and the ONNX Image.* convention.
import { describe, expect, it } from 'vitest';
import { preprocessHints } from './preprocessHints';

const hints = (metadata: Record<string, string>) => preprocessHints({ metadata });

describe('preprocessHints', () => {
  it('is empty without metadata', () => {
    expect(hints({})).toEqual({});
    expect(hints({ producer: 'pytorch' })).toEqual({});
  });

  it('reads every panescope key, in comma, space, x or JSON list form', () => {
    expect(
      hints({
        'panescope.input_size': '224x192',
        'panescope.mean': '[0.5, 0.4, 0.3]',
        'panescope.std': '0.2 0.2 0.25',
        'panescope.scale': '1/255',
        'panescope.channel_order': 'BGR',
        'panescope.crop_fraction': '0.875',
      }),
    ).toEqual({
      height: 224,
      width: 192,
      mean: [0.5, 0.4, 0.3],
      std: [0.2, 0.2, 0.25],
      scale: 1 / 255,
      channelOrder: 'bgr',
      cropFraction: 0.875,
    });
    expect(hints({ 'PaneScope.Input_Size': '96', 'panescope.mean': '0.5' })).toEqual({
      height: 96,
      width: 96,
      mean: [0.5, 0.5, 0.5],
    });
  });

  it('maps the ONNX image metadata, and lets our keys win', () => {
    expect(
      hints({ 'Image.BitmapPixelFormat': 'Bgr8', 'Image.NominalPixelRange': 'NominalRange_0_255' }),
    ).toEqual({
      channelOrder: 'bgr',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
    expect(
      hints({ 'image.bitmappixelformat': 'gray8', 'image.nominalpixelrange': 'normalized_1_1' }),
    ).toEqual({
      channels: 1,
      scale: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    });
    const studio = hints({ 'Image.NominalPixelRange': 'NominalRange_16_235' });
    // Pixel 0 -> 16, pixel 255 -> 235.
    const value = (p: number) => (p * studio.scale! - studio.mean![0]) / studio.std![0];
    expect([value(0), value(255)].map((v) => +v.toFixed(9))).toEqual([16, 235]);
    expect(hints({ 'Image.NominalPixelRange': 'Normalized_0_1', 'panescope.scale': '1' }).scale).toBe(1);
    expect(hints({ 'Image.BitmapPixelFormat': 'Yuv420', 'Image.NominalPixelRange': 'odd' })).toEqual({});
  });

  it('names a malformed key of ours and what it expects', () => {
    expect(() => hints({ 'panescope.mean': '0.5,0.4' })).toThrow(
      "model metadata panescope.mean = '0.5,0.4': expected one value or three (one per channel)",
    );
    expect(() => hints({ 'panescope.std': '0,1,1' })).toThrow(
      /panescope.std = '0,1,1': expected positive numbers/,
    );
    expect(() => hints({ 'panescope.input_size': '224.5' })).toThrow(/panescope.input_size/);
    expect(() => hints({ 'panescope.scale': 'tiny' })).toThrow(/panescope.scale = 'tiny'/);
    expect(() => hints({ 'panescope.channel_order': 'rgba' })).toThrow(/expected 'rgb' or 'bgr'/);
    expect(() => hints({ 'panescope.crop_fraction': '1.5' })).toThrow(/expected a number in \(0, 1\]/);
    expect(() => hints({ 'panescope.mean': '[0.5,' })).toThrow(/panescope.mean = '\[0.5,': expected numbers/);
  });
});
