/**
 * Every chain kernel against the float64 reference (core/reference/chain: excitationOf, propagateNode) on the
 * case corpus (tests/corpus) in node form: 24 cases per op, each under several rules, in one submission per
 * op, held to the op's corpus tolerance.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { PaneOptions } from '../core/pane/options';
import { CHAIN_OP_KINDS, type ChainOpKind } from '../core/pane/ops';
import { SHADERS } from './shaders';
import { CORPUS, CORPUS_KEYS, type CorpusKey } from '../../tests/corpus/cases';
import { nodeCasesOf, type NodeCase } from '../../tests/corpus/forms';
import { testGpu, withErrorScopes } from '../../tests/support/gpu-harness';
import { runNodeCases } from '../../tests/support/gpu-node-runner';

const CASES_PER_OP = 24;

/** Compute pipelines created on this file's device so far (every one the pipeline manager compiles). */
let pipelinesCreated = 0;
beforeAll(async () => {
  const { device } = await testGpu();
  const create = device.createComputePipeline.bind(device);
  device.createComputePipeline = (descriptor) => {
    pipelinesCreated++;
    return create(descriptor);
  };
});

const RULES: Partial<PaneOptions>[] = [
  { rule: 'sf' },
  { rule: 'alphabeta', alpha: 2, beta: 1 },
  { rule: 'ebp' },
  { rule: 'sf', biasMode: 'ignore', eps: 0.05 },
  { rule: 'alphabeta', alpha: 1.5, beta: 0.5, eps: 0.01 },
];

async function expectMatches(
  name: string,
  all: NodeCase[],
  variants: Partial<PaneOptions>[],
  tolerance: number,
  maxBindingBytes?: number,
) {
  const gpu = await testGpu();
  const report = await withErrorScopes(gpu.device, () =>
    runNodeCases(gpu, all, variants, tolerance, maxBindingBytes),
  );
  console.log(
    `[gpu] ${name}: ${all.length} shapes x ${variants.length} rules, ${report.compared} tensors, ` +
      `max err / max|ref| = ${report.worst.toExponential(2)}`,
  );
  expect(report.failures.slice(0, 5)).toEqual([]);
  expect(report.worst).toBeLessThanOrEqual(tolerance);
  // Hundreds of kernels, one pipeline per shader: the manager compiles each shader once and caches it.
  expect(pipelinesCreated).toBeGreaterThan(0);
  expect(pipelinesCreated).toBeLessThanOrEqual(Object.keys(SHADERS).length);
}

const kindOf = (key: CorpusKey): ChainOpKind => (key === 'gating Mul' ? 'gate' : CHAIN_OP_KINDS[key]);
const keysOf = (...kinds: ChainOpKind[]) => CORPUS_KEYS.filter((k) => kinds.includes(kindOf(k)));

function opTest(key: CorpusKey, variants: Partial<PaneOptions>[]) {
  test(key, () => expectMatches(key, nodeCasesOf(key, CASES_PER_OP), variants, CORPUS[key].tolerance));
}

describe('affine kernels: excitation split and double chain', () => {
  for (const key of keysOf('affine')) opTest(key, RULES);
  test('Gemm and MatMul with weights split over several bindings', () => {
    const all = [...nodeCasesOf('Gemm', 12, 1), ...nodeCasesOf('MatMul', 12, 1)];
    // A 128-byte binding holds 32 weights (K <= 24 here): most products need several chunks.
    const tolerance = Math.max(CORPUS.Gemm.tolerance, CORPUS.MatMul.tolerance);
    return expectMatches('Gemm/MatMul chunked', all, RULES.slice(0, 2), tolerance, 128);
  });
});

describe('routing and pass-through kernels (ties, -inf padding, ceil_mode, slices, crops)', () => {
  for (const key of keysOf('pass', 'route'))
    opTest(key, [{ clipSaturated: 'pass' }, { clipSaturated: 'absorb' }]);
});

describe('gate kernels (y = g * x with the gate a coefficient; mass sinks where y = 0)', () => {
  for (const key of keysOf('gate')) opTest(key, RULES);
});
