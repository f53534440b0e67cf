import { describe, expect, test } from 'vitest';
import { bindingDecls, packStruct, structLayouts } from './wgsl-reflect';

const SOURCE = `
// A comment with struct Fake { x: f32 } inside.
struct Params {
  n: u32,
  scale: f32,
  shift: vec2<f32>,
  dims: array<vec4<u32>, 2>,
  /* block comment, with a comma */ offset: i32,
  tail: vec3f,
}
struct Counter { value: atomic<u32> }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<vec2<f32>>;
`;

describe('WGSL reflection', () => {
  test('struct layouts follow the WGSL alignment rules', () => {
    const p = structLayouts(SOURCE).get('Params')!;
    const at = Object.fromEntries(p.fields.map((f) => [f.name, f.offset]));
    // n 0, scale 4, shift (align 8) 8, dims (align 16) 16..48, offset 48, tail (align 16) 64..76, size 80.
    expect(at).toEqual({ n: 0, scale: 4, shift: 8, dims: 16, offset: 48, tail: 64 });
    expect(p.size).toBe(80);
    expect(p.fields.find((f) => f.name === 'dims')).toMatchObject({ count: 8, stride: 16, width: 4 });
    expect(structLayouts(SOURCE).has('Fake')).toBe(false);
    expect(structLayouts(SOURCE).has('Counter')).toBe(false);
  });

  test('bindings are read with their access mode', () => {
    expect(bindingDecls(SOURCE).map((b) => [b.binding, b.name, b.kind])).toEqual([
      [0, 'params', 'uniform'],
      [1, 'x', 'read-only-storage'],
      [2, 'y', 'storage'],
    ]);
  });

  test('packing writes every field at its offset and rejects missing or unknown ones', () => {
    const p = structLayouts(SOURCE).get('Params')!;
    const bytes = packStruct(p, {
      n: 7,
      scale: 0.5,
      shift: [1, 2],
      dims: [1, 2, 3, 4, 5],
      offset: -3,
      tail: [9, 8, 7],
    });
    const v = new DataView(bytes);
    expect(v.getUint32(0, true)).toBe(7);
    expect(v.getFloat32(4, true)).toBe(0.5);
    expect(v.getFloat32(12, true)).toBe(2);
    expect(v.getUint32(16 + 4 * 4, true)).toBe(5);
    expect(v.getInt32(48, true)).toBe(-3);
    expect(v.getFloat32(72, true)).toBe(7);
    expect(() => packStruct(p, { n: 1 })).toThrow(/scale has no value/);
    expect(() =>
      packStruct(p, { n: 1, scale: 0, shift: [0, 0], dims: [], offset: 0, tail: [0, 0, 0], extra: 1 }),
    ).toThrow(/no field 'extra'/);
    expect(() =>
      packStruct(p, { n: -1, scale: 0, shift: [0, 0], dims: [], offset: 0, tail: [0, 0, 0] }),
    ).toThrow(/not a u32/);
  });
});
