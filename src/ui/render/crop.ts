/**
 * The crop editor's geometry and drawing: the whole source image fitted into the canvas, the model's crop
 * as a bright rectangle with a resize handle, the rest dimmed. Crops keep the model input's aspect ratio.
 */
import { clampCrop, type CropRect } from '../../core/preprocess';

const MIN_CROP_PX = 8;
const HANDLE_PX = 12;

export interface Placement {
  scale: number;
  dx: number;
  dy: number;
}

export function moveCrop(c: CropRect, dx: number, dy: number, imgW: number, imgH: number): CropRect {
  return clampCrop({ ...c, x: c.x + dx, y: c.y + dy }, imgW, imgH);
}

/** New width, same aspect, about `anchor` ('center' keeps the centre, 'topleft' the top-left corner). */
export function resizeCrop(
  c: CropRect,
  width: number,
  aspect: number,
  imgW: number,
  imgH: number,
  anchor: 'center' | 'topleft',
): CropRect {
  const maxW = Math.min(imgW, imgH * aspect);
  const w = Math.min(maxW, Math.max(MIN_CROP_PX, width));
  const h = w / aspect;
  const x = anchor === 'center' ? c.x + (c.width - w) / 2 : c.x;
  const y = anchor === 'center' ? c.y + (c.height - h) / 2 : c.y;
  return clampCrop({ x, y, width: w, height: h }, imgW, imgH);
}

/** The crop in canvas pixels. */
export function cropOnCanvas(c: CropRect, p: Placement) {
  return {
    x: p.dx + c.x * p.scale,
    y: p.dy + c.y * p.scale,
    width: c.width * p.scale,
    height: c.height * p.scale,
  };
}

export type CropHit = 'resize' | 'move' | 'outside';

export function hitTest(c: CropRect, p: Placement, px: number, py: number): CropHit {
  const r = cropOnCanvas(c, p);
  const cornerX = r.x + r.width;
  const cornerY = r.y + r.height;
  if (Math.abs(px - cornerX) <= HANDLE_PX && Math.abs(py - cornerY) <= HANDLE_PX) return 'resize';
  if (px >= r.x && px <= cornerX && py >= r.y && py <= cornerY) return 'move';
  return 'outside';
}

export function drawCropOverlay(
  canvas: HTMLCanvasElement,
  c: CropRect,
  p: Placement,
  imgW: number,
  imgH: number,
) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const r = cropOnCanvas(c, p);
  ctx.save();
  // Dim the image outside the crop (even-odd fill of image rect minus crop rect).
  ctx.beginPath();
  ctx.rect(p.dx, p.dy, imgW * p.scale, imgH * p.scale);
  ctx.rect(r.x, r.y, r.width, r.height);
  ctx.fillStyle = 'rgba(8, 10, 14, 0.6)';
  ctx.fill('evenodd');
  ctx.strokeStyle = '#f5c542';
  ctx.lineWidth = 2;
  ctx.strokeRect(r.x, r.y, r.width, r.height);
  ctx.fillStyle = '#f5c542';
  ctx.fillRect(r.x + r.width - HANDLE_PX / 2, r.y + r.height - HANDLE_PX / 2, HANDLE_PX, HANDLE_PX);
  ctx.restore();
}
