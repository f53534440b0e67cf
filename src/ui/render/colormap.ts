/** Colour bars and small maps, drawn with the same lookup tables the engines use (core/colormap). */
import { applyContrast, colormapLut, lutIndex, type ColormapName } from '../../core/colormap';
import type { MapData } from '../../engine/types';
import type { ColormapChoice } from '../../state/types';

/** 'auto' is diverging for signed maps and sequential for non-negative ones (PANE-SPEC 4.5). */
export function resolveColormap(choice: ColormapChoice, signed: boolean): ColormapName {
  if (choice !== 'auto') return choice;
  return signed ? 'diverging' : 'sequential';
}

/** A horizontal bar from -1 (or 0) on the left to +1 on the right. */
export function drawColorBar(canvas: HTMLCanvasElement, colormap: ColormapName, signed: boolean): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const lut = colormapLut(colormap);
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let x = 0; x < canvas.width; x++) {
    const t = canvas.width === 1 ? 1 : x / (canvas.width - 1);
    const k = 4 * lutIndex(signed ? 2 * t - 1 : t, signed);
    for (let y = 0; y < canvas.height; y++) {
      const o = 4 * (y * canvas.width + x);
      image.data.set(lut.subarray(k, k + 4), o);
    }
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * A small map, scaled by its own largest magnitude and put through the display contrast (an all-zero map
 * stays at the zero colour).
 */
export function drawMapThumbnail(
  canvas: HTMLCanvasElement,
  map: MapData,
  choice: ColormapChoice,
  gamma: number,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  if (canvas.width !== map.width) canvas.width = map.width;
  if (canvas.height !== map.height) canvas.height = map.height;
  const lut = colormapLut(resolveColormap(choice, map.signed));
  let max = 0;
  for (let i = 0; i < map.data.length; i++) max = Math.max(max, Math.abs(map.data[i]));
  const image = ctx.createImageData(map.width, map.height);
  for (let i = 0; i < map.data.length; i++) {
    const k = 4 * lutIndex(applyContrast(max > 0 ? map.data[i] / max : 0, gamma), map.signed);
    image.data.set(lut.subarray(k, k + 4), 4 * i);
  }
  ctx.putImageData(image, 0, 0);
}
