import { useCallback, useEffect, useRef } from 'react';
import type { CanvasSlot } from '../../state/slices/result-slice';
import { formatScale } from '../render/export-png';
import { drawRgba } from '../render/rgba';
import { useApp, useAppState } from '../context';
import { viewTitle } from './view-names';

/**
 * The model input with a map over it. The engine draws the map into the overlay canvas (registered with the
 * controller); the opacity is CSS, so changing it costs no engine work.
 */
export function MapPane({ slot }: { slot: CanvasSlot }) {
  const generation = useAppState((s) => s.engineInfo?.generation ?? 0);
  const opacity = useAppState((s) => s.opacity);
  const rendered = useAppState((s) => s.rendered[slot]);
  const title = useAppState((s) => {
    const kind = slot === 'main' ? s.kind : (s.compare?.kind ?? s.kind);
    const rule = slot === 'main' ? s.rule : (s.compare?.rule ?? s.rule);
    return `${viewTitle(kind)} · ${rule}`;
  });
  return (
    <figure className="map-pane" data-slot={slot}>
      <div className="map-stack">
        <InputCanvas />
        {/* A canvas keeps the context type it got first: a new engine gets fresh canvases. */}
        <OverlayCanvas key={generation} slot={slot} opacity={opacity} viewKey={rendered?.key ?? ''} />
        {rendered?.message && <p className="map-message">{rendered.message}</p>}
        {rendered?.info?.scale === 0 && (
          <p className="map-message">This map is zero everywhere here (e.g. the negative chain under ebp).</p>
        )}
      </div>
      <figcaption>
        <span>{title}</span>
        {rendered?.info && (
          <span className="pane-scale" title="The map value drawn in full colour">
            {rendered.info.signed ? '±' : ''}
            {formatScale(rendered.info.scale)}
          </span>
        )}
        <span className="layer-name" title={rendered?.layer}>
          {rendered?.layer}
        </span>
      </figcaption>
    </figure>
  );
}

function OverlayCanvas({ slot, opacity, viewKey }: { slot: CanvasSlot; opacity: number; viewKey: string }) {
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
      style={{ opacity }}
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
