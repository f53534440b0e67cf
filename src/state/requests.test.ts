import { DEFAULT_FINAL_MAP } from '../core/pane/final-maps';
import { describe, expect, it } from 'vitest';
import { compareRequest, explainRequest, inputRequest, mainRequest, stripKey } from './requests';
import type { PredictionResult } from './slices/result-slice';
import type { AppState } from './store';
import { VIEW_SETTING_NAMES, VIEW_SETTINGS, type ViewSettings } from './view-settings';
import { modelInfo, storeWithModel } from '../../tests/support/app-fixtures';

const model = modelInfo(['x', 'conv', 'logits'], { inputDims: [1, 3, 8, 8], numClasses: 4 }, [1, 2, 4, 4]);
const prediction: PredictionResult = { inputKey: 'i', top: [{ index: 2, logit: 1, prob: 0.5 }], probs: [] };

function store() {
  const st = storeWithModel(model);
  st.getState().addImages([{ id: 'a', name: 'a', width: 16, height: 12, source: { kind: 'user' } }]);
  return st;
}

/** The keys of every request for the state: which engine steps a change reruns. */
function keys(s: AppState) {
  const input = inputRequest(s, s.images[0], model, 1);
  const explain = explainRequest(s, model, input.key, prediction, s.rule);
  return {
    input: input.key,
    explain: explain.key,
    main: mainRequest(s, model, explain, 1).key,
    compare: compareRequest(s, model, input.key, prediction, 2)?.key ?? null,
    strip: stripKey(s, explain.key),
  };
}

/** Another value of a setting than the current one (undefined for a list of one value). */
function otherValue(name: keyof ViewSettings, current: unknown): unknown {
  const spec = VIEW_SETTINGS[name];
  if (spec.type === 'enum') return (spec.values as readonly unknown[]).find((v) => v !== current);
  return current === spec.max ? spec.min : spec.max;
}

describe('engine requests derived from the store', () => {
  it('are pure: the same state gives the same keys', () => {
    const st = store();
    expect(keys(st.getState())).toEqual(keys(st.getState()));
  });

  it('rerun exactly the step a setting feeds, as the settings table says', () => {
    const st = store();
    st.getState().setView({ rule: 'alphabeta' }); // so that alpha and beta apply
    const before = keys(st.getState());
    for (const name of VIEW_SETTING_NAMES) {
      const saved = st.getState()[name];
      const value = otherValue(name, saved);
      if (value === undefined) continue; // a list of one value (the final map, for now)
      st.getState().setView({ [name]: value });
      const after = keys(st.getState());
      const changed = (Object.keys(before) as (keyof typeof before)[]).filter((k) => after[k] !== before[k]);
      const feeds = VIEW_SETTINGS[name].feeds;
      const expected =
        feeds === 'explain'
          ? ['explain', 'main', 'strip']
          : feeds === 'view'
            ? name === 'kind'
              ? ['main', 'strip']
              : ['main']
            : [];
      expect(changed, name).toEqual(expected);
      st.getState().setView({ [name]: saved });
    }
  });

  it('leave alpha and beta out of the chain under the sf rule', () => {
    const st = store();
    const s = st.getState();
    const explain = explainRequest(s, model, 'i', prediction, 'sf');
    expect(explain.options).toEqual({ rule: 'sf', head: 'logit', target: 2 });
    st.getState().setAlphaBeta(5, 4);
    expect(explainRequest(st.getState(), model, 'i', prediction, 'sf').key).toBe(explain.key);
  });

  it('give the engine every view setting, the final map included', () => {
    const st = store();
    const s = st.getState();
    const explain = explainRequest(s, model, 'i', prediction, 'sf');
    expect(mainRequest(s, model, explain, 1).view).toEqual({
      layer: 'x',
      kind: 'net',
      colormap: 'auto',
      normalization: 'layer',
      clipPercentile: 99.5,
      gamma: 0.5,
      finalMap: DEFAULT_FINAL_MAP,
    });
  });

  it('draw the comparison with its own rule and kind on the main layer', () => {
    const st = store();
    st.getState().setLayer('conv');
    st.getState().setCompare({ method: 'pane', kind: 'negative', rule: 'ebp', layer: null });
    const request = compareRequest(st.getState(), model, 'i', prediction, 2)!;
    expect(request.explain.options.rule).toBe('ebp');
    expect([request.view.layer, request.view.kind]).toEqual(['conv', 'negative']);
  });
});
