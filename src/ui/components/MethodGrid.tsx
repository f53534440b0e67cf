import { useEffect, useRef, useState } from 'react';
import { shortLabel } from '../../core/labels';
import type { MapData, RenderInfo } from '../../engine/types';
import { renderMapData } from '../../engine/views';
import { backendLabel, type MapSource } from '../../state/map-placement';
import { DISPLAY_METHODS, methodLabel, type DisplayMethod } from '../../state/methods';
import { downloadBlob, slug } from '../download';
import { composeGrid } from '../render/export-grid';
import { formatScale } from '../render/export-png';
import { drawRgba } from '../render/rgba';
import { useApp, useAppState } from '../context';

interface Cell {
  status: 'waiting' | 'computing' | 'ready' | 'failed';
  progress: string;
  map: MapData | null;
  message: string | null;
  /** The backend computing or that computed a baseline (null for PANE: the engine's own map). */
  source: MapSource | null;
}

const WAITING: Cell = { status: 'waiting', progress: '', map: null, message: null, source: null };

/**
 * Every method's map of the image and class on screen, side by side with the display settings of the panes
 * (each map on its own scale): PANE's final map as the engine holds it and the baselines (on the GPU or
 * in the evaluation worker, as each cell says), one after another. Exported as one PNG figure.
 */
export function MethodGrid() {
  const app = useApp();
  const key = useAppState((s) => s.explanation?.key ?? null);
  const [cells, setCells] = useState<Record<string, Cell>>({});

  useEffect(() => {
    if (!key) return;
    let stale = false;
    const update = (m: DisplayMethod, cell: Partial<Cell>) =>
      !stale && setCells((c) => ({ ...c, [m]: { ...(c[m] ?? WAITING), ...cell } }));
    setCells({});
    void (async () => {
      for (const m of DISPLAY_METHODS) {
        if (stale) return;
        update(m, { status: 'computing' });
        try {
          const map = await app.methodMaps.map(
            m,
            (p) => update(m, { progress: `${p.done} of ${p.total}` }),
            (source) => update(m, { source, progress: '' }),
          );
          update(m, { status: 'ready', map, progress: '', source: map.source });
        } catch (e) {
          update(m, { status: 'failed', message: e instanceof Error ? e.message : String(e) });
        }
      }
    })();
    return () => {
      stale = true;
    };
  }, [key, app]);

  const done = DISPLAY_METHODS.filter((m) => cells[m]?.status === 'ready').length;
  return (
    <div className="method-grid-panel">
      <div className="row">
        <span data-testid="method-grid-progress" data-done={done} role="status">
          {done} of {DISPLAY_METHODS.length} maps
        </span>
        <button
          type="button"
          data-testid="export-grid"
          disabled={done < DISPLAY_METHODS.length}
          onClick={() => exportGrid(app, cells)}
        >
          Grid PNG
        </button>
      </div>
      <div className="method-grid" data-testid="method-grid">
        {DISPLAY_METHODS.map((m) => (
          <GridCell key={m} method={m} cell={cells[m] ?? WAITING} />
        ))}
      </div>
    </div>
  );
}

function GridCell({ method, cell }: { method: DisplayMethod; cell: Cell }) {
  const { registry } = useApp();
  const version = useAppState((s) => s.inputVersion);
  const opacity = useAppState((s) => s.opacity);
  const clip = useAppState((s) => s.clipPercentile);
  const colormap = useAppState((s) => s.colormap);
  const gamma = useAppState((s) => s.gamma);
  const input = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const [info, setInfo] = useState<RenderInfo | null>(null);
  useEffect(() => {
    if (input.current && registry.inputPreview) drawRgba(input.current, registry.inputPreview);
  }, [registry, version]);
  useEffect(() => {
    if (!overlay.current || !cell.map) return;
    const { rgba, info } = renderMapData(cell.map, { clipPercentile: clip, colormap, gamma });
    drawRgba(overlay.current, { width: cell.map.width, height: cell.map.height, data: rgba });
    setInfo(info);
  }, [cell.map, clip, colormap, gamma]);
  const label = methodLabel(method) + (method === 'pane' ? ' (net, input)' : '');
  return (
    <figure className="method-cell" data-method={method} data-status={cell.status}>
      <div className="map-stack">
        <canvas ref={input} className="map-input" aria-hidden="true" />
        <canvas
          ref={overlay}
          className="map-overlay"
          data-testid={`grid-canvas-${method}`}
          aria-label={`${label} map`}
          style={{ opacity, visibility: cell.map ? 'visible' : 'hidden' }}
        />
        {cell.status !== 'ready' && (
          <p className="map-message">
            {cell.status === 'failed'
              ? cell.message
              : cell.status === 'computing'
                ? `Computing${cell.source ? ` on ${backendLabel(cell.source)}` : ''}` +
                  (cell.progress ? ` (${cell.progress})` : '…')
                : 'Waiting'}
          </p>
        )}
      </div>
      <figcaption className="caption">
        <span>{label}</span>
        {cell.source && (
          <span
            className="method-backend"
            data-testid={`grid-backend-${method}`}
            data-backend={cell.source.backend}
            title={`Computed by ${cell.source.reason}`}
          >
            {backendLabel(cell.source)}
          </span>
        )}
        {info && cell.map && (
          <span className="pane-scale" data-testid={`grid-scale-${method}`} data-scale={info.scale}>
            {info.signed ? '±' : ''}
            {formatScale(info.scale)}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

function exportGrid(app: ReturnType<typeof useApp>, cells: Record<string, Cell>): void {
  const s = app.store.getState();
  const input = app.registry.inputPreview;
  if (!input || !s.model) return;
  const target = s.explanation?.target ?? 0;
  const canvas = composeGrid({
    input,
    opacity: s.opacity,
    display: { clipPercentile: s.clipPercentile, colormap: s.colormap, gamma: s.gamma },
    cells: DISPLAY_METHODS.flatMap((m) => {
      const map = cells[m]?.map;
      return map ? [{ label: methodLabel(m), map }] : [];
    }),
    caption: `${s.model.name} · class ${target} "${shortLabel(s.labels[target] ?? '')}" · each map on its own scale`,
  });
  const image = s.images.find((i) => i.id === s.currentImageId)?.name ?? 'image';
  canvas.toBlob(
    (blob) => blob && downloadBlob(blob, `panescope-${slug(image)}-all-methods.png`),
    'image/png',
  );
}
