import { describe, expect, test } from 'vitest';
import { wantsOrtBackend } from './app';

describe('the ?backend= page parameter', () => {
  test("'ort' turns WebGPU off, and so does 'cpu', its old name in links made before the rename", () => {
    expect(wantsOrtBackend('?backend=ort')).toBe(true);
    expect(wantsOrtBackend('?backend=cpu')).toBe(true);
    expect(wantsOrtBackend('?x=1&backend=ort')).toBe(true);
  });

  test('anything else keeps WebGPU', () => {
    expect(wantsOrtBackend('')).toBe(false);
    expect(wantsOrtBackend('?backend=webgpu')).toBe(false);
    expect(wantsOrtBackend('?backend=reference')).toBe(false);
  });
});
