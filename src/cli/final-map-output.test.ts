import { describe, expect, test } from 'vitest';
import { FINAL_MAP_NAMES, finalMapOf } from '../core/pane/final-maps';
import { mulberry32 } from '../core/random';
import { explain } from '../core/reference/chain';
import { runForward } from '../core/reference/forward';
import { smallCnn } from '../../tests/support/gpu-graphs';
import { explainFinalMap } from './final-map-output';

describe('explain --map', () => {
  test('the CLI builds every construction from the per-tensor chains as the engines do', async () => {
    const { g, x } = smallCnn(mulberry32(13), { size: 17 });
    const result = explain(g, runForward(g, { x }), { rule: 'alphabeta', alpha: 2, beta: 1 });
    for (const name of FINAL_MAP_NAMES) {
      const got = await explainFinalMap(g, async (t) => result.flux.get(t), name, 17, 17);
      expect(Array.from(got), name).toEqual(Array.from(finalMapOf(g, result, name).map));
    }
  });
});
