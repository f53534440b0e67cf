import { describe, expect, it } from 'vitest';
import {
  decodeShareState,
  encodeShareState,
  imageNameForLink,
  MAX_EMBEDDED_CHARS,
  MAX_FRAGMENT_CHARS,
  MAX_IMAGE_NAME_CHARS,
  MAX_PROBLEMS,
  quote,
} from './share-codec';
import { bytesToBase64Url } from './base64url';
import type { ShareState } from './types';

/** The first bytes of a 224 x 224 PNG: enough for the parser's format and size check. */
function pngHeader(width = 224, height = 224): string {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  return bytesToBase64Url(b);
}

/** The first bytes of a 224 x 224 lossless WebP (VP8L). */
function webpHeader(): string {
  const b = new Uint8Array(30);
  b.set([...'RIFF'].map((c) => c.charCodeAt(0)));
  b.set(
    [...'WEBPVP8L'].map((c) => c.charCodeAt(0)),
    8,
  );
  new DataView(b.buffer).setUint32(21, 223 | (223 << 14), true);
  return bytesToBase64Url(b);
}

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
  method: 'gradcam',
  crop: { x: 12.25, y: 0, width: 300.5, height: 300.5 },
  preprocess: {
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    channelOrder: 'bgr',
    scale: 1 / 255,
    resize: 300,
  },
  compare: { method: 'integrated_gradients', kind: 'positive', rule: 'ebp', layer: 'conv10_relu' },
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
      image: { kind: 'embedded', mime: 'image/webp', data: webpHeader() },
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

  it('refuses a link with hostile or malformed values whole, naming every problem', () => {
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
      method: 'eval',
      cmpview: 'net',
      cmpmethod: 'toString',
    }).toString();
    const { values, problems } = decodeShareState(hostile);
    // Every bad value is named, the method's and the compare pane's method too; the link is refused whole.
    expect(values).toEqual({});
    expect(problems).toHaveLength(11);
    expect(problems.join(' ')).toMatch(/method.*eval/);
    expect(problems.join(' ')).toMatch(/cmpmethod.*toString/);
    for (const p of problems) expect(p).toMatch(/^Link: /);
    // One bad value is enough to refuse the rest.
    expect(decodeShareState('view=positive&gamma=7')).toEqual({
      values: {},
      problems: ['Link: gamma "7" is not one of 1, 0.5, 0.25.'],
    });
  });

  it('names the first problems of a huge link and counts the rest', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}=1`).join('&');
    const { values, problems } = decodeShareState(keys);
    expect(values).toEqual({});
    expect(problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(problems.at(-1)).toBe(`Link: and ${5000 - MAX_PROBLEMS} more problems.`);
  });

  it('allows only https addresses (and http://localhost), never a literal private one', () => {
    expect(decodeShareState('model=https://example.org/m.onnx').values.model).toEqual({
      kind: 'url',
      url: 'https://example.org/m.onnx',
    });
    expect(decodeShareState('img=http://localhost:5173/x.png').values.image).toEqual({
      kind: 'url',
      url: 'http://localhost:5173/x.png',
    });
    const refused = {
      'http://example.org/m.onnx': 'must be an https: address',
      'http://169.254.169.254/latest/meta-data': 'must be an https: address',
      'https://169.254.169.254/latest/meta-data': 'names a link-local address',
      'https://10.0.0.1/router/reboot?confirm=1': 'names a private address',
      'https://192.168.1.1/': 'names a private address',
      'https://172.20.0.5/': 'names a private address',
      'https://127.0.0.1:8080/m.onnx': 'names a loopback address',
      'https://0x7f.1/m.onnx': 'names a loopback address',
      'https://2130706433/m.onnx': 'names a loopback address',
      'https://[::1]/m.onnx': 'names a loopback address',
      'https://[fe80::1]/m.onnx': 'names a link-local address',
      'https://[fd00::5]/m.onnx': 'names a private (unique local) address',
      'https://[::ffff:10.0.0.1]/m.onnx': 'names a private address',
      'https://0.0.0.0/m.onnx': 'names a "this network" address',
    };
    for (const [url, why] of Object.entries(refused)) {
      const { values, problems } = decodeShareState(`model=${encodeURIComponent(url)}`);
      expect(values.model, url).toBeUndefined();
      expect(problems[0], url).toContain(why);
    }
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
    expect(values).toEqual({});
    expect(problems).toEqual(['Link: parameter "view" is repeated.', 'Link: unknown parameter "evil".']);
  });

  it('refuses URLs with credentials, other schemes and excessive length', () => {
    expect(decodeShareState('model=https://user:pw@example.org/m.onnx').values.model).toBeUndefined();
    expect(decodeShareState('model=file:///etc/passwd').values.model).toBeUndefined();
    expect(decodeShareState(`img=https://e.org/${'a'.repeat(2100)}`).values.image).toBeUndefined();
    expect(decodeShareState('img=demo:../../secret').values.image).toBeUndefined();
    expect(decodeShareState('img=demo:chelsea').values.image).toEqual({ kind: 'demo', id: 'chelsea' });
  });

  it('checks embedded image data: prefix, alphabet, length, format and size', () => {
    const png = pngHeader();
    expect(decodeShareState('img=embed').values.image).toBeUndefined();
    expect(decodeShareState(`img=embed&imgdata=gif.${png}`).values.image).toBeUndefined();
    expect(decodeShareState('img=embed&imgdata=webp.AA%2BA').values.image).toBeUndefined();
    const big = 'A'.repeat(MAX_EMBEDDED_CHARS + 1);
    expect(decodeShareState(`img=embed&imgdata=webp.${big}`).values.image).toBeUndefined();
    expect(decodeShareState(`img=embed&imgdata=png.${png}`).values.image).toEqual({
      kind: 'embedded',
      mime: 'image/png',
      data: png,
    });
    const why = (imgdata: string) => decodeShareState(`img=embed&imgdata=${imgdata}`).problems[0];
    // A length of 1 mod 4 cannot be base64 of whole bytes: refused here, not at load.
    expect(why(`png.${png}A`)).toBe('Link: imgdata is not base64url.');
    // The bytes must be an image of the named type, of a size the app could have embedded.
    expect(why(`jpeg.${png}`)).toBe('Link: imgdata does not hold a jpeg image.');
    expect(why('png.AAAA')).toBe('Link: imgdata does not hold a png image.');
    expect(why(`png.${pngHeader(100_000, 100_000)}`)).toMatch(/100000 x 100000 image/);
  });

  it("carries an embedded image's file name, and refuses names that are no plain file name", () => {
    const png = pngHeader();
    const image = {
      kind: 'embedded' as const,
      mime: 'image/png' as const,
      data: png,
      name: 'my coffee (1).png',
    };
    const text = encodeShareState({ ...full, image });
    expect(text).toContain('imgname=my+coffee+%281%29.png');
    expect(decodeShareState(text)).toEqual({ values: { ...full, image }, problems: [] });
    const why = (query: string) => decodeShareState(query).problems;
    const embed = `img=embed&imgdata=png.${png}`;
    const refused = 'Link: imgname must be a file name of 1 to 120 printable characters.';
    for (const hostile of [
      '',
      'a\u0000b.png',
      'evil\u202egnp.exe',
      'zero\u200bwidth.png',
      '../../etc/passwd',
      'C:\\photos\\cat.png',
      'x'.repeat(MAX_IMAGE_NAME_CHARS + 1),
    ])
      expect(why(`${embed}&imgname=${encodeURIComponent(hostile)}`), hostile).toEqual([refused]);
    expect(why('img=demo:chelsea&imgname=cat.png')).toEqual([
      'Link: imgname names an embedded image only (img=embed).',
    ]);
    expect(why('imgname=cat.png')).toHaveLength(1);
  });

  it('makes every file name one a link may carry', () => {
    expect(imageNameForLink('holiday.jpg')).toBe('holiday.jpg');
    expect(imageNameForLink('a/b\\c\u001b[31m\u202e.png')).toBe('abc[31m.png');
    expect(imageNameForLink('\u0000/')).toBeUndefined();
    const long = imageNameForLink('é'.repeat(500))!;
    expect([...long]).toHaveLength(MAX_IMAGE_NAME_CHARS);
    for (const name of ['holiday.jpg', 'a/b\\c\u001b[31m\u202e.png', long]) {
      const image = {
        kind: 'embedded' as const,
        mime: 'image/png' as const,
        data: pngHeader(),
        name: imageNameForLink(name)!,
      };
      expect(decodeShareState(encodeShareState({ ...full, image })).problems).toEqual([]);
    }
  });

  it('refuses every Object.prototype key as a key, a prefix and a value, and re-encodes nothing', () => {
    const names = Object.getOwnPropertyNames(Object.prototype);
    expect(names).toContain('__proto__');
    for (const name of names) {
      for (const fragment of [
        `img=embed&imgdata=${name}.AAAA`,
        `${name}=1`,
        `view=${name}`,
        `cmap=${name}`,
        `img=demo:${name}`,
        `model=${name}`,
        `fm=${name}`,
      ]) {
        const { values, problems } = decodeShareState(fragment);
        expect(values, fragment).toEqual({});
        expect(problems.length, fragment).toBeGreaterThan(0);
      }
    }
    expect(({} as Record<string, unknown>).AAAA).toBeUndefined();
  });

  it('refuses layer names with control characters or excessive length, keeps other text as plain data', () => {
    expect(decodeShareState('layer=a%00b').values.layer).toBeUndefined();
    expect(decodeShareState(`layer=${'x'.repeat(257)}`).values.layer).toBeUndefined();
    // Markup is just a (nonexistent) layer name: it is checked against the model, and React escapes it.
    expect(decodeShareState('layer=%3Cb%3Ex%3C%2Fb%3E').values.layer).toBe('<b>x</b>');
  });

  it('needs all preprocessing values together', () => {
    const { values, problems } = decodeShareState('mean=0.5,0.5,0.5&std=1,1,1');
    expect(values).toEqual({});
    expect(problems).toHaveLength(1);
  });

  it('ignores a fragment over the length limit entirely', () => {
    const { values, problems } = decodeShareState(`view=net&pad=${'a'.repeat(MAX_FRAGMENT_CHARS)}`);
    expect(values).toEqual({});
    expect(problems[0]).toMatch(/too long/);
  });

  it('quotes values shortly and printably', () => {
    expect(quote('a\u0000b\u202e')).toBe('a\\x00b\\u{202e}');
    expect(quote('x'.repeat(50))).toBe(`${'x'.repeat(40)}…`);
  });
});
