/**
 * The app's store with a model "loaded" and nothing computed: the fixture of the state tests (requests,
 * URL sync, the store, the layer player), which need a model's shape but never run one.
 */
import type { ModelInfo } from '../../src/engine/types';
import { createAppStore, type AppStore } from '../../src/state/store';

/** The built-in model's reference, which every fixture store says is loaded. */
export const BUILTIN_REF = { kind: 'builtin', id: 'squeezenet1.1' } as const;

/**
 * A model description with the given chain layers (input first, logits last), every one a Conv with maps of
 * `layerDims`; the rest (input size, classes) from `over`.
 */
export function modelInfo(
  layers: readonly string[],
  over: Partial<Omit<ModelInfo, 'layers'>> = {},
  layerDims: readonly number[] = [1, 8, 7, 7],
): ModelInfo {
  return {
    name: 'm',
    sha256: '0'.repeat(64),
    inputName: 'x',
    inputDims: [1, 3, 224, 224],
    numClasses: 1000,
    layers: layers.map((tensor) => ({ tensor, node: tensor, opType: 'Conv', dims: [...layerDims] })),
    coverage: { ok: true, unsupported: [], opCounts: {}, nodes: {}, logits: layers.at(-1) ?? 'logits' },
    canExplain: true,
    metadata: {},
    ...over,
  };
}

/** A fresh store in which `info` is the loaded built-in model. */
export function storeWithModel(info: ModelInfo): AppStore {
  const store = createAppStore();
  store.getState().modelLoaded(BUILTIN_REF, info, []);
  return store;
}
