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
import convParams from '../../../shaders/lib/conv_params.wgsl?raw';
import poolWindow from '../../../shaders/lib/pool_window.wgsl?raw';
import { globalWindow } from '../../core/onnx/geometry';
import type { Shader } from '../shader';
import { packStruct, structLayouts, type StructLayout } from '../wgsl-reflect';
import { chunkColumns, convWeightLayouts } from './affine';
import { align8, broadcastStrides8, type PlanContext } from './context';
import { planNode } from '.';
import { RULE_LAYOUT } from './rule';
import { poolUniforms, windowUniforms } from './window';
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
});

/**
 * Structs that several shaders declare and the planner fills from one value object: a field added to one
 * copy, or typed differently there, would shift the others' offsets without any error.
 */
describe('uniform structs shared by several shaders', () => {
  const params = (s: Shader) => s.uniformLayouts.get('params')!;

  test('every shader that binds the rule declares the same Rule struct', () => {
    const users = Object.values(SHADERS).filter((s) => s.uniformLayouts.has('rule'));
    expect(users.length).toBeGreaterThanOrEqual(3);
    for (const s of users) expect(s.uniformLayouts.get('rule'), s.name).toEqual(RULE_LAYOUT);
  });

  test('the pooling kernels read the one Params of lib/pool_window.wgsl, as poolUniforms fills it', () => {
    const layout = structLayouts(poolWindow).get('Params')!;
    for (const s of [
      SHADERS.avgpoolExcite,
      SHADERS.avgpoolAdjoint,
      SHADERS.maxpoolStats,
      SHADERS.maxpoolRoute,
    ])
      expect(params(s), s.name).toEqual(layout);
    const geo = { ...globalWindow([1, 2, 5, 7]), pads: [1, 2, 3, 4] as [number, number, number, number] };
    const values = poolUniforms(70, 5, 7, geo, true);
    expect(Object.keys(values).sort()).toEqual(layout.fields.map((f) => f.name).sort());
    const v = new DataView(packStruct(layout, values));
    const at = (name: string) => v.getUint32(layout.fields.find((f) => f.name === name)!.offset, true);
    expect([at('n'), at('h'), at('w'), at('kH'), at('kW'), at('padTop'), at('padRight')]).toEqual([
      70, 5, 7, 5, 7, 1, 4,
    ]);
    expect(at('countIncludePad')).toBe(1);
  });

  test('conv_excite and conv_adjoint read the one Params of lib/conv_params.wgsl', () => {
    const layout = structLayouts(convParams).get('Params')!;
    for (const s of [SHADERS.convExcite, SHADERS.convAdjoint]) expect(params(s), s.name).toEqual(layout);
  });

  test("gemm_adjoint's Params is gemm_excite's without the bias strides", () => {
    const excite = params(SHADERS.gemmExcite);
    const adjoint = params(SHADERS.gemmAdjoint);
    expect(excite.fields.slice(0, adjoint.fields.length)).toEqual(adjoint.fields);
    expect(excite.fields.slice(adjoint.fields.length).map((f) => f.name)).toEqual([
      'biasStrideRow',
      'biasStrideCol',
    ]);
  });

  test('every window kernel reads the window fields windowUniforms fills, as u32', () => {
    const window = Object.keys(windowUniforms(globalWindow([1, 1, 2, 2])));
    const users = Object.values(SHADERS).filter((s) =>
      s.uniformLayouts.get('params')?.fields.some((f) => f.name === 'kH'),
    );
    expect(users.map((s) => s.name).sort()).toEqual([
      'avgpool_adjoint',
      'avgpool_excite',
      'conv_adjoint',
      'conv_excite',
      'maxpool_route',
      'maxpool_stats',
    ]);
    for (const s of users) {
      const fields = new Map(params(s).fields.map((f) => [f.name, f]));
      for (const name of window)
        expect(fields.get(name), `${s.name}.${name}`).toMatchObject({ kind: 'u32', count: 1 });
    }
  });

  test('structs with the same field names have the same layout in every shader', () => {
    const byFields = new Map<string, { shader: string; layout: StructLayout }[]>();
    for (const s of Object.values(SHADERS)) {
      for (const layout of s.uniformLayouts.values()) {
        const key = layout.fields.map((f) => f.name).join(',');
        byFields.set(key, [...(byFields.get(key) ?? []), { shader: s.name, layout }]);
      }
    }
    const repeated = [...byFields.values()].filter((group) => group.length > 1);
    // The Rule, the pooling Params and the conv Params at least.
    expect(repeated.length).toBeGreaterThanOrEqual(3);
    for (const [first, ...rest] of repeated)
      for (const other of rest)
        expect(other.layout, `${other.shader} vs ${first.shader}`).toEqual(first.layout);
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
