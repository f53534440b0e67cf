/**
 * The planners without a GPU: every kernel record of whole models is complete (each shader binding has a
 * buffer, each uniform field a value that packs), constants take the blocked layouts the kernels read, and
 * matrix weights split into chunks that fit a binding.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadGraph } from '../../core/onnx';
import { layerList } from '../../core/pane/layers';
import { fluxOutputs } from '../../core/pane/ops';
import { mulberry32 } from '../../core/random';
import type { IrGraph } from '../../core/onnx/ir';
import type { Kernel } from '../kernel';
import { SHADERS } from '../shaders';
import { smallCnn } from '../../../tests/support/gpu-graphs';
import { packStruct } from '../wgsl-reflect';
import { chunkColumns, convWeightLayouts } from './affine';
import { align8, broadcastStrides8, type PlanContext } from './context';
import { planNode } from '.';
import { RULE_LAYOUT } from './rule';
import { hostPlanContext } from '../../../tests/support/plan-context';

function planAll(g: IrGraph, ctx: PlanContext): Kernel[] {
  const carrying = new Set(layerList(g).map((l) => l.tensor));
  const kernels: Kernel[] = [];
  for (const node of g.nodes) {
    if (!fluxOutputs(node).some((o) => carrying.has(o))) continue;
    const k = planNode(ctx, node, (n) => carrying.has(n));
    kernels.push(...k.excite, ...k.chain);
  }
  return kernels;
}

function expectComplete(k: Kernel): void {
  expect(k.threads, k.label).toBeGreaterThan(0);
  for (const b of k.shader.bindings) {
    if (k.uniforms?.[b.name]) {
      expect(
        () => packStruct(k.shader.uniformLayouts.get(b.name)!, k.uniforms![b.name]),
        k.label,
      ).not.toThrow();
    } else {
      expect(k.buffers[b.name], `${k.label}: ${b.name}`).toBeDefined();
      expect(k.buffers[b.name].size % 4, `${k.label}: ${b.name} size`).toBe(0);
    }
  }
}

describe('planning whole models', () => {
  test('SqueezeNet 1.1: every node planned, every kernel complete', () => {
    const g = loadGraph(new Uint8Array(readFileSync('public/models/squeezenet1_1.onnx')));
    const kernels = planAll(g, hostPlanContext(g));
    for (const k of kernels) expectComplete(k);
    const convs = g.nodes.filter((n) => n.opType === 'Conv').length;
    expect(kernels.filter((k) => k.shader === SHADERS.convExcite)).toHaveLength(convs);
    expect(kernels.filter((k) => k.shader === SHADERS.convAdjoint)).toHaveLength(convs);
  });

  test('a small CNN with every op family', () => {
    const { g } = smallCnn(mulberry32(1));
    for (const k of planAll(g, hostPlanContext(g))) expectComplete(k);
  });

  test('every shader that binds the rule declares the same Rule struct', () => {
    const users = Object.values(SHADERS).filter((s) => s.uniformLayouts.has('rule'));
    expect(users.length).toBeGreaterThanOrEqual(3);
    for (const s of users) expect(s.uniformLayouts.get('rule'), s.name).toEqual(RULE_LAYOUT);
  });
});

describe('constant layouts', () => {
  test('conv weights as vec4 blocks over output channels (excitation) and input channels (adjoint)', () => {
    // W[m, c, tap] = 100 m + 10 c + tap, 2 groups of 5 output and 3 input channels, 2 taps.
    const [M, cinG, taps, group] = [10, 3, 2, 2];
    const data = new Float64Array(M * cinG * taps).map((_, i) => {
      const tap = i % taps;
      const c = Math.floor(i / taps) % cinG;
      const m = Math.floor(i / (taps * cinG));
      return 100 * m + 10 * c + tap;
    });
    const layouts = convWeightLayouts({ dims: [M, cinG, 1, taps], data }, group);
    const excite = layouts.excite();
    // 2 blocks of 4 per group of 5 output channels: group 1, block 1 holds m = 9 and three zeros.
    expect(excite.length).toBe(group * 2 * cinG * taps * 4);
    const at = (g: number, bl: number, c: number, tap: number) => [
      ...excite.slice(
        (((g * 2 + bl) * cinG + c) * taps + tap) * 4,
        (((g * 2 + bl) * cinG + c) * taps + tap) * 4 + 4,
      ),
    ];
    expect(at(0, 0, 2, 1)).toEqual([21, 121, 221, 321]);
    expect(at(1, 1, 0, 1)).toEqual([901, 0, 0, 0]);
    const adjoint = layouts.adjoint();
    expect(adjoint.length).toBe(M * 1 * taps * 4);
    expect([...adjoint.slice((7 * taps + 1) * 4, (7 * taps + 2) * 4)]).toEqual([701, 711, 721, 0]);
  });

  test('matrix weights split into chunks that fit one binding', () => {
    expect(chunkColumns(1000, 25088, 128 << 20)).toBe(1000);
    // VGG16's first FC layer (4096 x 25088 floats, 411 MB) on a 128 MiB binding limit: 4 chunks.
    const chunk = chunkColumns(4096, 25088, 128 << 20);
    expect(chunk * 25088 * 4).toBeLessThanOrEqual(128 << 20);
    expect(Math.ceil(4096 / chunk)).toBe(4);
    expect(() => chunkColumns(10, 100, 100)).toThrow(/binding limit/);
  });

  test('broadcast strides right-aligned to 8 axes', () => {
    expect(align8([2, 3], 1)).toEqual([1, 1, 1, 1, 1, 1, 2, 3]);
    expect(broadcastStrides8([3, 1], [2, 3, 4])).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
    expect(broadcastStrides8([2, 3, 4], [2, 3, 4])).toEqual([0, 0, 0, 0, 0, 12, 4, 1]);
    expect(() => broadcastStrides8([5], [2, 3])).toThrow(/broadcast/);
  });
});
