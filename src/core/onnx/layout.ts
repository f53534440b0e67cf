/**
 * Memory layout of image tensors. ONNX's spatial ops are NCHW, but TensorFlow models converted by tf2onnx
 * take an NHWC image and transpose it (perm [0, 3, 1, 2]) before the first convolution. The chain passes
 * through that Transpose to the NHWC input like any other (spec 4.3), so the final map and the map of any
 * other NHWC tensor must sum the channels on the last axis: `tensorLayout` says which tensors those are.
 */
import type { IrGraph, IrNode } from './ir';

export type ImageLayout = 'NCHW' | 'NHWC';

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** Element-wise ops with constant operands that a Keras model may apply to its input before the transpose. */
const INPUT_RESCALINGS = new Set(['Mul', 'Div', 'Add', 'Sub', 'Cast', 'Identity']);

/** Ops whose output has the layout of their data inputs (element-wise, and Concat / Pad along any axis). */
const LAYOUT_PRESERVING = new Set([
  'Relu',
  'LeakyRelu',
  'Clip',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Identity',
  'Dropout',
  'Cast',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Sum',
  'Concat',
  'Pad',
]);

function permIs(node: IrNode, perm: readonly number[]): boolean {
  const p = node.attrs.perm;
  return Array.isArray(p) && p.length === perm.length && p.every((v, i) => v === perm[i]);
}

/**
 * Layout of the (first) graph input: NHWC when it is 4-D and reaches a Transpose with perm [0, 3, 1, 2]
 * through element-wise ops with constant operands only (Shape readers aside); NCHW otherwise.
 * Works on raw (unfolded) and prepared graphs alike.
 */
export function inputLayout(g: IrGraph): ImageLayout {
  const input = g.inputs[0];
  if (!input || input.shape.length !== 4) return 'NCHW';
  let name = input.name;
  for (;;) {
    const readers = g.nodes.filter((n) => n.opType !== 'Shape' && n.inputs.includes(name));
    if (readers.length !== 1 || readers[0].domain !== '') return 'NCHW';
    const node = readers[0];
    if (node.opType === 'Transpose') return permIs(node, NHWC_TO_NCHW) ? 'NHWC' : 'NCHW';
    const once = node.inputs.filter((i) => i === name).length === 1;
    const constantsOnly = once && node.inputs.every((i) => i === '' || i === name || g.initializers.has(i));
    if (!INPUT_RESCALINGS.has(node.opType) || !constantsOnly) return 'NCHW';
    name = node.outputs[0];
  }
}

const nhwcCache = new WeakMap<IrGraph, ReadonlySet<string>>();

/** 4-D values laid out NHWC: the NHWC input, what is computed element-wise from it, and NCHW -> NHWC transposes. */
function nhwcValues(g: IrGraph): ReadonlySet<string> {
  let set = nhwcCache.get(g);
  if (set) return set;
  const nhwc = new Set<string>();
  if (inputLayout(g) === 'NHWC') nhwc.add(g.inputs[0].name);
  const rank4 = (name: string) => g.shapes.get(name)?.length === 4;
  for (const node of g.nodes) {
    const out = node.outputs[0];
    if (!out || !rank4(out)) continue;
    const fromNhwc = node.inputs.some((i) => nhwc.has(i));
    const isNhwc =
      node.opType === 'Transpose'
        ? rank4(node.inputs[0]) && !fromNhwc && permIs(node, NCHW_TO_NHWC)
        : fromNhwc && LAYOUT_PRESERVING.has(node.opType);
    if (isNhwc) nhwc.add(out);
  }
  set = nhwc;
  nhwcCache.set(g, set);
  return set;
}

/** Layout of any value of a prepared graph (NCHW for everything that is not a 4-D NHWC image tensor). */
export function tensorLayout(g: IrGraph, name: string): ImageLayout {
  return nhwcValues(g).has(name) ? 'NHWC' : 'NCHW';
}

/** The image input of a prepared graph: name, concrete dims in the model's layout, and its geometry. */
export interface ImageInput {
  name: string;
  dims: number[];
  layout: ImageLayout;
  channels: number;
  height: number;
  width: number;
}

export function imageInput(g: IrGraph): ImageInput {
  const input = g.inputs[0];
  const dims = input ? g.shapes.get(input.name) : undefined;
  if (!input || !dims || dims.length !== 4) {
    throw new Error(`the model has no 4-D image input (found [${dims ?? input?.shape ?? []}])`);
  }
  const layout = inputLayout(g);
  const [channels, height, width] = layout === 'NHWC' ? [dims[3], dims[1], dims[2]] : dims.slice(1);
  return { name: input.name, dims: [...dims], layout, channels, height, width };
}

/** Planar channels (C x H x W, what core/preprocess returns) -> the model's input layout. */
export function toModelLayout(planar: Float32Array, input: ImageInput): Float32Array {
  if (input.layout === 'NCHW') return planar;
  const { channels: C, height: H, width: W } = input;
  const out = new Float32Array(planar.length);
  for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out[p * C + c] = planar[c * H * W + p];
  return out;
}

/** The inverse of toModelLayout: a model input -> planar channels. */
export function fromModelLayout<A extends Float32Array | Float64Array>(x: A, input: ImageInput): A {
  if (input.layout === 'NCHW') return x;
  const { channels: C, height: H, width: W } = input;
  const out = new (x.constructor as { new (n: number): A })(x.length);
  for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out[c * H * W + p] = x[p * C + c];
  return out;
}
