import { useCallback, useEffect, useRef } from 'react';
import { backendLabel } from '../../state/map-placement';
import { methodLabel } from '../../state/methods';
import { paneTitle } from '../../state/shown-view';
import type { CanvasSlot, MethodView } from '../../state/slices/result-slice';
import { formatScale } from '../render/export-png';
import { drawRgba } from '../render/rgba';
import { useApp, useAppState } from '../context';

/**
 * The model input with a map over it. The engine draws the map into the overlay canvas (registered with the
 * controller); the opacity is CSS, so changing it costs no engine work.
 */
export function MapPane({ slot }: { slot: CanvasSlot }) {
  const generation = useAppState((s) => s.engineInfo?.generation ?? 0);
  const opacity = useAppState((s) => s.opacity);
  const rendered = useAppState((s) => s.rendered[slot]);
  const methodView = useAppState((s) => s.methodViews[slot]);
  const title = useAppState((s) => paneTitle(s, slot));
  const info = methodView ? methodView.info : rendered?.info;
  return (
    <figure className="map-pane" data-slot={slot}>
      <div className="map-stack">
        <InputCanvas />
        {/* A canvas keeps the context type it got first: a new engine gets fresh canvases. */}
        <OverlayCanvas
          key={generation}
          slot={slot}
          opacity={opacity}
          viewKey={rendered?.key ?? ''}
          hidden={methodView !== null}
        />
        <MethodCanvas slot={slot} opacity={opacity} view={methodView} />
        {!methodView && rendered?.message && <p className="map-message">{rendered.message}</p>}
        {methodView && methodView.status !== 'ready' && (
          <p className="map-message" role="status" data-testid={`${slot}-method-status`}>
            {methodView.status === 'failed'
              ? methodView.message
              : `Computing ${methodLabel(methodView.method)}` +
                (methodView.source ? ` (${backendLabel(methodView.source)})` : '') +
                (methodView.progress
                  ? `: gradient ${methodView.progress.done} of ${methodView.progress.total}`
                  : '…')}
          </p>
        )}
        {info?.scale === 0 && (
          <p className="map-message">This map is zero everywhere here (e.g. the negative chain under ebp).</p>
        )}
      </div>
      <figcaption className="caption">
        <span>{methodView ? `${methodLabel(methodView.method)} · input` : title}</span>
        {methodView?.source && (
          <span
            className="method-backend"
            data-testid={`${slot}-method-backend`}
            data-backend={methodView.source.backend}
            title={`Computed by ${methodView.source.reason}`}
          >
            {backendLabel(methodView.source)}
          </span>
        )}
        {info && (
          <span className="pane-scale" title="The map value drawn in full colour">
            {info.signed ? '±' : ''}
            {formatScale(info.scale)}
          </span>
        )}
        {!methodView && (
          <span className="layer-name truncate" title={rendered?.layer}>
            {rendered?.layer}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

function OverlayCanvas({
  slot,
  opacity,
  viewKey,
  hidden,
}: {
  slot: CanvasSlot;
  opacity: number;
  viewKey: string;
  hidden: boolean;
}) {
  const { controller } = useApp();
  const attach = useCallback(
    (canvas: HTMLCanvasElement | null) => {
      if (!canvas) return;
      controller.attachCanvas(slot, canvas);
      return () => controller.detachCanvas(slot, canvas);
    },
    [controller, slot],
  );
  return (
    <canvas
      ref={attach}
      className="map-overlay"
      data-testid={slot === 'main' ? 'saliency-canvas' : 'compare-canvas'}
      data-view-key={viewKey}
      style={{ opacity, visibility: hidden ? 'hidden' : 'visible' }}
    />
  );
}

/** A baseline's map, drawn on the CPU by state/method-maps (a 2-D canvas beside the engine's). */
function MethodCanvas({
  slot,
  opacity,
  view,
}: {
  slot: CanvasSlot;
  opacity: number;
  view: MethodView | null;
}) {
  const { methodMaps } = useApp();
  const attach = useCallback(
    (canvas: HTMLCanvasElement | null) => {
      if (!canvas) return;
      methodMaps.attachCanvas(slot, canvas);
      return () => methodMaps.detachCanvas(slot, canvas);
    },
    [methodMaps, slot],
  );
  return (
    <canvas
      ref={attach}
      className="map-overlay"
      data-testid={`${slot}-method-canvas`}
      data-method={view?.method ?? ''}
      data-view-key={view?.status === 'ready' ? view.key : ''}
      style={{ opacity, visibility: view?.status === 'ready' ? 'visible' : 'hidden' }}
    />
  );
}

/** Exactly what the model sees (crop, resampling, normalisation undone). */
function InputCanvas() {
  const { registry } = useApp();
  const version = useAppState((s) => s.inputVersion);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current && registry.inputPreview) drawRgba(canvas.current, registry.inputPreview);
  }, [registry, version]);
  return <canvas ref={canvas} className="map-input" data-testid="input-canvas" aria-label="Model input" />;
}
