/**
 * Seeded fuzzing of share-link fragments (issues 12 and 15): a few hundred mutations of valid links, with
 * Object.prototype keys, control and invisible characters, malformed percent-escapes, private addresses,
 * odd numbers, truncations, duplicates and splices. Every fragment must end in a clean acceptance (which
 * re-encodes to itself) or a clean refusal of the whole link (one printable, bounded line per problem),
 * never a throw, a half-applied link, an address the link policy refuses, or a polluted prototype.
 */
import { describe, expect, it } from 'vitest';
import { bytesToBase64Url } from '../../src/state/base64url';
import { checkLinkUrl } from '../../src/state/link-url';
import { decodeShareState, encodeShareState, MAX_PROBLEMS } from '../../src/state/share-codec';
import type { ShareState } from '../../src/state/types';
import { defaultViewSettings, VIEW_SETTINGS } from '../../src/state/view-settings';

/** mulberry32: a small seeded generator, so a failure names its case and replays. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function png(): string {
  const b = new Uint8Array(40);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, 224);
  new DataView(b.buffer).setUint32(20, 224);
  return bytesToBase64Url(b);
}

const VALID: ShareState[] = [
  {
    ...defaultViewSettings(),
    model: { kind: 'builtin', id: 'squeezenet1.1' },
    image: { kind: 'demo', id: 'coffee' },
    target: 967,
    layer: 'fire7/concat',
    rule: 'alphabeta',
    alpha: 3,
    beta: 2,
    crop: { x: 12.25, y: 0, width: 300.5, height: 300.5 },
    preprocess: {
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
      channelOrder: 'bgr',
      scale: 1,
      resize: 300,
    },
    compare: { method: 'gradcam', kind: 'positive', rule: 'ebp', layer: null },
  },
  {
    ...defaultViewSettings(),
    model: { kind: 'url', url: 'https://models.example.org/m.onnx' },
    image: { kind: 'embedded', mime: 'image/png', data: png() },
    target: null,
    layer: null,
    clipPercentile: null,
    crop: null,
    preprocess: null,
    compare: null,
  },
];

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype);
const HOSTILE = [
  ...PROTO_KEYS,
  '',
  ' ',
  '%00',
  '%1b%5b2K%0d',
  '%E2%80%AE',
  '%',
  '%zz',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  '1_0',
  '+1',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  'http://169.254.169.254/latest/meta-data',
  'https://10.0.0.1/router/reboot?confirm=1',
  'https://[::1]/m.onnx',
  'https://2130706433/',
  'https://user:pw@example.org/m.onnx',
  'demo:../../etc/passwd',
  'embed',
  'png.AAAAA',
  'webp.constructor',
  `png.${png()}A`,
  'x'.repeat(3000),
];
const KEYS = [
  ...new Set([
    ...Object.keys(Object.fromEntries(new URLSearchParams(encodeShareState(VALID[0])))),
    'imgdata',
    'cmplayer',
    ...Object.values(VIEW_SETTINGS).map((s) => s.key),
  ]),
];

function mutate(fragment: string, next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const pairs = fragment.split('&');
  const steps = 1 + Math.floor(next() * 3);
  for (let k = 0; k < steps; k++) {
    const i = Math.floor(next() * pairs.length);
    const [key] = pairs[i].split('=');
    switch (Math.floor(next() * 8)) {
      case 0: // a hostile value for a known key
        pairs[i] = `${key}=${pick(HOSTILE)}`;
        break;
      case 1: // a hostile key
        pairs[i] = `${pick(HOSTILE)}=${pairs[i].split('=')[1] ?? ''}`;
        break;
      case 2: // a key given twice
        pairs.push(`${key}=${pick(HOSTILE)}`);
        break;
      case 3: // a key dropped
        pairs.splice(i, 1);
        break;
      case 4: // another key's value
        pairs[i] = `${pick(KEYS)}=${pairs[Math.floor(next() * pairs.length)]?.split('=')[1] ?? ''}`;
        break;
      case 5: // cut anywhere
        return pairs.join('&').slice(0, Math.floor(next() * fragment.length));
      case 6: // stray separators and escapes
        pairs[i] = `${pairs[i]}${pick(['&', '=', '==', '#', '%', '&&', '%26', '%3D'])}`;
        break;
      default: // a valid value of a setting, so that some links stay acceptable
        pairs.push(`${pick(KEYS)}=${pick(['1', '0.5', 'net', 'sf', 'pixel', 'none', '224'])}`);
    }
  }
  return pairs.join('&');
}

// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;

describe('link fragments under fuzzing', () => {
  it('accepts cleanly or refuses whole, 400 seeded fragments', () => {
    const next = random(20261207);
    let accepted = 0;
    let refused = 0;
    for (let n = 0; n < 400; n++) {
      const fragment = mutate(encodeShareState(VALID[n % VALID.length]), next);
      const label = `case ${n}: ${fragment.slice(0, 160)}`;
      let decoded: ReturnType<typeof decodeShareState>;
      expect(() => (decoded = decodeShareState(fragment)), label).not.toThrow();
      const { values, problems } = decoded!;
      if (problems.length > 0) {
        refused++;
        expect(values, label).toEqual({});
        expect(problems.length, label).toBeLessThanOrEqual(MAX_PROBLEMS + 1);
        for (const p of problems) {
          expect(p, label).not.toMatch(UNPRINTABLE);
          expect(p.length, label).toBeLessThan(400);
        }
        continue;
      }
      accepted++;
      for (const key of Object.keys(values)) expect(Object.hasOwn(VALID[0], key), label).toBe(true);
      for (const ref of [values.model, values.image]) {
        if (ref?.kind === 'url') expect(checkLinkUrl(ref.url), label).toEqual({ url: ref.url });
      }
      // What was accepted re-encodes to a link that reads back the same.
      const full: ShareState = { ...VALID[0], ...values };
      const again = decodeShareState(encodeShareState(full));
      expect(again.problems, label).toEqual([]);
      expect(encodeShareState({ ...VALID[0], ...again.values }), label).toBe(encodeShareState(full));
    }
    // Both outcomes are exercised.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual([...PROTO_KEYS].sort());
  });
});
