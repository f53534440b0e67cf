import { useEffect, useState } from 'react';
import { cachedModelUrls, evictModelCache } from '../../state/model-cache';
import { describePreprocess, GALLERY_MODELS, type GalleryModel } from '../../state/model-gallery';
import { useApp, useAppState } from '../context';

/**
 * Well-known ImageNet CNNs by URL (state/model-gallery.ts), with their size, licence and preprocessing.
 * Downloads are kept in Cache Storage, so a second visit loads them with no request; "Forget downloaded
 * models" deletes them all.
 */
export function ModelGallery() {
  const { store } = useApp();
  const loaded = useAppState((s) => (s.loadedModelRef?.kind === 'url' ? s.loadedModelRef.url : null));
  const requested = useAppState((s) => (s.modelRef.kind === 'url' ? s.modelRef.url : null));
  const cacheVersion = useAppState((s) => s.modelCacheVersion);
  const [cached, setCached] = useState<string[] | null>(null);
  useEffect(() => {
    let live = true;
    void cachedModelUrls().then((urls) => live && setCached(urls));
    return () => {
      live = false;
    };
  }, [cacheVersion]);
  const evict = async () => {
    await evictModelCache();
    store.getState().modelCacheChanged();
  };
  // The gallery's preprocessing is the model's default (modelDefaultPreprocess): nothing to pass along.
  const load = (m: GalleryModel) => store.getState().requestModel({ kind: 'url', url: m.url });
  const count = cached?.length ?? 0;
  return (
    <div className="model-gallery" data-testid="model-gallery">
      <p className="hint">
        From the ONNX Model Zoo; downloaded on request and kept in this browser, never in the app.
      </p>
      <ul>
        {GALLERY_MODELS.map((m) => {
          const isCached = cached?.includes(m.url) ?? false;
          // A short label keeps name and button on one line; the size and whether it is kept are below.
          const label = loaded === m.url ? 'Loaded' : requested === m.url ? 'Loading…' : 'Load';
          return (
            <li key={m.id} data-model={m.id} data-cached={isCached}>
              <div className="row">
                <strong id={`gallery-title-${m.id}`} className="truncate" title={m.title}>
                  {m.title}
                </strong>
                <button
                  type="button"
                  data-testid={`gallery-load-${m.id}`}
                  aria-describedby={`gallery-title-${m.id}`}
                  disabled={loaded === m.url || requested === m.url}
                  title={isCached ? 'Load the copy kept in this browser' : `Download ${m.sizeMb} MB and load`}
                  onClick={() => load(m)}
                >
                  {label}
                </button>
              </div>
              <p className="hint">
                {m.source} · {m.licence} · {m.sizeMb} MB{isCached ? ', kept in this browser' : ''} · input{' '}
                {describePreprocess(m.preprocess)}
                {m.note ? ` · ${m.note}` : ''}
              </p>
            </li>
          );
        })}
      </ul>
      <div className="row">
        <span className="hint" data-testid="model-cache-count" data-count={count} aria-live="polite">
          {cached === null
            ? 'Downloaded models are not kept here (no Cache Storage).'
            : `${count} downloaded model${count === 1 ? '' : 's'} kept in this browser`}
        </span>
        <button type="button" data-testid="evict-models" disabled={count === 0} onClick={() => void evict()}>
          Forget downloaded models
        </button>
      </div>
    </div>
  );
}
