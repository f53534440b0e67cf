/**
 * The float64 reference on the case corpus, node by node (node form): under every rule, what a node's
 * inputs receive plus its sink is what its outputs carried (times alpha + beta at an affine node under
 * alphabeta, spec 5.3), every input flux keeps T >= 0 and |R| <= T (5.4), and sinks are never negative.
 * The float32 chain graph and the WebGPU kernels are then held to this reference on the very same cases
 * (engine/cpu-graph/compile.ops.test.ts, gpu/kernels.browser.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { effectiveOptions, type PaneOptions } from '../../src/core/pane/options';
import { chainOpKind } from '../../src/core/pane/ops';
import { propagateNode } from '../../src/core/reference/chain';
import { sum } from '../support/testkit';
import { CORPUS_KEYS } from './cases';
import { concatenatedIncoming, nodeCasesOf } from './forms';

const CASES_PER_OP = 24;

const RULES: Partial<PaneOptions>[] = [
  { rule: 'sf' },
  { rule: 'sf', biasMode: 'ignore', eps: 0.05, clipSaturated: 'absorb' },
  { rule: 'alphabeta', alpha: 2, beta: 1 },
  { rule: 'alphabeta', alpha: 1.5, beta: 0.5, eps: 0.01 },
  { rule: 'ebp' },
];

describe.each(CORPUS_KEYS)('the float64 reference on the %s cases', (key) => {
  const cases = nodeCasesOf(key, CASES_PER_OP);

  it('balances every node and keeps every input flux in bounds, under every rule', () => {
    let reached = 0;
    for (const c of cases) {
      const out = concatenatedIncoming(c);
      const outT = sum(out.T);
      for (const rule of RULES) {
        const opts = effectiveOptions(rule);
        const label = `${c.label} ${JSON.stringify(rule)}`;
        const step = propagateNode(c.g, c.node, c.values, out, opts);
        const gain = chainOpKind(c.node) === 'affine' && opts.rule !== 'sf' ? opts.alpha + opts.beta : 1;
        const inT = step.inputs.reduce((s, f) => s + (f ? sum(f.T) : 0), 0);
        expect(Math.abs(inT + step.sinkT - gain * outT), label).toBeLessThanOrEqual(
          1e-12 * Math.max(1, gain * outT),
        );
        expect(step.sinkT, label).toBeGreaterThanOrEqual(-1e-12 * Math.max(1, outT));
        for (const f of step.inputs) {
          if (!f) continue;
          const scale = Math.max(1e-300, ...f.T);
          let worst = 0;
          for (let i = 0; i < f.T.length; i++) {
            if (!Number.isFinite(f.T[i]) || !Number.isFinite(f.R[i])) worst = Infinity;
            else worst = Math.max(worst, -f.T[i], Math.abs(f.R[i]) - f.T[i]);
          }
          expect(worst / scale, `${label}: T >= 0 and |R| <= T`).toBeLessThanOrEqual(1e-12);
          if (sum(f.T) > 0) reached++;
        }
      }
    }
    // Mass reaches a data input on most cases (a gate closed everywhere or a crop may leave none).
    expect(reached).toBeGreaterThan((cases.length * RULES.length) / 2);
  });
});
