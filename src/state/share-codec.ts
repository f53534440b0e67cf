/**
 * Share link <-> view state. The view lives in the URL fragment (`#...`): it never reaches a server, so an
 * embedded image stays between the two browsers.
 *
 * Parsing is defensive: every key is whitelisted, every value checked against a whitelist, a number range or
 * a length limit, and a link with any problem is refused whole, each problem named: half a link would show
 * a view nobody made. Lookups never reach Object.prototype (Maps, Sets and arrays only). Model and image
 * addresses follow link-url.ts (https only, no private addresses), and nothing from the link is ever
 * evaluated or inserted into the page as markup.
 */
import { isDisplayMethod } from './methods';
import type { CropRect } from '../core/preprocess';
import { escapeControls } from '../core/text';
import type { MapKind } from '../engine/types';
import type { Rule } from '../core/pane/options';
import { base64UrlToBytes } from './base64url';
import { BUILTIN_MODELS, DEMO_IMAGES } from './catalog';
import { sniffImageSize } from './image-sniff';
import { checkLinkUrl, MAX_URL_CHARS } from './link-url';
import type { CompareSpec, EmbeddedMime, PreprocessSettings, ShareState } from './types';
import {
  decodeSetting,
  encodeSetting,
  parseFloatInRange,
  settingApplies,
  VIEW_SETTING_NAMES,
  VIEW_SETTINGS,
  type ViewSettings,
} from './view-settings';

export { parseFloatInRange };

const LINK_VERSION = '1';
/** The longest fragment the parser looks at; anything longer is refused whole. */
export const MAX_FRAGMENT_CHARS = 64_000;
/** An embedded image may use this many base64url characters (about 30 KB of image file). */
export const MAX_EMBEDDED_CHARS = 40_000;
export { MAX_URL_CHARS };
const MAX_LAYER_CHARS = 256;
/** An embedded image's file name, in characters. */
export const MAX_IMAGE_NAME_CHARS = 120;
const MAX_CLASS_INDEX = 100_000;
/** Problems named one by one; a link with more gets one line counting the rest. */
export const MAX_PROBLEMS = 20;
/** An embedded image is the model's input crop; anything larger than this was not made by the app. */
const MAX_EMBEDDED_SIDE = 4096;

// The lists and ranges of the view settings, as the controls and the parser see them (view-settings.ts).
export const MAP_KINDS = VIEW_SETTINGS.kind.values;
export const RULES = VIEW_SETTINGS.rule.values;

/** The `imgdata` prefix of each embedded image type, and the format its bytes must have. */
const EMBED_TYPES = new Map<string, { mime: EmbeddedMime; format: string }>([
  ['webp', { mime: 'image/webp', format: 'webp' }],
  ['png', { mime: 'image/png', format: 'png' }],
  ['jpeg', { mime: 'image/jpeg', format: 'jpeg' }],
]);

/** Encode the view as a URL fragment (without the leading '#'). Keys appear in a fixed order. */
export function encodeShareState(s: ShareState): string {
  const p = new URLSearchParams();
  p.set('v', LINK_VERSION);
  p.set('model', s.model.kind === 'builtin' ? s.model.id : s.model.url);
  if (s.image.kind === 'demo') p.set('img', `demo:${s.image.id}`);
  else if (s.image.kind === 'url') p.set('img', s.image.url);
  else {
    p.set('img', 'embed');
    const mime = s.image.mime;
    const ext = [...EMBED_TYPES].find(([, t]) => t.mime === mime)?.[0];
    if (ext === undefined) throw new Error(`no link prefix for ${mime}`);
    p.set('imgdata', `${ext}.${s.image.data}`);
    if (s.image.name !== undefined) p.set('imgname', s.image.name);
  }
  if (s.target !== null) p.set('class', String(s.target));
  if (s.layer !== null) p.set('layer', s.layer);
  // Every setting that applies travels, defaults included: a default may change, a link must not.
  for (const name of VIEW_SETTING_NAMES) {
    if (settingApplies(name, s)) p.set(VIEW_SETTINGS[name].key, encodeSetting(name, s[name]));
  }
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
    if (s.compare.method !== 'pane') p.set('cmpmethod', s.compare.method);
    if (s.compare.layer !== null) p.set('cmplayer', s.compare.layer);
  }
  return p.toString();
}

export interface DecodedLink {
  /** The link's values; empty when it has any problem (a link is applied whole or not at all). */
  values: Partial<ShareState>;
  /** One plain sentence per rejected key or value, for the error banner. */
  problems: string[];
}

/** Keys the codec handles one by one; the view settings' keys come from their table. */
const STRUCTURED_KEYS = [
  'v',
  'model',
  'img',
  'imgdata',
  'imgname',
  'class',
  'layer',
  'crop',
  'mean',
  'std',
  'order',
  'scale',
  'resize',
  'cmpview',
  'cmprule',
  'cmplayer',
  'cmpmethod',
];
const KNOWN_KEYS = new Set([...STRUCTURED_KEYS, ...VIEW_SETTING_NAMES.map((n) => VIEW_SETTINGS[n].key)]);

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
  const reject = (key: string, why: string) => problems.push(`Link: ${key} ${why}.`);
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!KNOWN_KEYS.has(key)) problems.push(`Link: unknown parameter "${quote(key)}".`);
    else if (seen.has(key)) problems.push(`Link: parameter "${key}" is repeated.`);
    seen.add(key);
  }
  const get = (key: string) => params.get(key);

  const version = get('v');
  if (version !== null && version !== LINK_VERSION) {
    problems.push(`Link: version "${quote(version)}" is not understood (this app reads ${LINK_VERSION}).`);
  }

  const model = get('model');
  if (model !== null) {
    if (BUILTIN_MODELS.some((m) => m.id === model)) values.model = { kind: 'builtin', id: model };
    else {
      const checked = checkLinkUrl(model);
      if ('url' in checked) values.model = { kind: 'url', url: checked.url };
      else
        reject(
          'model',
          `"${quote(model)}" is not a built-in model id, and as an address it ${checked.problem}`,
        );
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
      const nameText = get('imgname');
      const name = nameText === null ? null : parseImageName(nameText);
      if (typeof embedded === 'string') reject('imgdata', embedded);
      if (nameText !== null && name === null)
        reject('imgname', `must be a file name of 1 to ${MAX_IMAGE_NAME_CHARS} printable characters`);
      else if (typeof embedded !== 'string') values.image = name ? { ...embedded, name } : embedded;
    } else {
      const checked = checkLinkUrl(img);
      if ('url' in checked) values.image = { kind: 'url', url: checked.url };
      else reject('img', `"${quote(img)}" is not demo:ID or embed, and as an address it ${checked.problem}`);
    }
  }

  if (img !== 'embed' && get('imgname') !== null)
    reject('imgname', 'names an embedded image only (img=embed)');

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

  Object.assign(values, decodeSettings(get, reject));

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

  if (problems.length === 0) return { values, problems };
  // Refused whole: the first problems by name, the rest counted.
  const named = problems.slice(0, MAX_PROBLEMS);
  if (problems.length > MAX_PROBLEMS)
    named.push(`Link: and ${problems.length - MAX_PROBLEMS} more problems.`);
  return { values: {}, problems: named };
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
function parseLayerName(text: string): string | null {
  if (text.length === 0 || text.length > MAX_LAYER_CHARS) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return null;
  return text;
}

/** A file name (no folders): printable characters only (core/text's unsafe set), bounded in length. */
function parseImageName(text: string): string | null {
  const length = [...text].length;
  if (length === 0 || length > MAX_IMAGE_NAME_CHARS) return null;
  if (escapeControls(text) !== text || /[/\\]/.test(text)) return null;
  return text;
}

/**
 * A user's file name as a link may carry it (parseImageName accepts every result): unsafe characters and
 * folder separators dropped, cut to MAX_IMAGE_NAME_CHARS; undefined when nothing is left.
 */
export function imageNameForLink(name: string): string | undefined {
  const printable = [...name].filter((c) => escapeControls(c) === c && c !== '/' && c !== '\\');
  const cut = printable.slice(0, MAX_IMAGE_NAME_CHARS).join('');
  return parseImageName(cut) ?? undefined;
}

function parseEmbedded(value: string | null): Extract<ShareState['image'], { kind: 'embedded' }> | string {
  if (value === null) return 'is missing for an embedded image';
  const dot = value.indexOf('.');
  const type = dot > 0 ? EMBED_TYPES.get(value.slice(0, dot)) : undefined;
  if (!type) return 'must start with webp., png. or jpeg.';
  const data = value.slice(dot + 1);
  if (data.length === 0 || data.length > MAX_EMBEDDED_CHARS) {
    return `must hold 1 to ${MAX_EMBEDDED_CHARS} characters of image data`;
  }
  // A length of 1 mod 4 is no whole number of bytes: no encoder writes it.
  if (!/^[A-Za-z0-9_-]+$/.test(data) || data.length % 4 === 1) return 'is not base64url';
  const sniffed = sniffImageSize(base64UrlToBytes(data));
  if (!sniffed || sniffed.format !== type.format) return `does not hold a ${type.format} image`;
  if (
    sniffed.width < 1 ||
    sniffed.height < 1 ||
    Math.max(sniffed.width, sniffed.height) > MAX_EMBEDDED_SIDE
  ) {
    return `holds a ${sniffed.width} x ${sniffed.height} image (at most ${MAX_EMBEDDED_SIDE} a side)`;
  }
  return { kind: 'embedded', mime: type.mime, data };
}

/** Every view setting the link names, checked against its row of the table; links lacking one get its old meaning. */
function decodeSettings(
  get: (k: string) => string | null,
  reject: (key: string, why: string) => void,
): Partial<ViewSettings> {
  const out: Record<string, unknown> = {};
  for (const name of VIEW_SETTING_NAMES) {
    const spec = VIEW_SETTINGS[name];
    const text = get(spec.key);
    if (text === null) {
      if ('absentInLink' in spec) out[name] = spec.absentInLink;
      continue;
    }
    const decoded = decodeSetting(name, text, quote(text));
    if ('problem' in decoded) reject(spec.key, decoded.problem);
    else out[name] = decoded.value;
  }
  return out as Partial<ViewSettings>;
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
  const methodText = get('cmpmethod') ?? 'pane';
  const method = isDisplayMethod(methodText) ? methodText : 'pane';
  if (method !== methodText) reject('cmpmethod', `"${quote(methodText)}" is not a method`);
  return { method, kind: kind as MapKind, rule, layer };
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

function parseIntInRange(text: string, min: number, max: number): number | null {
  if (!/^\d{1,9}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/** A value shown back to the user: short, with control and invisible characters escaped (core/text). */
export function quote(text: string, max = 40): string {
  const cut = [...text];
  const shown = escapeControls(cut.slice(0, max).join(''));
  return cut.length > max ? `${shown}…` : shown;
}
