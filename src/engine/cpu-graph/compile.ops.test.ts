// The compiled float32 chain against the float64 reference, op by op: for every op family, many random
// cases (shapes, groups, depthwise, strides, dilations, asymmetric pads, auto_pad, ceil_mode, broadcasting,
// ties) side by side in one graph, every rule, several heads and options. Both implementations read the
// same float32 forward values from onnxruntime, so they see the same signs and the same ties; every tensor
// must agree within 1e-4 x its max |reference| (E+ / E- within 1e-4 x max G).
import { describe, expect, it } from 'vitest';
import type { PaneOptions } from '../../core/pane/options';
import { mulberry32 } from '../../core/random';
import { ChainRunner } from './chain-runner';
import { forwardOnOrt, referenceOn, resultErrors } from '../../../tests/support/ort-chain';
import {
  addCase,
  averagePoolCase,
  batchNormCase,
  combine,
  convCase,
  gateCase,
  gemmCase,
  globalPoolCase,
  matmulCase,
  maxPoolCase,
  passCase,
  scaleCase,
  type OpCase,
} from '../../../tests/corpus/graph-cases';

const TOLERANCE = 1e-4;
const CASES_PER_OP = 20;

/** Every rule, with the heads, bias modes, eps and Clip options spread over them. */
const OPTION_SETS: Partial<PaneOptions>[] = [
  { rule: 'sf', head: 'contrast_mean' },
  { rule: 'sf', head: 'contrast_softmax', biasMode: 'ignore', eps: 0.01, clipSaturated: 'absorb' },
  { rule: 'alphabeta', head: 'contrast_mean', alpha: 2, beta: 1 },
  { rule: 'alphabeta', head: 'contrast_softmax', alpha: 1.5, beta: 0.5, eps: 0.01, clipSaturated: 'absorb' },
  { rule: 'ebp', head: 'contrast_mean' },
  { rule: 'sf', head: 'logit', startMass: 'logit' },
];

const GENERATORS: [string, (rng: () => number) => OpCase][] = [
  ['Conv (groups, depthwise, strides, dilations, pads, auto_pad, 1-D)', convCase],
  ['AveragePool (pads, ceil_mode, count_include_pad, 1-D)', averagePoolCase],
  ['MaxPool (pads, dilations, ceil_mode, ties)', maxPoolCase],
  ['GlobalAveragePool, GlobalMaxPool, ReduceMean', globalPoolCase],
  ['Gemm (trans flags, alpha, beta, bias shapes, data on either side)', gemmCase],
  ['MatMul (batched, 1-D operands, constant on the left)', matmulCase],
  ['BatchNormalization (unfolded)', batchNormCase],
  ['Add, Sub, Sum (broadcasting, constant bias)', addCase],
  ['Mul, Div by a constant (broadcasting)', scaleCase],
  ['pass-through ops (Relu ... Pad)', passCase],
  ['gates (HardSwish, gating Mul)', gateCase],
];

describe('compiled float32 chain == float64 reference, per op', () => {
  GENERATORS.forEach(([name, generate], index) => {
    it(name, async () => {
      const rng = mulberry32(1000 + index);
      const { spec, inputs } = combine(
        rng,
        Array.from({ length: CASES_PER_OP }, () => generate(rng)),
      );
      const { g, forward } = await forwardOnOrt(spec, inputs);
      for (const options of OPTION_SETS) {
        const target = Math.floor(rng() * forward.get('logits')!.data.length);
        const opts = { ...options, target };
        const chain = await ChainRunner.create(g, opts);
        try {
          const errors = resultErrors(await chain.explain(forward, opts), referenceOn(g, forward, opts));
          const worst = [...errors].filter(([, e]) => !(e <= TOLERANCE));
          expect(worst, `${JSON.stringify(opts)}`).toEqual([]);
        } finally {
          chain.dispose();
        }
      }
    });
  });
});
