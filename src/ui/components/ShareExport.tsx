import { useState } from 'react';
import { encodeNpy } from '../../core/npy';
import { shortLabel } from '../../core/labels';
import { exportSummary } from '../../state/export-summary';
import { shownInfo } from '../../state/method-maps';
import { methodLabel } from '../../state/methods';
import { shareDigest } from '../../state/share';
import { MAX_EMBEDDED_CHARS } from '../../state/share-codec';
import { currentLayerIndex } from '../../state/slices/view-slice';
import type { AppState } from '../../state/store';
import { downloadBlob, slug } from '../download';
import {
  composeExport,
  composeSvg,
  DEFAULT_EXPORT_STYLE,
  formatScale,
  type ExportBackground,
  type ExportPicture,
  type ExportStyle,
} from '../render/export-png';
import { useApp, useAppState } from '../context';
import { paneViewName, paneViewSlug } from '../../state/shown-view';

/**
 * Copy a link that reproduces this view; save it as a PNG or SVG figure (1x or 2x, white, transparent or dark
 * background), the raw map as .npy, or a JSON summary.
 */
export function ShareExport() {
  const app = useApp();
  const ready = useAppState((s) => shownInfo(s, 'main') !== null);
  const ownImage = useAppState(
    (s) => s.images.find((i) => i.id === s.currentImageId)?.source.kind === 'user',
  );
  const inputSize = useAppState((s) => (s.model ? `${s.model.inputDims[3]} x ${s.model.inputDims[2]}` : ''));
  const digest = useAppState(shareDigest);
  // The last link made, shown only while the view is still the one it reproduces.
  const [shared, setShared] = useState<{ url: string; note: string; digest: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [style, setStyle] = useState<ExportStyle>(DEFAULT_EXPORT_STYLE);
  const link = shared?.digest === digest ? shared.url : null;
  const note = shared?.digest === digest ? shared.note : null;

  const copyLink = async () => {
    setBusy(true);
    try {
      const made = await app.actions.shareLink(`${location.origin}${location.pathname}`);
      if (!made) return;
      let copied = true;
      try {
        await navigator.clipboard.writeText(made.url);
      } catch {
        copied = false; // no clipboard permission: the field below still has the link
      }
      const said = [copied ? 'Link copied.' : 'Copy the link from the field.', made.note].filter(Boolean);
      // The digest after making the link: sharing a user's image switches the view to the copy it carries.
      setShared({ url: made.url, note: said.join(' '), digest: shareDigest(app.store.getState()) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="share-export stack">
      <div className="row">
        <button
          type="button"
          data-testid="copy-link"
          disabled={busy || !ready}
          onClick={() => void copyLink()}
        >
          Copy link
        </button>
        <button
          type="button"
          data-testid="export-png"
          disabled={!ready}
          onClick={() => exportFigure(app, style, 'png')}
        >
          PNG
        </button>
        <button
          type="button"
          data-testid="export-svg"
          disabled={!ready}
          onClick={() => exportFigure(app, style, 'svg')}
        >
          SVG
        </button>
        <button type="button" data-testid="export-npy" disabled={!ready} onClick={() => void exportNpy(app)}>
          .npy
        </button>
        <button
          type="button"
          data-testid="export-json"
          disabled={!ready}
          onClick={() => exportJson(app, link)}
        >
          JSON
        </button>
      </div>
      <div className="row export-style">
        <label>
          Figure
          <select
            data-testid="export-scale"
            value={style.zoom}
            onChange={(e) => setStyle({ ...style, zoom: Number(e.target.value) })}
          >
            <option value={1}>1x</option>
            <option value={2}>2x</option>
          </select>
        </label>
        <label>
          Background
          <select
            data-testid="export-background"
            value={style.background}
            onChange={(e) => setStyle({ ...style, background: e.target.value as ExportBackground })}
          >
            <option value="white">white</option>
            <option value="transparent">transparent</option>
            <option value="dark">dark</option>
          </select>
        </label>
      </div>
      {link && (
        <input
          className="share-url"
          data-testid="share-url"
          readOnly
          value={link}
          onFocus={(e) => e.target.select()}
        />
      )}
      {note && <p className="hint">{note}</p>}
      {ownImage && !note && (
        <p className="hint">
          Your own image travels inside the link as its {inputSize} input crop (WebP, at most{' '}
          {MAX_EMBEDDED_KB} KB).
        </p>
      )}
    </div>
  );
}

type App = ReturnType<typeof useApp>;

/** base64url carries 3 bytes in 4 characters. */
const MAX_EMBEDDED_KB = Math.floor((MAX_EMBEDDED_CHARS * 3) / 4 / 1000);

function viewFileName(s: AppState, ext: string): string {
  const image = s.images.find((i) => i.id === s.currentImageId)?.name ?? 'image';
  if (s.method !== 'pane') return `panescope-${slug(image)}-${s.method}.${ext}`;
  const layer = s.layer ?? s.model?.layers[0]?.tensor ?? 'input';
  return `panescope-${slug(image)}-${slug(layer)}-${paneViewSlug(s, 'main')}.${ext}`;
}

function exportFigure(app: App, style: ExportStyle, format: 'png' | 'svg'): void {
  const s = app.store.getState();
  const info = shownInfo(s, 'main');
  const overlay = s.method === 'pane' ? app.controller.canvas('main') : app.methodMaps.canvas('main');
  const input = app.registry.inputPreview;
  if (!info || !overlay || !input || !s.model) return;
  const layer = s.model.layers[currentLayerIndex(s)];
  const target = s.explanation?.target ?? 0;
  const view =
    s.method === 'pane'
      ? [
          `${paneViewName(s, 'main')} · rule ${s.rule} · head ${s.head} · ${s.normalization} normalisation`,
          `layer ${currentLayerIndex(s)}: ${layer.tensor} (${layer.opType}) · full colour at ${formatScale(info.scale)}`,
        ]
      : [`${methodLabel(s.method)} · model input · full colour at ${formatScale(info.scale)}`];
  const picture: ExportPicture = {
    input,
    overlay,
    opacity: s.opacity,
    colormap: info.colormap,
    signed: info.signed,
    scale: info.scale,
    gamma: s.gamma,
    caption: [`${s.model.name} · class ${target} "${shortLabel(s.labels[target] ?? '')}"`, ...view],
  };
  if (format === 'svg') {
    const svg = composeSvg(picture, style);
    downloadBlob(new Blob([svg], { type: 'image/svg+xml' }), viewFileName(s, 'svg'));
    return;
  }
  const canvas = composeExport(picture, style);
  canvas.toBlob((blob) => blob && downloadBlob(blob, viewFileName(s, 'png')), 'image/png');
}

async function exportNpy(app: App): Promise<void> {
  const s = app.store.getState();
  const layer = s.layer ?? s.model?.layers[0]?.tensor;
  if (!layer) return;
  try {
    // The map on screen: PANE's (at the input, the final-map construction the view shows) or a method's.
    const map =
      s.method === 'pane'
        ? await app.controller.readMap({ layer, kind: s.kind, finalMap: s.finalMap })
        : await app.methodMaps.map(s.method);
    const bytes = encodeNpy({ dims: [map.height, map.width], data: map.data }, 'float32');
    downloadBlob(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }), viewFileName(s, 'npy'));
  } catch (e) {
    s.pushError(`The map could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function exportJson(app: App, link: string | null): void {
  const s = app.store.getState();
  const summary = exportSummary(s, shownInfo(s, 'main'), link);
  const blob = new Blob([JSON.stringify(summary, null, 2)], { type: 'application/json' });
  downloadBlob(blob, viewFileName(s, 'json'));
}
