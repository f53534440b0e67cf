/**
 * The JSON summary export: what was explained, how, and the numbers the app shows (top-5, per-layer chain
 * statistics, timings), so that a view can be cited or compared without the app.
 */
import { shortLabel } from '../core/labels';
import type { RenderInfo } from '../engine/types';
import type { AppState } from './store';
import { pickViewSettings, settingsFeeding } from './view-settings';

export function exportSummary(s: AppState, renderInfo: RenderInfo | null, link: string | null) {
  const model = s.model;
  const image = s.images.find((i) => i.id === s.currentImageId);
  const label = (k: number) => s.labels[k] ?? `class ${k}`;
  return {
    app: 'panescope',
    createdAt: new Date().toISOString(),
    link,
    model: model && {
      name: model.name,
      sha256: model.sha256,
      inputName: model.inputName,
      inputDims: model.inputDims,
      numClasses: model.numClasses,
      canExplain: model.canExplain,
      unsupported: model.coverage.unsupported,
    },
    engine: s.engineInfo && { backend: s.engineInfo.backend, description: s.engineInfo.description },
    image: image && {
      name: image.name,
      width: image.width,
      height: image.height,
      source: image.source.kind === 'embedded' ? { kind: 'embedded' } : image.source,
      crop: s.crops[image.id] ?? 'default',
      note: image.note ?? null,
    },
    preprocess: s.preprocess,
    top5: s.prediction?.top.map((c) => ({ ...c, label: label(c.index) })) ?? [],
    explained: s.explanation && {
      target: s.explanation.target,
      label: shortLabel(label(s.explanation.target)),
      options: s.explanation.options,
      mass: s.explanation.mass,
      fluxAtInputPlusSinks: s.explanation.fluxAtInputPlusSinks,
      timingsMs: s.explanation.timingsMs,
    },
    // The rule, head, alpha and beta are in `explained.options`, as the engine applied them.
    view: {
      method: s.method,
      layer: s.layer ?? model?.layers[0]?.tensor ?? null,
      ...settingsFeeding('view', pickViewSettings(s)),
      ...settingsFeeding('display', pickViewSettings(s)),
      colormap: renderInfo?.colormap ?? s.colormap,
      signed: renderInfo?.signed ?? null,
      scale: renderInfo?.scale ?? null,
    },
    layers:
      model?.layers.map((l) => {
        const stats = s.explanation?.layers.find((x) => x.tensor === l.tensor);
        return { ...l, corrPN: stats?.corrPN ?? null, netRatio: stats?.netRatio ?? null };
      }) ?? [],
    timingsMs: s.timings,
  };
}
