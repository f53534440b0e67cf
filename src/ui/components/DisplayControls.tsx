import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { colourBar } from '../../state/shown-view';
import { DEFAULT_CLIP_PERCENTILE } from '../../state/slices/view-slice';
import { VIEW_SETTINGS } from '../../state/view-settings';
import { drawColorBar } from '../render/colormap';
import { formatScale } from '../render/export-png';
import { useApp, useAppState } from '../context';
import { SettingSelect } from './SettingSelect';

/** Overlay opacity, colormap with its colour bar and scale, and how maps are normalised. */
export function DisplayControls() {
  const { store } = useApp();
  const opacity = useAppState((s) => s.opacity);
  const clip = useAppState((s) => s.clipPercentile);
  return (
    <div className="display-controls stack">
      <label>
        {VIEW_SETTINGS.opacity.label} <output>{Math.round(opacity * 100)}%</output>
        <input
          type="range"
          data-testid="opacity"
          min={VIEW_SETTINGS.opacity.min}
          max={VIEW_SETTINGS.opacity.max}
          step={VIEW_SETTINGS.opacity.step}
          value={opacity}
          onChange={(e) => store.getState().setOpacity(Number(e.target.value))}
        />
      </label>
      <SettingSelect name="colormap" testId="colormap-select" />
      <ColorBar />
      <SettingSelect name="normalization" testId="normalization-select" />
      <label
        className="checkbox"
        title="Full colour at the 99.5th percentile of |map| instead of its maximum"
      >
        <input
          type="checkbox"
          data-testid="clip-toggle"
          checked={clip !== null}
          onChange={(e) =>
            store.getState().setClipPercentile(e.target.checked ? DEFAULT_CLIP_PERCENTILE : null)
          }
        />
        {VIEW_SETTINGS.clipPercentile.label}
      </label>
      <SettingSelect
        name="gamma"
        testId="contrast-select"
        title="Pixel-level maps span several decades: a smaller exponent shows the weaker evidence too"
      />
      <SettingSelect
        name="finalMap"
        testId="final-map-select"
        title="How the map at the input (layer 0) is built from the chain; other layers show their own map"
      />
    </div>
  );
}

/** The colours of the main pane and the map values they stand for. */
function ColorBar() {
  const { signed, colormap: name, scale } = useAppState(useShallow((s) => colourBar(s, 'main')));
  const gamma = useAppState((s) => s.gamma);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) drawColorBar(canvas.current, name, signed);
  }, [name, signed]);
  return (
    <div className="color-bar" data-testid="color-bar" data-colormap={name} data-signed={signed}>
      <canvas ref={canvas} width={256} height={12} aria-label={`${name} colour bar`} />
      <div className="color-bar-ticks">
        <span>{scale === null ? '' : signed ? formatScale(-scale) : '0'}</span>
        {/* The bar is linear in displayed colour; with a contrast exponent its middle stands for 0.5^(1/gamma). */}
        <span>{scale === null ? '' : signed ? '0' : formatScale(scale * 0.5 ** (1 / gamma))}</span>
        <span>{scale === null ? '' : formatScale(scale)}</span>
      </div>
      <p className="hint">{signed ? 'red: for the class · blue: against' : 'non-negative map'}</p>
    </div>
  );
}
