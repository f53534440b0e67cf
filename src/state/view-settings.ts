/**
 * The one table of view settings: every user-visible knob of the view that is a single value (the map
 * shown, the rule and head of the chain, the display). Each row gives the setting's type, default, allowed
 * values or range, share-link key and labels, and which engine request it feeds. The view slice, the share
 * codec and its whitelist, the link's application to the store, the export summary, the controller's engine
 * requests and the generic controls all derive from this table, so a new setting is one row here plus its
 * use where it takes effect (docs/adding-a-setting.md).
 *
 * What is not here is structured or model-dependent: model, image, crop, preprocessing, class, layer and the
 * compare pane (share-codec.ts handles them one by one).
 */
import { CONTRASTS } from '../core/colormap';
import { DEFAULT_OPTIONS, type Head, type Rule } from '../core/pane/options';
import { DEFAULT_FINAL_MAP, FINAL_MAP_LABELS, FINAL_MAP_NAMES } from '../core/pane/final-maps';
import type { MapKind, DisplayNormalization, ViewSpec } from '../engine/types';
import { DISPLAY_METHODS, METHOD_LABELS_WITH_NOTES } from './methods';
import type { ColormapChoice } from './types';

/**
 * Which engine request a setting feeds: 'explain' reruns the double chain (core/pane PaneOptions),
 * 'view' redraws from the chain's results (engine ViewSpec), 'display' needs no engine at all (CSS).
 */
export type SettingFeeds = 'explain' | 'view' | 'display';

interface SettingBase<T> {
  /** The share-link key; fixed forever once links carry it. */
  key: string;
  /** What the control calls it. */
  label: string;
  default: T;
  feeds: SettingFeeds;
  /**
   * What a link that lacks the key meant, where that differs from today's default: links made before a
   * setting existed keep showing what they showed (e.g. the pixel-level final map).
   */
  absentInLink?: T;
  /** Whether the setting means anything for these settings (alpha and beta only for the alphabeta rule). */
  appliesWhen?: (s: ViewSettingsShape) => boolean;
}

/** One of a short list of values (strings, or numbers such as the contrast exponents). */
export interface EnumSetting<T extends string | number> extends SettingBase<T> {
  type: 'enum';
  values: readonly T[];
  /** The control's text for each value; the value itself where absent. */
  valueLabels?: Partial<Record<T, string>>;
}

/** A number in [min, max]; `noneText` allows null (written `noneText` in links, e.g. clip=none). */
export interface RangeSetting<T extends number | null> extends SettingBase<T> {
  type: 'range';
  min: number;
  max: number;
  step: number;
  noneText?: T extends null ? string : never;
}

export type SettingSpec = EnumSetting<string> | EnumSetting<number> | RangeSetting<number | null>;

// The helpers keep each row's `feeds` literal, so that the settings feeding a request have a type.
function enumSetting<T extends string | number, F extends SettingFeeds>(
  spec: Omit<EnumSetting<T>, 'type' | 'feeds'> & { feeds: F },
): EnumSetting<T> & { feeds: F } {
  return { type: 'enum', ...spec };
}

function rangeSetting<T extends number | null, F extends SettingFeeds>(
  spec: Omit<RangeSetting<T>, 'type' | 'feeds'> & { feeds: F },
): RangeSetting<T> & { feeds: F } {
  return { type: 'range', ...spec };
}

/** A checked list of values of one type. */
function list<T>(...values: T[]): readonly T[] {
  return values;
}

/** Loosely typed view of the settings for `appliesWhen` (the exact type depends on this table). */
type ViewSettingsShape = { readonly [name: string]: unknown };

export const VIEW_SETTINGS = {
  /** What the main pane shows: PANE's view (layer, kind, rule) or a baseline's map of the input. */
  method: enumSetting({
    key: 'method',
    label: 'Method',
    default: 'pane',
    // Baselines are drawn by state/method-maps.ts from the evaluation worker, not by the engine.
    feeds: 'display',
    values: DISPLAY_METHODS,
    valueLabels: METHOD_LABELS_WITH_NOTES,
  }),
  kind: enumSetting({
    key: 'view',
    label: 'View',
    default: 'net',
    feeds: 'view',
    values: list<MapKind>('net', 'positive', 'negative', 'excitation-positive', 'excitation-negative'),
    valueLabels: {
      net: 'Net (P − N)',
      positive: 'Positive chain',
      negative: 'Negative chain',
      'excitation-positive': 'Excitation E+',
      'excitation-negative': 'Excitation E−',
    },
  }),
  rule: enumSetting({
    key: 'rule',
    label: 'Rule',
    default: DEFAULT_OPTIONS.rule,
    feeds: 'explain',
    values: list<Rule>('sf', 'alphabeta', 'ebp'),
    valueLabels: { sf: 'signed flux (sf)', alphabeta: 'α-β', ebp: 'excitation backprop (ebp)' },
  }),
  alpha: rangeSetting({
    key: 'alpha',
    label: 'α',
    default: DEFAULT_OPTIONS.alpha,
    feeds: 'explain',
    min: 1,
    max: 20,
    step: 0.5,
    appliesWhen: (s) => s.rule === 'alphabeta',
  }),
  beta: rangeSetting({
    key: 'beta',
    label: 'β',
    default: DEFAULT_OPTIONS.beta,
    feeds: 'explain',
    min: 0,
    max: 19,
    step: 0.5,
    appliesWhen: (s) => s.rule === 'alphabeta',
  }),
  head: enumSetting({
    key: 'head',
    label: 'Head',
    default: DEFAULT_OPTIONS.head,
    feeds: 'explain',
    values: list<Head>('logit', 'contrast_mean', 'contrast_softmax'),
    valueLabels: {
      logit: 'logit',
      contrast_mean: 'contrast vs mean',
      contrast_softmax: 'contrast (softmax)',
    },
  }),
  opacity: rangeSetting({
    key: 'opacity',
    label: 'Opacity',
    default: 0.7,
    feeds: 'display',
    min: 0,
    max: 1,
    step: 0.05,
  }),
  colormap: enumSetting({
    key: 'cmap',
    label: 'Colormap',
    default: 'auto',
    feeds: 'view',
    values: list<ColormapChoice>('auto', 'diverging', 'sequential', 'gray'),
    valueLabels: { auto: 'auto (diverging if signed)' },
  }),
  normalization: enumSetting({
    key: 'norm',
    label: 'Normalisation',
    default: 'layer',
    feeds: 'view',
    values: list<DisplayNormalization>('layer', 'shared'),
    valueLabels: { layer: 'per map (own maximum)', shared: 'shared (net, P, N on one scale)' },
  }),
  /**
   * The display starts clipped at the 99.5th percentile (PANE-SPEC 4.5's option) and at contrast |v|^0.5:
   * pixel-level maps are sparse (on SqueezeNet half the input pixels are below 1e-3 of the largest), so the
   * linear, unclipped display shows only a few dots. Linear and unclipped are one click away.
   */
  clipPercentile: rangeSetting({
    key: 'clip',
    label: 'Clip outliers (99.5th percentile)',
    default: 99.5 as number | null,
    feeds: 'view',
    min: 50,
    max: 100,
    step: 0.5,
    noneText: 'none',
  }),
  gamma: enumSetting({
    key: 'gamma',
    label: 'Contrast',
    default: 0.5,
    feeds: 'view',
    values: list<number>(...CONTRASTS),
    valueLabels: Object.fromEntries(
      CONTRASTS.map((g) => [g, g === 1 ? 'linear' : `|v|^${g} (weak evidence lifted)`]),
    ),
  }),
  finalMap: enumSetting({
    key: 'fm',
    label: 'Final map',
    default: DEFAULT_FINAL_MAP,
    feeds: 'view',
    values: FINAL_MAP_NAMES,
    valueLabels: FINAL_MAP_LABELS,
    // Links from before the setting showed the pixel-level map; the default may change (issue 10).
    absentInLink: 'pixel',
  }),
} as const;

type Table = typeof VIEW_SETTINGS;
export type ViewSettingName = keyof Table;
// A range's literal default (0.7) stands for any number in the range.
type ValueOf<S> =
  S extends EnumSetting<infer T>
    ? T
    : S extends RangeSetting<infer T>
      ? null extends T
        ? number | null
        : number
      : never;

/** The value of every view setting: part of the store's view slice and of every share link. */
export type ViewSettings = { [K in ViewSettingName]: ValueOf<Table[K]> };

export const VIEW_SETTING_NAMES = Object.keys(VIEW_SETTINGS) as ViewSettingName[];

export function settingSpec(name: ViewSettingName): SettingSpec {
  return VIEW_SETTINGS[name] as SettingSpec;
}

/** The names of the settings that feed one engine request. */
type NamesFeeding<F extends SettingFeeds> = {
  [K in ViewSettingName]: Table[K]['feeds'] extends F ? K : never;
}[ViewSettingName];

export type ExplainSettings = Pick<ViewSettings, NamesFeeding<'explain'>>;
export type RenderSettings = Pick<ViewSettings, NamesFeeding<'view'>>;

// The engine's view spec must take every 'view' setting as it is: a row whose name the engine does not know
// fails to compile here (the error names it), and so does one whose type differs.
type Unrendered = Exclude<NamesFeeding<'view'>, keyof ViewSpec>;
const everyViewSettingIsInViewSpec: [Unrendered] extends [never] ? true : Unrendered = true;
const rendersEverySetting: (s: RenderSettings) => Omit<ViewSpec, 'layer'> = (s) => s;
void everyViewSettingIsInViewSpec;
void rendersEverySetting;

export function defaultViewSettings(): ViewSettings {
  const out: Record<string, unknown> = {};
  for (const name of VIEW_SETTING_NAMES) out[name] = VIEW_SETTINGS[name].default;
  return out as ViewSettings;
}

/** The view settings of a larger object (the store). */
export function pickViewSettings(s: ViewSettings): ViewSettings {
  const out: Record<string, unknown> = {};
  for (const name of VIEW_SETTING_NAMES) out[name] = s[name];
  return out as ViewSettings;
}

/** Whether a setting means anything given the others (e.g. alpha only with the alphabeta rule). */
export function settingApplies(name: ViewSettingName, s: ViewSettings): boolean {
  const when = settingSpec(name).appliesWhen;
  return when ? when(s) : true;
}

/** The settings that feed one request and apply, e.g. the chain's options for 'explain'. */
export function settingsFeeding(feeds: 'explain', s: ViewSettings): Partial<ExplainSettings>;
export function settingsFeeding(feeds: 'view', s: ViewSettings): RenderSettings;
export function settingsFeeding(feeds: 'display', s: ViewSettings): Partial<ViewSettings>;
export function settingsFeeding(feeds: SettingFeeds, s: ViewSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of VIEW_SETTING_NAMES) {
    if (VIEW_SETTINGS[name].feeds === feeds && settingApplies(name, s)) out[name] = s[name];
  }
  return out;
}

/**
 * A value brought inside its setting's rules: numbers clamped to the range, anything else (a value of the
 * wrong type or off the list) gives the current value back, so the store never holds what a link could
 * not carry.
 */
export function normalizeSetting<K extends ViewSettingName>(
  name: K,
  value: unknown,
  current: ViewSettings[K],
): ViewSettings[K] {
  const spec = settingSpec(name);
  if (spec.type === 'enum') {
    return (spec.values as readonly unknown[]).includes(value) ? (value as ViewSettings[K]) : current;
  }
  if (value === null) return spec.noneText !== undefined ? (value as ViewSettings[K]) : current;
  if (typeof value !== 'number' || Number.isNaN(value)) return current;
  return Math.min(spec.max, Math.max(spec.min, value)) as ViewSettings[K];
}

/** The control's text for one value of a setting. */
export function valueLabel(name: ViewSettingName, value: string | number): string {
  const spec = settingSpec(name);
  const labels = spec.type === 'enum' ? (spec.valueLabels as Record<string, string> | undefined) : undefined;
  const text = String(value);
  return labels && Object.hasOwn(labels, text) ? labels[text] : text;
}

/** A value as a link writes it. */
export function encodeSetting(name: ViewSettingName, value: unknown): string {
  const spec = settingSpec(name);
  if (value === null && spec.type === 'range' && spec.noneText !== undefined) return spec.noneText;
  return String(value);
}

/**
 * A link's text for one setting: the value, or why it is refused (a sentence fragment naming the allowed
 * values). Only values the link itself could have written are accepted: '0.50' is not the contrast 0.5.
 */
export function decodeSetting(
  name: ViewSettingName,
  text: string,
  quoted: string,
): { value: unknown } | { problem: string } {
  const spec = settingSpec(name);
  if (spec.type === 'enum') {
    const values = spec.values as readonly (string | number)[];
    const found = values.find((v) => String(v) === text);
    return found === undefined
      ? { problem: `"${quoted}" is not one of ${values.join(', ')}` }
      : { value: found };
  }
  if (spec.noneText !== undefined && text === spec.noneText) return { value: null };
  const n = parseFloatInRange(text, spec.min, spec.max);
  return n === null
    ? {
        problem:
          `"${quoted}" is not a number from ${spec.min} to ${spec.max}` +
          (spec.noneText !== undefined ? ` or ${spec.noneText}` : ''),
      }
    : { value: n };
}

const NUMBER_PATTERN = /^-?(\d{1,12}(\.\d{0,20})?|\.\d{1,20})(e-?\d{1,3})?$/i;

/** Plain decimals only (no hex, Infinity, separators or spaces), finite and in range. */
export function parseFloatInRange(text: string, min: number, max: number): number | null {
  if (!NUMBER_PATTERN.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) && n >= min && n <= max ? n : null;
}
