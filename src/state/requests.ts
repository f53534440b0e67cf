/**
 * What the engine must do for the view in the store, as keyed requests: pure functions of the store's
 * state (plus the engine's generation and the canvases' serials, which the controller owns). The
 * controller compares each key with the one it applied and executes only the requests that differ, so a
 * change reruns exactly the step it must: the forward pass for the image, crop and preprocessing; the
 * double chain for the class and the 'explain' settings of the table (view-settings.ts); a redraw for the
 * layer and the 'view' settings; nothing for the 'display' ones.
 */
import { clampCrop, defaultCrop, type PreprocessSpec } from '../core/preprocess';
import type { PaneOptions } from '../core/pane/options';
import type { MapKind, ModelInfo, ViewSpec } from '../engine/types';
import type { ImageEntry } from './slices/image-slice';
import { preprocessSpec } from './slices/model-slice';
import type { PredictionResult } from './slices/result-slice';
import type { AppState } from './store';
import { pickViewSettings, settingsFeeding } from './view-settings';
import { safeText } from '../core/text';

export interface InputRequest {
  key: string;
  image: ImageEntry;
  spec: PreprocessSpec;
}

export interface ExplainRequest {
  key: string;
  options: Partial<PaneOptions> & { target: number };
  /** Why this cannot be explained (the chain cannot traverse the model), or null. */
  blocked: string | null;
}

export interface ViewRequest {
  key: string;
  explain: ExplainRequest;
  view: ViewSpec;
}

/** The forward pass: the image, its crop and the preprocessing, for one engine generation. */
export function inputRequest(
  s: AppState,
  image: ImageEntry,
  model: ModelInfo,
  generation: number,
): InputRequest {
  const spec = preprocessSpec(s.preprocess, model.inputDims);
  const crop = clampCrop(
    s.crops[image.id] ?? defaultCrop(image.width, image.height, spec),
    image.width,
    image.height,
  );
  return { key: `${generation}|${image.id}|${JSON.stringify(crop)}|${JSON.stringify(spec)}`, image, spec };
}

/** The double chain: the class (the top-1 when none is chosen) and the 'explain' settings under `rule`. */
export function explainRequest(
  s: AppState,
  model: ModelInfo,
  inputKey: string,
  prediction: PredictionResult,
  rule: PaneOptions['rule'],
): ExplainRequest {
  const target = s.target ?? prediction.top[0].index;
  // The chain's options are the 'explain' rows of the settings table that apply under this rule.
  const options: ExplainRequest['options'] = {
    ...settingsFeeding('explain', { ...pickViewSettings(s), rule }),
    rule,
    target,
  };
  const key = `${inputKey}|${JSON.stringify(options)}`;
  return { key, options, blocked: model.canExplain ? null : unsupportedMessage(model) };
}

/** A redraw: the layer, the map kind and the 'view' settings, into the canvas with this serial. */
function viewRequest(
  s: AppState,
  explain: ExplainRequest,
  layer: string,
  kind: MapKind,
  canvasSerial: number,
): ViewRequest {
  // The 'view' rows of the settings table; the compare pane brings its own kind.
  const view: ViewSpec = { ...settingsFeeding('view', pickViewSettings(s)), layer, kind };
  return { key: `${explain.key}|${canvasSerial}|${JSON.stringify(view)}`, explain, view };
}

/** The main pane: the chosen layer (the input when none) and kind. */
export function mainRequest(
  s: AppState,
  model: ModelInfo,
  explain: ExplainRequest,
  canvasSerial: number,
): ViewRequest {
  return viewRequest(s, explain, s.layer ?? model.layers[0]?.tensor ?? '', s.kind, canvasSerial);
}

/** The compare pane (null when off): its own rule and kind, its own layer or the main pane's. */
export function compareRequest(
  s: AppState,
  model: ModelInfo,
  inputKey: string,
  prediction: PredictionResult,
  canvasSerial: number,
): ViewRequest | null {
  const compare = s.compare;
  if (!compare) return null;
  const explain = explainRequest(s, model, inputKey, prediction, compare.rule);
  const layer = compare.layer ?? s.layer ?? model.layers[0]?.tensor ?? '';
  return viewRequest(s, explain, layer, compare.kind, canvasSerial);
}

/** The layer strip: every layer's small map of the current kind. */
export function stripKey(s: AppState, explainKey: string): string {
  return `${explainKey}|${s.kind}`;
}

function unsupportedMessage(model: ModelInfo): string {
  // Node, op and model names come from the file: escaped and capped like every message.
  const names = model.coverage.unsupported
    .slice(0, 4)
    .map((n) => `${safeText(n.node, 80)} (${safeText(n.opType, 40)})`);
  const more =
    model.coverage.unsupported.length > 4 ? ` and ${model.coverage.unsupported.length - 4} more` : '';
  return `The double chain cannot traverse ${safeText(model.name, 120)}: unsupported ${names.join(', ')}${more}. It still classifies.`;
}
