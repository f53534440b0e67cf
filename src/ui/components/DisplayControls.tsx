import { useEffect, useRef } from 'react';
import type { Normalization } from '../../engine/types';
import { CONTRASTS } from '../../core/colormap';
import { COLORMAPS } from '../../state/share-codec';
import { DEFAULT_CLIP_PERCENTILE } from '../../state/slices/view-slice';
import type { ColormapChoice } from '../../state/types';
import { drawColorBar, resolveColormap } from '../render/colormap';
import { formatScale } from '../render/export-png';
import { useApp, useAppState } from '../context';

/** Overlay opacity, colormap with its colour bar and scale, and how maps are normalised. */
export function DisplayControls() {
  const { store } = useApp();
  const opacity = useAppState((s) => s.opacity);
  const colormap = useAppState((s) => s.colormap);
  const normalization = useAppState((s) => s.normalization);
  const clip = useAppState((s) => s.clipPercentile);
  const gamma = useAppState((s) => s.gamma);
  return (
    <div className="display-controls">
      <label>
        Opacity <output>{Math.round(opacity * 100)}%</output>
        <input
          type="range"
          data-testid="opacity"
          min={0}
          max={1}
          step={0.05}
          value={opacity}
          onChange={(e) => store.getState().setOpacity(Number(e.target.value))}
        />
      </label>
      <label>
        Colormap
        <select
          data-testid="colormap-select"
          value={colormap}
          onChange={(e) => store.getState().setColormap(e.target.value as ColormapChoice)}
        >
          {COLORMAPS.map((c) => (
            <option key={c} value={c}>
              {c === 'auto' ? 'auto (diverging if signed)' : c}
            </option>
          ))}
        </select>
      </label>
      <ColorBar />
      <label>
        Normalisation
        <select
          data-testid="normalization-select"
          value={normalization}
          onChange={(e) => store.getState().setNormalization(e.target.value as Normalization)}
        >
          <option value="layer">per map (own maximum)</option>
          <option value="shared">shared (net, P, N on one scale)</option>
        </select>
      </label>
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
        Clip outliers (99.5th percentile)
      </label>
      <label title="Pixel-level maps span several decades: a smaller exponent shows the weaker evidence too">
        Contrast
        <select
          data-testid="contrast-select"
          value={gamma}
          onChange={(e) => store.getState().setGamma(Number(e.target.value))}
        >
          {CONTRASTS.map((g) => (
            <option key={g} value={g}>
              {g === 1 ? 'linear' : `|v|^${g} (weak evidence lifted)`}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** The colours of the main pane and the map values they stand for. */
function ColorBar() {
  const info = useAppState((s) => s.rendered.main?.info ?? null);
  const choice = useAppState((s) => s.colormap);
  const gamma = useAppState((s) => s.gamma);
  const canvas = useRef<HTMLCanvasElement>(null);
  const signed = info?.signed ?? true;
  const name = info?.colormap ?? resolveColormap(choice, signed);
  useEffect(() => {
    if (canvas.current) drawColorBar(canvas.current, name, signed);
  }, [name, signed]);
  const scale = info?.scale ?? null;
  return (
    <div className="color-bar" data-testid="color-bar">
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
