import { IMAGENET_PREPROCESS, recipeSettings, type PreprocessSpec } from '../../core/preprocess';
import { preprocessHints } from '../../core/onnx/preprocessHints';
import type { ModelInfo } from '../../engine/types';
import { DEFAULT_MODEL_ID } from '../catalog';
import { findGalleryModel } from '../model-gallery';
import type { ModelRef, PreprocessSettings } from '../types';
import type { SliceCreator } from './slice';

export interface ModelSlice {
  /** The model the user asked for. */
  modelRef: ModelRef;
  /** The model the engine holds (differs from modelRef while loading). */
  loadedModelRef: ModelRef | null;
  model: ModelInfo | null;
  /** Preprocessing to apply once the requested model is loaded (from a share link); null = its defaults. */
  pendingPreprocess: PreprocessSettings | null;
  /**
   * Whether the class and layer chosen with the request are meant for the requested model (a link names
   * them together); otherwise a new model starts at its top class and input layer.
   */
  requestKeepsView: boolean;
  preprocess: PreprocessSettings;
  labels: string[];
  /** 'ImageNet', 'generic' or the labels file's name. */
  labelsSource: string;
  requestModel(ref: ModelRef, preprocess?: PreprocessSettings | null, keepsView?: boolean): void;
  modelLoaded(ref: ModelRef, info: ModelInfo, labels: string[]): void;
  /** The requested model failed: ask for the loaded one again (the engine still holds it). */
  modelFailed(): void;
  setPreprocess(patch: Partial<PreprocessSettings>): void;
  resetPreprocess(): void;
  setLabels(labels: string[], source: string): void;
}

/**
 * What the model's metadata asks for (core/onnx preprocessHints), else the ImageNet recipe adapted to the
 * model's input size (resize keeps the 224/256 ratio).
 */
export function defaultPreprocess(
  inputDims: readonly number[] | null,
  metadata: Readonly<Record<string, string>> = {},
): PreprocessSettings {
  const side = inputDims ? Math.min(inputDims[2], inputDims[3]) : IMAGENET_PREPROCESS.width;
  let hints: ReturnType<typeof preprocessHints> = {};
  try {
    hints = preprocessHints({ metadata });
  } catch {
    // A malformed hint: the engine has named it when it loaded the model; the recipe still works.
  }
  return recipeSettings({ ...IMAGENET_PREPROCESS, ...hints }, side);
}

/**
 * The preprocessing a loaded model starts with: a gallery model's published recipe (model-gallery.ts; its
 * file carries no hints), else what defaultPreprocess reads from the model. A link that names the model
 * without preprocessing means these.
 */
export function modelDefaultPreprocess(
  ref: ModelRef | null,
  info: Pick<ModelInfo, 'inputDims' | 'metadata'> | null,
): PreprocessSettings {
  const gallery = ref?.kind === 'url' ? findGalleryModel(ref.url) : undefined;
  if (gallery) return structuredClone(gallery.preprocess);
  return defaultPreprocess(info?.inputDims ?? null, info?.metadata);
}

/** The full spec for core/preprocess from the user's settings and the model's input shape [N, C, H, W]. */
export function preprocessSpec(settings: PreprocessSettings, inputDims: readonly number[]): PreprocessSpec {
  const [, channels, height, width] = inputDims;
  return {
    width,
    height,
    mean: settings.mean,
    std: settings.std,
    channelOrder: settings.channelOrder,
    scale: settings.scale,
    channels: channels === 1 ? 1 : 3,
    cropFraction: Math.min(1, Math.min(width, height) / settings.resize),
  };
}

export function samePreprocess(a: PreprocessSettings, b: PreprocessSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export const createModelSlice: SliceCreator<ModelSlice> = (set, get) => ({
  modelRef: { kind: 'builtin', id: DEFAULT_MODEL_ID },
  loadedModelRef: null,
  model: null,
  pendingPreprocess: null,
  requestKeepsView: false,
  preprocess: defaultPreprocess(null),
  labels: [],
  labelsSource: '',
  requestModel: (ref, preprocess = null, keepsView = false) =>
    set({ modelRef: ref, pendingPreprocess: preprocess, requestKeepsView: keepsView }),
  modelLoaded: (ref, info, labels) =>
    set((s) => ({
      modelRef: ref,
      loadedModelRef: ref,
      model: info,
      preprocess: s.pendingPreprocess ?? modelDefaultPreprocess(ref, info),
      pendingPreprocess: null,
      requestKeepsView: false,
      labels,
      labelsSource: labels.length === 1000 ? 'ImageNet' : 'generic',
    })),
  modelFailed: () => {
    const loaded = get().loadedModelRef;
    if (loaded) set({ modelRef: loaded, pendingPreprocess: null, requestKeepsView: false });
  },
  setPreprocess: (patch) => set((s) => ({ preprocess: { ...s.preprocess, ...patch } })),
  resetPreprocess: () => set((s) => ({ preprocess: modelDefaultPreprocess(s.loadedModelRef, s.model) })),
  setLabels: (labels, source) => set({ labels, labelsSource: source }),
});
