import type { PreprocessSpec, RgbaImage } from '../core/preprocess';

/**
 * The preprocessed NCHW tensor turned back into 8-bit RGBA: exactly what the model sees (crop, resampling,
 * channel order undone), for the input view under the overlay.
 */
export function inputPreview(tensor: Float32Array, spec: PreprocessSpec): RgbaImage {
  const n = spec.width * spec.height;
  const data = new Uint8ClampedArray(4 * n);
  const pixel = (plane: number, ch: number, i: number) =>
    (tensor[plane * n + i] * spec.std[ch] + spec.mean[ch]) / spec.scale;
  for (let i = 0; i < n; i++) {
    if (spec.channels === 1) {
      const v = pixel(0, 0, i);
      data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
    } else {
      for (let ch = 0; ch < 3; ch++) {
        // The tensor's plane `ch` holds source channel `ch` (rgb) or `2 - ch` (bgr).
        const src = spec.channelOrder === 'rgb' ? ch : 2 - ch;
        data[4 * i + src] = pixel(ch, ch, i);
      }
    }
    data[4 * i + 3] = 255;
  }
  return { width: spec.width, height: spec.height, data };
}
