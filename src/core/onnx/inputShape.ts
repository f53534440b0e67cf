/**
 * Concrete shapes for the graph inputs. Exporters leave dimensions symbolic ('batch_size', 'N', tf2onnx's
 * 'unk__12', or no value at all); the chain needs numbers everywhere:
 * - the batch (axis 0) becomes 1: images are explained one at a time (spec 2);
 * - the spatial axes of a 4-D image input (H, W of NCHW, or of NHWC, see layout.ts) become the caller's
 *   `inputSize`, else the model's metadata hint panescope.input_size, else 224 (the ImageNet size). A model
 *   that only works at one size (a Flatten before its classifier) must say which, by metadata or option;
 *   when shape inference then fails, the error says what was assumed (see `assumedSizeNote`);
 * - a symbolic channel axis becomes the metadata's channel count (1 for Image.BitmapPixelFormat Gray8) or 3.
 * `inputShape` replaces the first input's declared shape altogether.
 */
import type { IrGraph, ValueInfo } from './ir';
import { inputLayout, type ImageLayout } from './layout';
import { preprocessHints } from './preprocessHints';

export const DEFAULT_IMAGE_SIZE = 224;

export interface InputShapeOptions {
  /** Concrete shape of the (first) data input, in its own layout. */
  inputShape?: readonly number[];
  /** Spatial size of a 4-D image input; must agree with dimensions the model fixes. */
  inputSize?: { height: number; width: number };
}

interface ImageAxes {
  channel: number;
  height: number;
  width: number;
}

function imageAxes(layout: ImageLayout): ImageAxes {
  return layout === 'NHWC' ? { channel: 3, height: 1, width: 2 } : { channel: 1, height: 2, width: 3 };
}

function checkFits(v: ValueInfo, shape: readonly number[]): void {
  const fits =
    v.shape.length === 0 ||
    (v.shape.length === shape.length && v.shape.every((d, i) => typeof d === 'string' || d === shape[i]));
  if (!fits)
    throw new Error(`input shape [${shape}] does not fit input '${v.name}' declared as [${v.shape}]`);
}

/** The image input's concrete shape, symbolic axes filled in as the module comment says. */
function imageShape(g: IrGraph, v: ValueInfo, opts: InputShapeOptions): number[] {
  const axes = imageAxes(inputLayout(g));
  const hints = preprocessHints(g);
  const size = opts.inputSize ?? {
    height: hints.height ?? DEFAULT_IMAGE_SIZE,
    width: hints.width ?? DEFAULT_IMAGE_SIZE,
  };
  const shape = v.shape.map((d, i) => {
    if (i === axes.height && opts.inputSize) return size.height;
    if (i === axes.width && opts.inputSize) return size.width;
    if (typeof d === 'number') return d;
    if (i === 0) return 1;
    if (i === axes.channel) return hints.channels ?? 3;
    return i === axes.height ? size.height : size.width;
  });
  if (opts.inputSize) checkFits(v, shape);
  return shape;
}

export function resolveInputShapes(g: IrGraph, opts: InputShapeOptions = {}): Map<string, number[]> {
  const out = new Map<string, number[]>();
  g.inputs.forEach((v, index) => {
    if (index === 0 && opts.inputShape) {
      checkFits(v, opts.inputShape);
      out.set(v.name, [...opts.inputShape]);
      return;
    }
    if (index === 0 && v.shape.length === 4) {
      out.set(v.name, imageShape(g, v, opts));
      return;
    }
    out.set(
      v.name,
      v.shape.map((d, i) => {
        if (typeof d === 'number') return d;
        if (i === 0) return 1;
        throw new Error(
          `input '${v.name}' has a symbolic dimension '${d}' at axis ${i} of [${v.shape}]; ` +
            `give a concrete input shape (inputShape) to prepare the graph`,
        );
      }),
    );
  });
  return out;
}

/**
 * What was assumed about the image input's spatial size, for errors of shape inference: null when the size
 * was given or fixed by the model.
 */
export function assumedSizeNote(g: IrGraph, opts: InputShapeOptions): string | null {
  const v = g.inputs[0];
  if (!v || v.shape.length !== 4 || opts.inputShape || opts.inputSize) return null;
  const axes = imageAxes(inputLayout(g));
  if (typeof v.shape[axes.height] === 'number' && typeof v.shape[axes.width] === 'number') return null;
  const shape = resolveInputShapes(g).get(v.name)!;
  return (
    `input '${v.name}' [${v.shape}] has a symbolic spatial size, taken as ` +
    `${shape[axes.height]} x ${shape[axes.width]}; ` +
    `give the size the model was exported for (metadata panescope.input_size, or --input-size)`
  );
}
