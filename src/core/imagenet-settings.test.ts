// IMAGENET_SETTINGS is one object shared by several gallery entries and the app's default: writing to it
// (or to its mean / std) through one of them must fail instead of changing the others.
import { describe, expect, it } from 'vitest';
import { IMAGENET_SETTINGS, type PreprocessSettings } from './preprocess';

describe('IMAGENET_SETTINGS', () => {
  it('is frozen with its mean and std arrays', () => {
    const s = IMAGENET_SETTINGS as PreprocessSettings;
    expect(() => (s.mean[0] = 0)).toThrow(TypeError);
    expect(() => (s.std[2] = 1)).toThrow(TypeError);
    expect(() => (s.resize = 300)).toThrow(TypeError);
    expect(s.mean).toEqual([0.485, 0.456, 0.406]);
    expect(s.std).toEqual([0.229, 0.224, 0.225]);
    expect(s.resize).toBe(256);
  });
});
