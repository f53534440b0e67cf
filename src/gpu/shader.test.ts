import { describe, expect, test } from 'vitest';
import { defineShader } from './shader';

describe('defineShader', () => {
  test('snippets are prepended, and their structs lay out the uniforms that use them', () => {
    const snippet =
      'struct Window {\n  n: u32,\n  scale: f32,\n}\nfn twice(v: f32) -> f32 { return 2.0 * v; }';
    const kernel =
      '@group(0) @binding(0) var<uniform> window: Window;\n' +
      '@group(0) @binding(1) var<storage, read_write> out: array<f32>;';
    const s = defineShader('k', kernel, [snippet]);
    expect(s.code).toBe(`${snippet}\n${kernel}`);
    expect(s.bindings.map((b) => b.name)).toEqual(['window', 'out']);
    expect(s.uniformLayouts.get('window')?.fields.map((f) => [f.name, f.offset])).toEqual([
      ['n', 0],
      ['scale', 4],
    ]);
    expect(() => defineShader('k', kernel)).toThrow(/unsupported type 'Window'/);
  });
});
