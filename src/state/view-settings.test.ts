import { FINAL_MAP_NAMES } from '../core/pane/final-maps';
import { describe, expect, it } from 'vitest';
import { decodeShareState, encodeShareState } from './share-codec';
import { createAppStore } from './store';
import type { ShareState } from './types';
import {
  decodeSetting,
  defaultViewSettings,
  encodeSetting,
  normalizeSetting,
  settingsFeeding,
  settingSpec,
  VIEW_SETTING_NAMES,
  VIEW_SETTINGS,
  type ViewSettings,
} from './view-settings';

const base: ShareState = {
  ...defaultViewSettings(),
  model: { kind: 'builtin', id: 'squeezenet1.1' },
  image: { kind: 'demo', id: 'coffee' },
  target: null,
  layer: null,
  crop: null,
  preprocess: null,
  compare: null,
};

describe('the view settings table', () => {
  it('gives every setting its own link key', () => {
    const keys = VIEW_SETTING_NAMES.map((n) => VIEW_SETTINGS[n].key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) {
      // Each key is known to the parser (no "unknown parameter"), and none shadows a structured key.
      expect(decodeShareState(`${key}=%00`).problems[0]).toMatch(new RegExp(`^Link: ${key} `));
    }
  });

  it('round-trips every value of every setting through its link text', () => {
    for (const name of VIEW_SETTING_NAMES) {
      const spec = settingSpec(name);
      const samples: unknown[] =
        spec.type === 'enum'
          ? [...spec.values]
          : [spec.min, spec.max, (spec.min + spec.max) / 2, ...(spec.noneText ? [null] : [])];
      for (const value of samples) {
        const decoded = decodeSetting(name, encodeSetting(name, value), 'x');
        expect(decoded, `${name} ${String(value)}`).toEqual({ value });
      }
    }
  });

  it('refuses values off the list or out of range, naming what is allowed', () => {
    expect(decodeSetting('gamma', '0.50', '0.50')).toEqual({ problem: '"0.50" is not one of 1, 0.5, 0.25' });
    expect(decodeSetting('opacity', '1.5', '1.5')).toEqual({ problem: '"1.5" is not a number from 0 to 1' });
    expect(decodeSetting('clipPercentile', '10', '10')).toEqual({
      problem: '"10" is not a number from 50 to 100 or none',
    });
    expect(decodeSetting('finalMap', 'constructor', 'constructor')).toEqual({
      problem: `"constructor" is not one of ${FINAL_MAP_NAMES.join(', ')}`,
    });
  });

  it('puts every setting in a link and reads it back, including the final map', () => {
    const state: ShareState = { ...base, finalMap: 'pixel', gamma: 0.25, opacity: 0.4 };
    const text = encodeShareState(state);
    expect(text).toContain('fm=pixel');
    // alpha and beta do not travel with the sf rule; everything else does, defaults included.
    const {
      alpha: _a,
      beta: _b,
      target: _t,
      layer: _l,
      crop: _c,
      preprocess: _p,
      compare: _k,
      ...sent
    } = state;
    expect(decodeShareState(text)).toEqual({ values: sent, problems: [] });
  });

  it('reads a link without a final map as the pixel-level map it showed when it was made', () => {
    expect(decodeShareState('view=net').values.finalMap).toBe('pixel');
  });

  it('splits the settings by the engine request they feed', () => {
    const s: ViewSettings = { ...defaultViewSettings(), rule: 'sf', alpha: 3, beta: 2 };
    expect(settingsFeeding('explain', s)).toEqual({ rule: 'sf', head: 'logit' });
    expect(settingsFeeding('explain', { ...s, rule: 'alphabeta' })).toEqual({
      rule: 'alphabeta',
      alpha: 3,
      beta: 2,
      head: 'logit',
    });
    expect(Object.keys(settingsFeeding('view', s)).sort()).toEqual(
      ['clipPercentile', 'colormap', 'finalMap', 'gamma', 'kind', 'normalization'].sort(),
    );
    expect(settingsFeeding('display', s)).toEqual({ method: 'pane', opacity: 0.7 });
  });

  it('has no conditional rows among those the renderer takes (its spec needs every one)', () => {
    for (const name of VIEW_SETTING_NAMES) {
      if (VIEW_SETTINGS[name].feeds === 'view') expect(settingSpec(name).appliesWhen, name).toBeUndefined();
    }
  });

  it('keeps the store inside the table: ranges clamped, off-list values and unknown names ignored', () => {
    expect(normalizeSetting('opacity', 7, 0.5)).toBe(1);
    expect(normalizeSetting('opacity', Number.NaN, 0.5)).toBe(0.5);
    expect(normalizeSetting('clipPercentile', null, 99.5)).toBeNull();
    expect(normalizeSetting('opacity', null, 0.5)).toBe(0.5);
    expect(normalizeSetting('kind', 'toString', 'net')).toBe('net');
    const store = createAppStore();
    store.getState().setView({ gamma: 0.25, opacity: -3, kind: 'bogus' as never });
    expect(store.getState().gamma).toBe(0.25);
    expect(store.getState().opacity).toBe(0);
    expect(store.getState().kind).toBe('net');
    store.getState().setView(JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 1}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(store.getState().constructor).toBe(Object);
  });
});
