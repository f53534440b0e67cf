import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from './npy';
import { tensor } from './tensor';

describe('npy', () => {
  it('round-trips float32 and float64 with a 64-byte aligned header', () => {
    const t = tensor([2, 3], [0.1, -2, 3.5, 1e-30, 7, -0]);
    const f64 = encodeNpy(t, 'float64');
    const h = new TextDecoder().decode(f64.subarray(0, 128));
    expect(Array.from(f64.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLen = f64[8] | (f64[9] << 8);
    expect((10 + headerLen) % 64).toBe(0);
    expect(h).toContain("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
    const back = parseNpy(f64);
    expect(back.dims).toEqual([2, 3]);
    expect(back.data).toBeInstanceOf(Float64Array);
    expect(Array.from(back.data)).toEqual(Array.from(t.data));
    const f32 = parseNpy(encodeNpy(t, 'float32'));
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f32.data)).toEqual(Array.from(t.data, Math.fround));
    expect(parseNpy(encodeNpy(tensor([3], [1, 2, 3]), 'float32')).dims).toEqual([3]);
    expect(parseNpy(encodeNpy(tensor([], [5]), 'float64'))).toEqual({ dims: [], data: Float64Array.of(5) });
  });

  it('reads version 2 headers and data at an unaligned offset', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    const bytes = new Uint8Array(12 + header.length + 8);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, header.length, true);
    for (let i = 0; i < header.length; i++) bytes[12 + i] = header.charCodeAt(i);
    const view = new DataView(bytes.buffer, 12 + header.length);
    view.setFloat32(0, 1.5, true);
    view.setFloat32(4, -3, true);
    // A view starting at an odd byte offset, as a file buffer slice can be.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(parseNpy(shifted.subarray(1))).toEqual({
      dims: [2],
      data: Float32Array.of(1.5, -3),
    });
  });

  it('rejects what it cannot read', () => {
    expect(() => parseNpy(new Uint8Array(20))).toThrow('not a .npy file');
    const big = encodeNpy(tensor([1], [1]), 'float32');
    const text = new TextDecoder('latin1').decode(big).replace('<f4', '>f4');
    expect(() => parseNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)))).toThrow(
      /dtype '>f4' is not supported/,
    );
    const fortran = new TextDecoder('latin1').decode(big).replace('False', 'True ');
    expect(() => parseNpy(Uint8Array.from(fortran, (c) => c.charCodeAt(0)))).toThrow(/Fortran-order/);
  });
});
