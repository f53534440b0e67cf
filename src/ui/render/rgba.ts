/** Pixels from the registry onto canvases. */
import type { RgbaImage } from '../../core/preprocess';

function toImageData(img: RgbaImage): ImageData {
  const data =
    img.data instanceof Uint8ClampedArray
      ? img.data
      : new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return new ImageData(data as Uint8ClampedArray<ArrayBuffer>, img.width, img.height);
}

/** Draws the image at its own size; the canvas takes the image's size. */
export function drawRgba(canvas: HTMLCanvasElement, img: RgbaImage): void {
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  canvas.getContext('2d')?.putImageData(toImageData(img), 0, 0);
}

/** An image as a drawable source, for scaled drawing with drawImage. */
export function rgbaSource(img: RgbaImage): OffscreenCanvas {
  const canvas = new OffscreenCanvas(img.width, img.height);
  canvas.getContext('2d')?.putImageData(toImageData(img), 0, 0);
  return canvas;
}

/** Draws a source scaled to fit the canvas (letterboxed, centred); returns the placement. */
export function drawFitted(canvas: HTMLCanvasElement, source: CanvasImageSource, w: number, h: number) {
  const ctx = canvas.getContext('2d');
  const scale = Math.min(canvas.width / w, canvas.height / h);
  const dx = (canvas.width - w * scale) / 2;
  const dy = (canvas.height - h * scale) / 2;
  if (ctx) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(source, dx, dy, w * scale, h * scale);
  }
  return { scale, dx, dy };
}
