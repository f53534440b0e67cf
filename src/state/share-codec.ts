/**
 * Share link <-> view state. The view lives in the URL fragment (`#...`): it never reaches a server, so an
 * embedded image stays between the two browsers.
 *
 * Parsing is defensive: every key is whitelisted, every value checked against a whitelist, a number range or
 * a length limit. A bad value is dropped with a message (and the app keeps its default for it); nothing from
 * the link is ever evaluated or inserted into the page as markup.
 */
import { CONTRASTS } from '../core/colormap';
import type { CropRect } from '../core/preprocess';
import type { Head, Rule } from '../core/pane/options';
import type { MapKind, Normalization } from '../engine/types';
import { BUILTIN_MODELS, DEMO_IMAGES } from './catalog';
import type { ColormapChoice, CompareSpec, EmbeddedMime, PreprocessSettings, ShareState } from './types';

export const LINK_VERSION = '1';
/** The longest fragment the parser looks at; anything longer is refused whole. */
export const MAX_FRAGMENT_CHARS = 64_000;
/** An embedded image may use this many base64url characters (about 30 KB of image file). */
export const MAX_EMBEDDED_CHARS = 40_000;
export const MAX_URL_CHARS = 2_000;
export const MAX_LAYER_CHARS = 256;
export const MAX_CLASS_INDEX = 100_000;

export const MAP_KINDS: readonly MapKind[] = [
  'net',
  'positive',
  'negative',
  'excitation-positive',
  'excitation-negative',
];
export const RULES: readonly Rule[] = ['sf', 'alphabeta', 'ebp'];
export const HEADS: readonly Head[] = ['logit', 'contrast_mean', 'contrast_softmax'];
export const COLORMAPS: readonly ColormapChoice[] = ['auto', 'diverging', 'sequential', 'gray'];
export const NORMALIZATIONS: readonly Normalization[] = ['layer', 'shared'];
const EMBED_MIMES: Record<string, EmbeddedMime> = {
  webp: 'image/webp',
  png: 'image/png',
  jpeg: 'image/jpeg',
};

export const ALPHA_RANGE = { min: 1, max: 20 } as const;
export const BETA_RANGE = { min: 0, max: 19 } as const;
export const CLIP_RANGE = { min: 50, max: 100 } as const;

/** Encode the view as a URL fragment (without the leading '#'). Keys appear in a fixed order. */
export function encodeShareState(s: ShareState): string {
  const p = new URLSearchParams();
  p.set('v', LINK_VERSION);
  p.set('model', s.model.kind === 'builtin' ? s.model.id : s.model.url);
  if (s.image.kind === 'demo') p.set('img', `demo:${s.image.id}`);
  else if (s.image.kind === 'url') p.set('img', s.image.url);
  else {
    p.set('img', 'embed');
    const ext = Object.keys(EMBED_MIMES).find((k) => EMBED_MIMES[k] === (s.image as { mime: string }).mime);
    p.set('imgdata', `${ext}.${s.image.data}`);
  }
  if (s.target !== null) p.set('class', String(s.target));
  if (s.layer !== null) p.set('layer', s.layer);
  p.set('view', s.kind);
  p.set('rule', s.rule);
  if (s.rule === 'alphabeta') {
    p.set('alpha', String(s.alpha));
    p.set('beta', String(s.beta));
  }
  p.set('head', s.head);
  p.set('opacity', String(s.opacity));
  p.set('cmap', s.colormap);
  p.set('norm', s.normalization);
  // Both always travel: their defaults may change, a link must not.
  p.set('clip', s.clipPercentile === null ? 'none' : String(s.clipPercentile));
  p.set('gamma', String(s.gamma));
  if (s.crop) p.set('crop', [s.crop.x, s.crop.y, s.crop.width, s.crop.height].map(String).join(','));
  if (s.preprocess) {
    p.set('mean', s.preprocess.mean.map(String).join(','));
    p.set('std', s.preprocess.std.map(String).join(','));
    p.set('order', s.preprocess.channelOrder);
    p.set('scale', String(s.preprocess.scale));
    p.set('resize', String(s.preprocess.resize));
  }
  if (s.compare) {
    p.set('cmpview', s.compare.kind);
    p.set('cmprule', s.compare.rule);
    if (s.compare.layer !== null) p.set('cmplayer', s.compare.layer);
  }
  return p.toString();
}

export interface DecodedLink {
  /** Only the values that passed validation. */
  values: Partial<ShareState>;
  /** One plain sentence per rejected key or value, for the error banner. */
  problems: string[];
}

const KNOWN_KEYS = new Set([
  'v',
  'model',
  'img',
  'imgdata',
  'class',
  'layer',
  'view',
  'rule',
  'alpha',
  'beta',
  'head',
  'opacity',
  'cmap',
  'norm',
  'clip',
  'gamma',
  'crop',
  'mean',
  'std',
  'order',
  'scale',
  'resize',
  'cmpview',
  'cmprule',
  'cmplayer',
]);

/** Parse a URL fragment (with or without '#'). Never throws. */
export function decodeShareState(fragment: string): DecodedLink {
  const raw = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  const problems: string[] = [];
  const values: Partial<ShareState> = {};
  if (raw.length === 0) return { values, problems };
  if (raw.length > MAX_FRAGMENT_CHARS) {
    return { values, problems: [`The link is too long (${raw.length} characters); it was ignored.`] };
  }
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(raw);
  } catch {
    return { values, problems: ['The link could not be read; it was ignored.'] };
  }
  const reject = (key: string, why: string) => problems.push(`Link: ${key} ${why}; using the default.`);
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!KNOWN_KEYS.has(key)) problems.push(`Link: unknown parameter "${quote(key)}" ignored.`);
    else if (seen.has(key)) problems.push(`Link: parameter "${key}" repeated; the first one is used.`);
    seen.add(key);
  }
  const get = (key: string) => params.get(key);

  const version = get('v');
  if (version !== null && version !== LINK_VERSION) {
    problems.push(
      `Link: version "${quote(version)}" is not understood; reading it as version ${LINK_VERSION}.`,
    );
  }

  const model = get('model');
  if (model !== null) {
    if (BUILTIN_MODELS.some((m) => m.id === model)) values.model = { kind: 'builtin', id: model };
    else {
      const url = parseHttpUrl(model);
      if (url) values.model = { kind: 'url', url };
      else reject('model', `"${quote(model)}" is neither a built-in model id nor an http(s) URL`);
    }
  }

  const img = get('img');
  if (img !== null) {
    if (img.startsWith('demo:')) {
      const id = img.slice(5);
      if (DEMO_IMAGES.some((d) => d.id === id)) values.image = { kind: 'demo', id };
      else reject('img', `"${quote(img)}" is not a demo image`);
    } else if (img === 'embed') {
      const embedded = parseEmbedded(get('imgdata'));
      if (typeof embedded === 'string') reject('imgdata', embedded);
      else values.image = embedded;
    } else {
      const url = parseHttpUrl(img);
      if (url) values.image = { kind: 'url', url };
      else reject('img', `"${quote(img)}" is neither a demo id, "embed" nor an http(s) URL`);
    }
  }

  const target = get('class');
  if (target !== null) {
    const n = parseIntInRange(target, 0, MAX_CLASS_INDEX);
    if (n === null) reject('class', `"${quote(target)}" is not a class index`);
    else values.target = n;
  }

  const layer = get('layer');
  if (layer !== null) {
    const name = parseLayerName(layer);
    if (name === null) reject('layer', 'is not a valid layer name');
    else values.layer = name;
  }

  pickEnum(get('view'), MAP_KINDS, 'view', reject, (v) => (values.kind = v));
  pickEnum(get('rule'), RULES, 'rule', reject, (v) => (values.rule = v));
  pickEnum(get('head'), HEADS, 'head', reject, (v) => (values.head = v));
  pickEnum(get('cmap'), COLORMAPS, 'cmap', reject, (v) => (values.colormap = v));
  pickEnum(get('norm'), NORMALIZATIONS, 'norm', reject, (v) => (values.normalization = v));
  pickNumber(get('alpha'), ALPHA_RANGE.min, ALPHA_RANGE.max, 'alpha', reject, (v) => (values.alpha = v));
  pickNumber(get('beta'), BETA_RANGE.min, BETA_RANGE.max, 'beta', reject, (v) => (values.beta = v));
  pickNumber(get('opacity'), 0, 1, 'opacity', reject, (v) => (values.opacity = v));
  if (get('clip') === 'none') values.clipPercentile = null;
  else
    pickNumber(
      get('clip'),
      CLIP_RANGE.min,
      CLIP_RANGE.max,
      'clip',
      reject,
      (v) => (values.clipPercentile = v),
    );
  const gamma = get('gamma');
  if (gamma !== null) {
    const g = CONTRASTS.find((c) => String(c) === gamma);
    if (g === undefined) reject('gamma', `"${quote(gamma)}" is not one of ${CONTRASTS.join(', ')}`);
    else values.gamma = g;
  }

  const crop = get('crop');
  if (crop !== null) {
    const c = parseCrop(crop);
    if (c === null) reject('crop', 'must be four numbers x,y,width,height with a positive size');
    else values.crop = c;
  }

  const preprocess = parsePreprocess(get, reject);
  if (preprocess) values.preprocess = preprocess;

  const compare = parseCompare(get, reject);
  if (compare) values.compare = compare;

  return { values, problems };
}

/** Only absolute http(s) URLs without credentials; returned normalised. */
export function parseHttpUrl(text: string): string | null {
  if (text.length > MAX_URL_CHARS) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  return url.href;
}

/** ONNX tensor names are free text; allow printable characters only, bounded in length. */
export function parseLayerName(text: string): string | null {
  if (text.length === 0 || text.length > MAX_LAYER_CHARS) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return null;
  return text;
}

function parseEmbedded(value: string | null): Extract<ShareState['image'], { kind: 'embedded' }> | string {
  if (value === null) return 'is missing for an embedded image';
  const dot = value.indexOf('.');
  const mime = dot > 0 ? EMBED_MIMES[value.slice(0, dot)] : undefined;
  if (!mime) return 'must start with webp., png. or jpeg.';
  const data = value.slice(dot + 1);
  if (data.length === 0 || data.length > MAX_EMBEDDED_CHARS) {
    return `must hold 1 to ${MAX_EMBEDDED_CHARS} characters of image data`;
  }
  if (!/^[A-Za-z0-9_-]+$/.test(data)) return 'is not base64url';
  return { kind: 'embedded', mime, data };
}

function parseCompare(
  get: (k: string) => string | null,
  reject: (key: string, why: string) => void,
): CompareSpec | null {
  const kind = get('cmpview');
  if (kind === null) return null;
  if (!MAP_KINDS.includes(kind as MapKind)) {
    reject('cmpview', `"${quote(kind)}" is not a view`);
    return null;
  }
  const ruleText = get('cmprule') ?? 'sf';
  const rule = RULES.includes(ruleText as Rule) ? (ruleText as Rule) : null;
  if (rule === null) {
    reject('cmprule', `"${quote(ruleText)}" is not a rule`);
    return null;
  }
  const layerText = get('cmplayer');
  const layer = layerText === null ? null : parseLayerName(layerText);
  if (layerText !== null && layer === null) reject('cmplayer', 'is not a valid layer name');
  return { kind: kind as MapKind, rule, layer };
}

function parsePreprocess(
  get: (k: string) => string | null,
  reject: (key: string, why: string) => void,
): PreprocessSettings | null {
  const keys = ['mean', 'std', 'order', 'scale', 'resize'];
  if (keys.every((k) => get(k) === null)) return null;
  const mean = parseTriple(get('mean') ?? '', -1000, 1000);
  const std = parseTriple(get('std') ?? '', 1e-6, 1000);
  const order = get('order');
  const scale = parseFloatInRange(get('scale') ?? '', 1e-6, 10);
  const resize = parseIntInRange(get('resize') ?? '', 1, 8192);
  if (!mean || !std || (order !== 'rgb' && order !== 'bgr') || scale === null || resize === null) {
    reject('preprocessing (mean, std, order, scale, resize)', 'must all be present and in range');
    return null;
  }
  return { mean, std, channelOrder: order, scale, resize };
}

function parseTriple(text: string, min: number, max: number): [number, number, number] | null {
  const parts = text.split(',');
  if (parts.length !== 3) return null;
  const nums = parts.map((p) => parseFloatInRange(p, min, max));
  return nums.every((n): n is number => n !== null) ? [nums[0], nums[1], nums[2]] : null;
}

function parseCrop(text: string): CropRect | null {
  const parts = text.split(',');
  if (parts.length !== 4) return null;
  const [x, y, width, height] = parts.map((p) => parseFloatInRange(p, -100_000, 100_000));
  if (x === null || y === null || width === null || height === null || width <= 0 || height <= 0) return null;
  return { x, y, width, height };
}

const NUMBER_PATTERN = /^-?(\d{1,12}(\.\d{0,20})?|\.\d{1,20})(e-?\d{1,3})?$/i;

export function parseFloatInRange(text: string, min: number, max: number): number | null {
  if (!NUMBER_PATTERN.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) && n >= min && n <= max ? n : null;
}

export function parseIntInRange(text: string, min: number, max: number): number | null {
  if (!/^\d{1,9}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

function pickEnum<T extends string>(
  value: string | null,
  allowed: readonly T[],
  key: string,
  reject: (key: string, why: string) => void,
  set: (v: T) => void,
) {
  if (value === null) return;
  if (allowed.includes(value as T)) set(value as T);
  else reject(key, `"${quote(value)}" is not one of ${allowed.join(', ')}`);
}

function pickNumber(
  value: string | null,
  min: number,
  max: number,
  key: string,
  reject: (key: string, why: string) => void,
  set: (v: number) => void,
) {
  if (value === null) return;
  const n = parseFloatInRange(value, min, max);
  if (n === null) reject(key, `"${quote(value)}" is not a number from ${min} to ${max}`);
  else set(n);
}

/** A value shown back to the user: short and printable (React escapes it; this keeps messages readable). */
export function quote(text: string, max = 40): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}
