import { describe, expect, it } from 'vitest';
import {
  decodeShareState,
  encodeShareState,
  MAX_EMBEDDED_CHARS,
  MAX_FRAGMENT_CHARS,
  quote,
} from './share-codec';
import type { ShareState } from './types';

const full: ShareState = {
  model: { kind: 'builtin', id: 'squeezenet1.1' },
  image: { kind: 'demo', id: 'coffee' },
  target: 967,
  layer: 'fire7',
  kind: 'negative',
  rule: 'alphabeta',
  alpha: 3,
  beta: 2,
  head: 'contrast_mean',
  opacity: 0.35,
  colormap: 'sequential',
  normalization: 'shared',
  clipPercentile: 99.5,
  gamma: 0.25,
  finalMap: 'pixel',
  crop: { x: 12.25, y: 0, width: 300.5, height: 300.5 },
  preprocess: {
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    channelOrder: 'bgr',
    scale: 1 / 255,
    resize: 300,
  },
  compare: { kind: 'positive', rule: 'ebp', layer: 'conv10_relu' },
};

describe('share link codec', () => {
  it('round-trips every field exactly', () => {
    const { values, problems } = decodeShareState(`#${encodeShareState(full)}`);
    expect(problems).toEqual([]);
    expect(values).toEqual(full);
  });

  it('round-trips URLs, embedded images and the defaults (no crop, no preprocessing, no compare)', () => {
    const state: ShareState = {
      ...full,
      model: { kind: 'url', url: 'https://example.org/models/m.onnx?x=1&y=2' },
      image: { kind: 'embedded', mime: 'image/webp', data: 'UklGRh4A_-' },
      target: null,
      layer: null,
      rule: 'sf',
      clipPercentile: null,
      gamma: 1,
      crop: null,
      preprocess: null,
      compare: null,
    };
    const text = encodeShareState(state);
    expect(text).toContain('clip=none');
    expect(text).toContain('gamma=1');
    expect(text).not.toContain('crop=');
    expect(text).not.toContain('alpha=');
    const { values, problems } = decodeShareState(text);
    expect(problems).toEqual([]);
    // Absent defaults (no crop, preprocessing or comparison) stay absent; alpha/beta only travel with the
    // alphabeta rule; the display's clip and contrast always travel.
    const {
      target: _t,
      layer: _l,
      alpha: _a,
      beta: _b,
      crop: _c,
      preprocess: _p,
      compare: _k,
      ...sent
    } = state;
    expect(values).toEqual(sent);
  });

  it('reads an empty fragment as no values and no problems', () => {
    expect(decodeShareState('')).toEqual({ values: {}, problems: [] });
    expect(decodeShareState('#')).toEqual({ values: {}, problems: [] });
  });

  it('rejects hostile and malformed values one by one, keeping the good ones', () => {
    const hostile = new URLSearchParams({
      model: 'javascript:alert(1)',
      img: 'data:image/png;base64,AAAA',
      class: '-1',
      view: '<img src=x onerror=alert(1)>',
      rule: 'sf',
      opacity: '1e400',
      alpha: 'NaN',
      cmap: 'constructor',
      norm: '__proto__',
      crop: '1,2,0,4',
      head: 'logit',
    }).toString();
    const { values, problems } = decodeShareState(hostile);
    // The final map is absent, which in a link means the pixel-level map it always showed.
    expect(values).toEqual({ rule: 'sf', head: 'logit', finalMap: 'pixel' });
    expect(problems).toHaveLength(9);
    for (const p of problems) expect(p).toMatch(/^Link: /);
  });

  it('rejects numbers in forms other than plain decimals', () => {
    for (const bad of ['0x10', 'Infinity', '1_0', ' 1', '1 ', '+1', '', '.', '1e5000', '12345678901234']) {
      const { values } = decodeShareState(`opacity=${encodeURIComponent(bad)}`);
      expect(values.opacity, bad).toBeUndefined();
    }
    expect(decodeShareState('opacity=0.5').values.opacity).toBe(0.5);
    expect(decodeShareState('opacity=1').values.opacity).toBe(1);
    expect(decodeShareState('opacity=1.01').values.opacity).toBeUndefined();
  });

  it('takes a contrast only from its short list', () => {
    expect(decodeShareState('gamma=0.5').values.gamma).toBe(0.5);
    for (const bad of ['0', '2', '0.50', '-1', 'NaN', '1e-1']) {
      const { values, problems } = decodeShareState(`gamma=${bad}`);
      expect(values.gamma, bad).toBeUndefined();
      expect(problems[0], bad).toMatch(/^Link: gamma/);
    }
  });

  it('names unknown and repeated parameters', () => {
    const { values, problems } = decodeShareState('view=net&view=positive&evil=1');
    expect(values.kind).toBe('net');
    expect(problems).toEqual([
      'Link: parameter "view" repeated; the first one is used.',
      'Link: unknown parameter "evil" ignored.',
    ]);
  });

  it('refuses URLs with credentials, other schemes and excessive length', () => {
    expect(decodeShareState('model=https://user:pw@example.org/m.onnx').values.model).toBeUndefined();
    expect(decodeShareState('model=file:///etc/passwd').values.model).toBeUndefined();
    expect(decodeShareState(`img=https://e.org/${'a'.repeat(2100)}`).values.image).toBeUndefined();
    expect(decodeShareState('img=demo:../../secret').values.image).toBeUndefined();
    expect(decodeShareState('img=demo:chelsea').values.image).toEqual({ kind: 'demo', id: 'chelsea' });
  });

  it('checks embedded image data: prefix, alphabet and size', () => {
    expect(decodeShareState('img=embed').values.image).toBeUndefined();
    expect(decodeShareState('img=embed&imgdata=gif.AAAA').values.image).toBeUndefined();
    expect(decodeShareState('img=embed&imgdata=webp.AA%2BA').values.image).toBeUndefined();
    const big = 'A'.repeat(MAX_EMBEDDED_CHARS + 1);
    expect(decodeShareState(`img=embed&imgdata=webp.${big}`).values.image).toBeUndefined();
    expect(decodeShareState('img=embed&imgdata=png.AAAA').values.image).toEqual({
      kind: 'embedded',
      mime: 'image/png',
      data: 'AAAA',
    });
  });

  it('refuses layer names with control characters or excessive length, keeps other text as plain data', () => {
    expect(decodeShareState('layer=a%00b').values.layer).toBeUndefined();
    expect(decodeShareState(`layer=${'x'.repeat(257)}`).values.layer).toBeUndefined();
    // Markup is just a (nonexistent) layer name: it is checked against the model, and React escapes it.
    expect(decodeShareState('layer=%3Cb%3Ex%3C%2Fb%3E').values.layer).toBe('<b>x</b>');
  });

  it('needs all preprocessing values together', () => {
    const { values, problems } = decodeShareState('mean=0.5,0.5,0.5&std=1,1,1');
    expect(values.preprocess).toBeUndefined();
    expect(problems).toHaveLength(1);
  });

  it('ignores a fragment over the length limit entirely', () => {
    const { values, problems } = decodeShareState(`view=net&pad=${'a'.repeat(MAX_FRAGMENT_CHARS)}`);
    expect(values).toEqual({});
    expect(problems[0]).toMatch(/too long/);
  });

  it('quotes values shortly and printably', () => {
    expect(quote('a\u0000b')).toBe('a?b');
    expect(quote('x'.repeat(50))).toBe(`${'x'.repeat(40)}…`);
  });
});
