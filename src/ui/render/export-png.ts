/**
 * The figure exports: the model input with the map over it at the chosen opacity, the colour bar with its
 * scale, and a caption (model, class, method or layer and view), as a PNG at 1x or 2x the model resolution
 * on a white, transparent or dark background, or as an SVG (the picture and the map as embedded PNGs, the
 * colour bar as a 256-stop gradient of the same table, the text as text). Both share one layout.
 */
import { colormapLut, type ColormapName } from '../../core/colormap';
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
  /** Display contrast exponent: the bar's middle tick stands for 0.5^(1/gamma) of the scale. */
  gamma: number;
  caption: string[];
}

export type ExportBackground = 'white' | 'transparent' | 'dark';

export interface ExportStyle {
  /** Pixels per model-input pixel: 1 or 2. */
  zoom: number;
  background: ExportBackground;
}

export const DEFAULT_EXPORT_STYLE: ExportStyle = { zoom: 2, background: 'white' };

const MARGIN = 16;
const BAR_HEIGHT = 14;
const LINE = 18;
const FONT = 13;

const BACKGROUNDS: Record<ExportBackground, string | null> = {
  white: '#ffffff',
  transparent: null,
  dark: '#101318',
};

/** Where everything goes, in output pixels. */
function exportLayout(p: Pick<ExportPicture, 'input' | 'caption'>, zoom: number) {
  const w = p.input.width * zoom;
  const h = p.input.height * zoom;
  const margin = MARGIN * zoom;
  const barY = h + 2 * margin;
  const line = LINE * zoom;
  return {
    width: w + 2 * margin,
    height: h + 3 * margin + BAR_HEIGHT * zoom + line + p.caption.length * line,
    picture: { x: margin, y: margin, w, h },
    bar: { x: margin, y: barY, w, h: BAR_HEIGHT * zoom },
    tickY: barY + BAR_HEIGHT * zoom + 3 * zoom,
    captionY: (i: number) => barY + BAR_HEIGHT * zoom + 3 * zoom + line * (i + 1),
    font: FONT * zoom,
  };
}

/** The bar's three ticks: -s, 0, s for signed maps; 0, the value shown at mid-colour, s otherwise. */
function exportTicks(p: Pick<ExportPicture, 'signed' | 'scale' | 'gamma'>): string[] {
  const ticks = p.signed ? [-p.scale, 0, p.scale] : [0, p.scale * 0.5 ** (1 / p.gamma), p.scale];
  return ticks.map(formatScale);
}

function textColour(background: ExportBackground): string {
  return background === 'dark' ? '#d8dee9' : '#111111';
}

export function composeExport(
  p: ExportPicture,
  style: ExportStyle = DEFAULT_EXPORT_STYLE,
): HTMLCanvasElement {
  const L = exportLayout(p, style.zoom);
  const canvas = document.createElement('canvas');
  canvas.width = L.width;
  canvas.height = L.height;
  const ctx = canvas.getContext('2d')!;
  const fill = BACKGROUNDS[style.background];
  if (fill) {
    ctx.fillStyle = fill;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  }
  ctx.imageSmoothingEnabled = false;
  const { x, y, w, h } = L.picture;
  ctx.drawImage(rgbaSource(p.input), x, y, w, h);
  ctx.globalAlpha = p.opacity;
  ctx.drawImage(p.overlay, x, y, w, h);
  ctx.globalAlpha = 1;

  const bar = document.createElement('canvas');
  bar.width = L.bar.w;
  bar.height = L.bar.h;
  drawColorBar(bar, p.colormap, p.signed);
  ctx.drawImage(bar, L.bar.x, L.bar.y);
  ctx.fillStyle = textColour(style.background);
  ctx.font = `${L.font}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  exportTicks(p).forEach((label, i) => {
    const width = ctx.measureText(label).width;
    const at = L.bar.x + (i * L.bar.w) / 2 - (i === 0 ? 0 : i === 2 ? width : width / 2);
    ctx.fillText(label, at, L.tickY);
  });
  p.caption.forEach((line, i) => ctx.fillText(line, L.bar.x, L.captionY(i)));
  return canvas;
}

/**
 * The same figure as SVG: the input and the map as embedded PNG rasters (nearest-neighbour scaling, so
 * every model pixel stays a square), the colour bar as a linear gradient through the colormap's 256 entries,
 * the ticks and caption as text.
 */
export function composeSvg(p: ExportPicture, style: ExportStyle = DEFAULT_EXPORT_STYLE): string {
  const L = exportLayout(p, style.zoom);
  const fill = BACKGROUNDS[style.background];
  const colour = textColour(style.background);
  const lut = colormapLut(p.colormap);
  const stops = Array.from({ length: 256 }, (_, i) => {
    const hex = [0, 1, 2].map((c) => lut[4 * i + c].toString(16).padStart(2, '0')).join('');
    return `<stop offset="${(i / 255).toFixed(4)}" stop-color="#${hex}"/>`;
  });
  const { x, y, w, h } = L.picture;
  const raster = (href: string, opacity: number, id: string) =>
    `<image id="${id}" x="${x}" y="${y}" width="${w}" height="${h}" preserveAspectRatio="none" ` +
    `style="image-rendering:pixelated"${opacity < 1 ? ` opacity="${opacity}"` : ''} href="${href}"/>`;
  const ticks = exportTicks(p);
  const anchors = ['start', 'middle', 'end'];
  const text = (s: string, tx: number, ty: number, anchor = 'start') =>
    `<text x="${tx}" y="${ty}" text-anchor="${anchor}" dominant-baseline="hanging">${escapeXml(s)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" ` +
      `viewBox="0 0 ${L.width} ${L.height}">`,
    `<defs><linearGradient id="colour-bar" x1="0" x2="1" y1="0" y2="0">${stops.join('')}</linearGradient></defs>`,
    fill ? `<rect width="100%" height="100%" fill="${fill}"/>` : '',
    raster(pngDataUrl(rgbaSource(p.input), p.input.width, p.input.height), 1, 'picture'),
    raster(pngDataUrl(p.overlay, p.input.width, p.input.height), p.opacity, 'map'),
    `<rect id="bar" x="${L.bar.x}" y="${L.bar.y}" width="${L.bar.w}" height="${L.bar.h}" fill="url(#colour-bar)"/>`,
    `<g fill="${colour}" font-family="system-ui, sans-serif" font-size="${L.font}">`,
    ...ticks.map((t, i) => text(t, L.bar.x + (i * L.bar.w) / 2, L.tickY, anchors[i])),
    ...p.caption.map((c, i) => text(c, L.bar.x, L.captionY(i))),
    '</g>',
    '</svg>',
  ].join('\n');
}

/** A drawable (a 2-D or WebGPU canvas, an image) at the model resolution as a PNG data URL. */
function pngDataUrl(source: CanvasImageSource, width: number, height: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.drawImage(source, 0, 0, width, height);
  return canvas.toDataURL('image/png');
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Map values span many decades; three significant digits, exponent form outside [1e-3, 1e4). */
export function formatScale(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? Number(v.toPrecision(3)).toString() : v.toExponential(2);
}
