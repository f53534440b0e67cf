/**
 * Every chain kernel against the float64 reference (core/reference/chain: excitationOf, propagateNode) on
 * random single-node graphs: at least 20 shapes per op, each under several rules, in one submission per op.
 */
import { describe, expect, test } from 'vitest';
import { mulberry32 } from '../core/random';
import type { PaneOptions } from '../core/pane/options';
import { SHADERS } from './shaders';
import {
  AFFINE_CASES,
  GATE_CASES,
  ROUTING_CASES,
  type NodeCase,
  type Rng,
} from '../../tests/corpus/node-cases';
import { testGpu, withErrorScopes } from '../../tests/support/gpu-harness';
import { runNodeCases, TOLERANCE } from '../../tests/support/gpu-node-runner';

const CASES_PER_OP = 24;

const RULES: Partial<PaneOptions>[] = [
  { rule: 'sf' },
  { rule: 'alphabeta', alpha: 2, beta: 1 },
  { rule: 'ebp' },
  { rule: 'sf', biasMode: 'ignore', eps: 0.05 },
  { rule: 'alphabeta', alpha: 1.5, beta: 0.5, eps: 0.01 },
];

function cases(make: (rng: Rng, i: number) => NodeCase, seed: number): NodeCase[] {
  const rng = mulberry32(seed);
  return Array.from({ length: CASES_PER_OP }, (_, i) => make(rng, i));
}

async function expectMatches(
  name: string,
  all: NodeCase[],
  variants: Partial<PaneOptions>[],
  maxBindingBytes?: number,
) {
  const gpu = await testGpu();
  const report = await withErrorScopes(gpu.device, () => runNodeCases(gpu, all, variants, maxBindingBytes));
  console.log(
    `[gpu] ${name}: ${all.length} shapes x ${variants.length} rules, ${report.compared} tensors, ` +
      `max err / max|ref| = ${report.worst.toExponential(2)}`,
  );
  expect(report.failures.slice(0, 5)).toEqual([]);
  expect(report.worst).toBeLessThanOrEqual(TOLERANCE);
  // Hundreds of kernels, one pipeline per shader: the manager caches them.
  expect(gpu.pipelines.compiled).toBeLessThanOrEqual(Object.keys(SHADERS).length);
}

describe('affine kernels: excitation split and double chain', () => {
  let seed = 100;
  for (const [name, make] of Object.entries(AFFINE_CASES)) {
    const s = seed++;
    test(name, () => expectMatches(name, cases(make, s), RULES));
  }
  test('Gemm and MatMul with weights split over several bindings', () => {
    const rng = mulberry32(7);
    const all = [
      ...Array.from({ length: 12 }, (_, i) => AFFINE_CASES.Gemm(rng, i)),
      ...Array.from({ length: 12 }, (_, i) => AFFINE_CASES.MatMul(rng, i)),
    ];
    // A 128-byte binding holds 32 weights (K <= 24 here): most products need several chunks.
    return expectMatches('Gemm/MatMul chunked', all, RULES.slice(0, 2), 128);
  });
});

describe('routing and pass-through kernels (ties, -inf padding, ceil_mode, slices, crops)', () => {
  let seed = 200;
  for (const [name, make] of Object.entries(ROUTING_CASES)) {
    const s = seed++;
    test(name, () =>
      expectMatches(name, cases(make, s), [{ clipSaturated: 'pass' }, { clipSaturated: 'absorb' }]),
    );
  }
});

describe('gate kernels (y = g * x with the gate a coefficient; mass sinks where y = 0)', () => {
  let seed = 300;
  for (const [name, make] of Object.entries(GATE_CASES)) {
    const s = seed++;
    test(name, () => expectMatches(name, cases(make, s), RULES));
  }
});
