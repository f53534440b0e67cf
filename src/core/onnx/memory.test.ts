/**
 * Memory sized from the inferred shapes before anything is allocated (issue 12, item 3): the crafted models
 * that crashed or were killed for memory (a 1x1 conv with 2e8 output elements, a 1e9-element input, a
 * ConstantOfShape of 9e8) are refused in milliseconds with the node and the size named.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import { buildModel, type ModelSpec } from './build';
import { loadGraph } from './index';
import { checkDeviceLimits, checkMemoryBudget, estimateMemory, MAX_FOLDED_ELEMENTS } from './memory';
import { CHELSEA, SQUEEZENET_ONNX } from '../../../tests/paths';

const GiB = 1024 ** 3;

/** x [1, 1, H, W] -> 1x1 Conv 'widen' to 4 channels -> GAP -> Flatten. */
function wide(h: number, w: number): ModelSpec {
  return {
    inputs: [{ name: 'x', shape: [1, 1, h, w] }],
    outputs: [{ name: 'y' }],
    initializers: { k: { dims: [4, 1, 1, 1], data: [1, -1, 0.5, 2] } },
    nodes: [
      { op: 'Conv', name: 'widen', inputs: ['x', 'k'], outputs: ['c'] },
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['c'], outputs: ['p'] },
      { op: 'Flatten', name: 'flat', inputs: ['p'], outputs: ['y'] },
    ],
  };
}

describe('memory estimates', () => {
  it('counts computed values at 48 bytes per element for the reference and 16 for the float32 graph, weights at 8 and 16', () => {
    const g = loadGraph(buildModel(wide(8, 8)));
    // x 64, c 256, p 4, y 4 elements computed; the weight k has 4.
    expect(estimateMemory(g, 'reference')).toMatchObject({ bytes: 328 * 48 + 4 * 8, largest: { name: 'c' } });
    expect(estimateMemory(g, 'cpu-graph').bytes).toBe(328 * 16 + 4 * 16);
  });

  it('refuses a 1x1 conv with 2e8 output elements, naming the node, the shape and the sizes', () => {
    const t0 = performance.now();
    const g = loadGraph(buildModel(wide(7072, 7072)));
    expect(() => checkMemoryBudget(g, 'reference', 8 * GiB, '--memory-budget GIB raises it')).toThrow(
      'explaining this model needs about 11.2 GiB in the float64 reference, over the budget of 8.0 GiB',
    );
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('states the budget and the largest tensor in one line', () => {
    const g = loadGraph(buildModel(wide(7072, 7072)));
    let message = '';
    try {
      checkMemoryBudget(g, 'reference', 4 * GiB, '--memory-budget GIB raises it');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      'explaining this model needs about 11.2 GiB in the float64 reference, over the budget of 4.0 GiB ' +
        "(--memory-budget GIB raises it); the largest tensor is Conv 'widen' output 'c' [1,4,7072,7072], 1.5 GiB",
    );
    expect(message).not.toContain('\n');
  });

  it('refuses a tensor of more than 2^31 - 1 elements whatever the budget', () => {
    const g = loadGraph(buildModel(wide(30000, 30000)));
    expect(() => checkMemoryBudget(g, 'reference', 1e6 * GiB)).toThrow(
      "Conv 'widen' output 'c' [1,4,30000,30000], 26.8 GiB has more than 2^31 - 1 elements; no engine can hold it",
    );
  });

  it("checks each activation against the GPU's largest storage buffer", () => {
    const g = loadGraph(buildModel(wide(4096, 4096)));
    const limits = { maxStorageBufferBindingSize: 128 * 1024 ** 2, maxBufferSize: 256 * 1024 ** 2 };
    expect(() => checkDeviceLimits(g, limits)).toThrow(
      "Conv 'widen' output 'c' [1,4,4096,4096], 256.0 MiB does not fit this GPU's largest storage buffer of 128.0 MiB",
    );
    expect(() => checkDeviceLimits(loadGraph(buildModel(wide(64, 64))), limits)).not.toThrow();
  });
});

describe('folding never allocates a huge constant', () => {
  it('refuses a ConstantOfShape of 9e8 elements before evaluating it', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: [{ name: 'y' }],
      initializers: { s: { dims: [2], data: [30000, 30000], elemType: 'int64' } },
      nodes: [
        { op: 'ConstantOfShape', name: 'fill', inputs: ['s'], outputs: ['big'] },
        { op: 'Add', name: 'add', inputs: ['x', 'big'], outputs: ['y'] },
      ],
    });
    expect(() => loadGraph(bytes)).toThrow(
      `ConstantOfShape 'fill' would fold a constant of 900000000 elements ([30000,30000]); panescope folds constants of up to ${MAX_FOLDED_ELEMENTS} elements`,
    );
  });

  it('refuses a ConstantOfShape with a negative dimension', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: [{ name: 'y' }],
      initializers: { s: { dims: [2], data: [-8192, 4], elemType: 'int64' } },
      nodes: [
        { op: 'ConstantOfShape', name: 'fill', inputs: ['s'], outputs: ['big'] },
        { op: 'Add', name: 'add', inputs: ['x', 'big'], outputs: ['y'] },
      ],
    });
    expect(() => loadGraph(bytes)).toThrow("ConstantOfShape 'fill' would fold a constant of shape [-8192,4]");
  });
});

describe('panescope explain --memory-budget', () => {
  let stderr: string[] = [];
  beforeAll(() => {
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    stderr = [];
  });

  it('refuses SqueezeNet under a 10 MiB budget (default ort backend: the float32 CPU graph) in one line, and rejects a budget of 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'panescope-memory-'));
    const args = ['explain', '--model', SQUEEZENET_ONNX, '--image', CHELSEA, '--out', join(dir, 'out')];
    expect(await main([...args, '--memory-budget', String(10 / 1024)])).toBe(1);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(
      /^panescope: '.*squeezenet1_1\.onnx': explaining this model needs about \d+\.\d MiB in the float32 CPU graph, over the budget of 10\.0 MiB \(--memory-budget GIB raises it\); the largest tensor is Conv '.*' output '.*' \[1,64,\d+,\d+\], \d+\.\d MiB$/,
    );
    stderr = [];
    expect(await main([...args, '--memory-budget', '0'])).toBe(2);
    expect(stderr[0]).toContain("--memory-budget must be a size in GiB > 0 (got '0')");
    writeFileSync(join(dir, 'unused'), '');
  });
});
