import { memo, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { currentLayerIndex } from '../../state/slices/view-slice';
import { drawMapThumbnail } from '../render/colormap';
import { useApp, useAppState } from '../context';

/** A small map of every layer for the current view; click one to show it. */
export function LayerStrip() {
  const tensors = useAppState(useShallow((s) => s.model?.layers.map((l) => l.tensor) ?? []));
  const current = useAppState(currentLayerIndex);
  const version = useAppState((s) => s.stripVersion);
  return (
    <div className="layer-strip" data-testid="layer-strip" role="group" aria-label="Layers">
      {tensors.map((t, i) => (
        <LayerThumb key={t} tensor={t} index={i} selected={i === current} version={version} />
      ))}
    </div>
  );
}

const LayerThumb = memo(function LayerThumb(props: {
  tensor: string;
  index: number;
  selected: boolean;
  version: number;
}) {
  const { registry, store } = useApp();
  const colormap = useAppState((s) => s.colormap);
  const gamma = useAppState((s) => s.gamma);
  const opType = useAppState((s) => s.model?.layers[props.index]?.opType ?? '');
  const canvas = useRef<HTMLCanvasElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const map = registry.thumbnails.get(props.tensor);
  useEffect(() => {
    // Keep the current layer in sight while scrubbing or playing.
    if (props.selected) button.current?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [props.selected]);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    if (map) drawMapThumbnail(c, map, colormap, gamma);
    else c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
  }, [map, colormap, gamma, props.version]);
  return (
    <button
      ref={button}
      type="button"
      className="layer-thumb"
      data-layer={props.tensor}
      data-ready={map !== undefined}
      aria-pressed={props.selected}
      title={`${props.index}: ${props.tensor} (${opType})`}
      onClick={() => {
        store.getState().setPlaying(false);
        store.getState().setLayer(props.tensor);
      }}
    >
      <canvas ref={canvas} width={48} height={48} />
      <span>{props.index}</span>
    </button>
  );
});
