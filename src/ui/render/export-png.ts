/**
 * The PNG export: the model input with the map over it at the chosen opacity, the colour bar with its scale,
 * and a caption (model, class, layer, view, rule), drawn at twice the model resolution.
 */
import type { ColormapName } from '../../core/colormap';
import type { RgbaImage } from '../../core/preprocess';
import { drawColorBar } from './colormap';
import { rgbaSource } from './rgba';

export interface ExportPicture {
  input: RgbaImage;
  overlay: CanvasImageSource;
  opacity: number;
  colormap: ColormapName;
  signed: boolean;
  scale: number;
  caption: string[];
}

const ZOOM = 2;
const MARGIN = 16;
const BAR_HEIGHT = 14;
const LINE = 18;

export function composeExport(p: ExportPicture): HTMLCanvasElement {
  const w = p.input.width * ZOOM;
  const h = p.input.height * ZOOM;
  const canvas = document.createElement('canvas');
  canvas.width = w + 2 * MARGIN;
  canvas.height = h + 3 * MARGIN + BAR_HEIGHT + LINE + p.caption.length * LINE;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#101318';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(rgbaSource(p.input), MARGIN, MARGIN, w, h);
  ctx.globalAlpha = p.opacity;
  ctx.drawImage(p.overlay, MARGIN, MARGIN, w, h);
  ctx.globalAlpha = 1;

  const bar = document.createElement('canvas');
  bar.width = w;
  bar.height = BAR_HEIGHT;
  drawColorBar(bar, p.colormap, p.signed);
  const barY = h + 2 * MARGIN;
  ctx.drawImage(bar, MARGIN, barY);
  ctx.fillStyle = '#d8dee9';
  ctx.font = '13px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  const ticks = p.signed ? [-p.scale, 0, p.scale] : [0, p.scale / 2, p.scale];
  ticks.forEach((v, i) => {
    const label = formatScale(v);
    const x =
      MARGIN +
      (i * w) / 2 -
      (i === 0 ? 0 : i === 2 ? ctx.measureText(label).width : ctx.measureText(label).width / 2);
    ctx.fillText(label, x, barY + BAR_HEIGHT + 3);
  });
  p.caption.forEach((line, i) => ctx.fillText(line, MARGIN, barY + BAR_HEIGHT + 3 + LINE * (i + 1)));
  return canvas;
}

/** Map values span many decades; three significant digits, exponent form outside [1e-3, 1e4). */
export function formatScale(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? Number(v.toPrecision(3)).toString() : v.toExponential(2);
}
