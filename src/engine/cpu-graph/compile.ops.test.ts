// The compiled float32 chain against the float64 reference on the case corpus (tests/corpus), op by op:
// the op's cases side by side in one graph (graph form), every rule, several heads and options. Both implementations read the same float32 forward values from onnxruntime, so they see the same
// signs and the same ties; every tensor of a case must agree within its op's corpus tolerance x its max
// |reference| (E+ / E- x max G).
import { describe, expect, it } from 'vitest';
import type { PaneOptions } from '../../core/pane/options';
import { mulberry32 } from '../../core/random';
import { ChainRunner } from './chain-runner';
import { forwardOnOrt, referenceOn, resultErrors } from '../../../tests/support/ort-chain';
import { CORPUS, CORPUS_KEYS } from '../../../tests/corpus/cases';
import { casesOf, graphForm } from '../../../tests/corpus/forms';

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

describe('compiled float32 chain == float64 reference, per op (the case corpus)', () => {
  CORPUS_KEYS.forEach((key, index) => {
    it(key, async () => {
      const cases = casesOf(key, CASES_PER_OP).filter((c) => !c.ortRefuses);
      const { spec, inputs } = graphForm(cases);
      const { g, forward } = await forwardOnOrt(spec, inputs);
      // Tensors of branch i are named b<i>/...: a failure names its case.
      const caseOf = (tensor: string) => cases[Number(/ b(\d+)\//.exec(tensor)?.[1] ?? NaN)]?.label;
      const rng = mulberry32(1000 + index);
      for (const options of OPTION_SETS) {
        const target = Math.floor(rng() * forward.get('logits')!.data.length);
        const opts = { ...options, target };
        const chain = await ChainRunner.create(g, opts);
        try {
          const errors = resultErrors(await chain.explain(forward, opts), referenceOn(g, forward, opts));
          const failing = [...errors]
            .filter(([, e]) => !(e <= CORPUS[key].tolerance))
            .map(([tensor, e]) => [tensor, e, caseOf(tensor)]);
          expect(failing, JSON.stringify(opts)).toEqual([]);
        } finally {
          chain.dispose();
        }
      }
    });
  });
});
