/**
 * The all-methods figure: one tile per method (the model input with its map over it), the method's name and
 * full-colour value under each, the colour bars of the signed and non-negative maps, and a caption, on a
 * white background for a paper.
 */
import type { ColormapName } from '../../core/colormap';
import type { RgbaImage } from '../../core/preprocess';
import type { MapData, ViewSpec } from '../../engine/types';
import { renderMapData } from '../../engine/views';
import { drawColorBar } from './colormap';
import { formatScale } from './export-png';
import { rgbaSource } from './rgba';

export interface GridFigure {
  input: RgbaImage;
  opacity: number;
  display: Pick<ViewSpec, 'clipPercentile' | 'colormap' | 'gamma'>;
  cells: { label: string; map: MapData }[];
  caption: string;
}

const COLUMNS = 5;
const TILE = 224;
const GAP = 12;
const LINE = 16;
const BAR = 10;

export function composeGrid(f: GridFigure): HTMLCanvasElement {
  const rows = Math.ceil(f.cells.length / COLUMNS);
  const cellH = TILE + 2 * LINE + 4;
  const canvas = document.createElement('canvas');
  canvas.width = GAP + COLUMNS * (TILE + GAP);
  canvas.height = GAP + rows * (cellH + GAP) + BAR + 2 * LINE + GAP;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#111111';
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  const picture = rgbaSource(f.input);
  const colormaps = new Map<boolean, ColormapName>();
  f.cells.forEach(({ label, map }, k) => {
    const x = GAP + (k % COLUMNS) * (TILE + GAP);
    const y = GAP + Math.floor(k / COLUMNS) * (cellH + GAP);
    const { rgba, info } = renderMapData(map, f.display);
    colormaps.set(info.signed, info.colormap);
    ctx.drawImage(picture, x, y, TILE, TILE);
    ctx.globalAlpha = f.opacity;
    ctx.drawImage(rgbaSource({ width: map.width, height: map.height, data: rgba }), x, y, TILE, TILE);
    ctx.globalAlpha = 1;
    ctx.fillText(label, x, y + TILE + 4);
    ctx.fillText(
      `full colour at ${info.signed ? '±' : ''}${formatScale(info.scale)}`,
      x,
      y + TILE + 4 + LINE,
    );
  });
  // One bar per kind of map: signed (diverging, -1..1) and non-negative (0..1).
  let barX = GAP;
  const barY = GAP + rows * (cellH + GAP);
  for (const [signed, name] of colormaps) {
    const bar = document.createElement('canvas');
    bar.width = TILE;
    bar.height = BAR;
    drawColorBar(bar, name, signed);
    ctx.drawImage(bar, barX, barY);
    ctx.fillText(signed ? '−full  ·  0  ·  +full' : '0  ·  full', barX, barY + BAR + 2);
    barX += TILE + GAP;
  }
  ctx.fillText(f.caption, GAP, barY + BAR + 2 + LINE);
  return canvas;
}
