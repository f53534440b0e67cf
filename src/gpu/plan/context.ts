/**
 * What an op planner may ask for while it turns one IR node into kernel records: the GPU buffers of the
 * tensors around the node (forward values, flux, excitation), constants uploaded once per model, and the
 * shared scratch and rule buffers. The engine and the kernel tests provide it.
 *
 * Buffer layouts, per element of a tensor in row-major order:
 *   value       f32                          the forward value (onnxruntime's buffer, or ours)
 *   flux        vec2<f32> (T, R)             the double chain, accumulated over the tensor's consumers
 *   excitation  vec4<f32> (E+, E-, b, z)     of affine outputs: data contributions by sign, the constant
 *                                            part, and the forward value (whose sign is the polarity)
 *   scratch     vec4<f32>                    per-output coefficients of the node being processed
 */
import type { IrGraph } from '../../core/onnx/ir';
import type { BufferSlice, Kernel } from '../kernel';

export interface PlanContext {
  readonly g: IrGraph;
  dims(name: string): readonly number[];
  value(name: string): BufferSlice;
  flux(name: string): BufferSlice;
  excitation(name: string): BufferSlice;
  /** The shared coefficient scratch, at least `elements` vec4 long. */
  scratch(elements: number): BufferSlice;
  /**
   * A constant uploaded once and cached under `key` (e.g. 'W:conv1'); `make` runs only on a miss and
   * returns float32 data.
   */
  constant(key: string, make: () => Float32Array): BufferSlice;
  /** The shared uniform buffer holding the rule (see ruleUniform). */
  readonly rule: BufferSlice;
  /** Largest constant in bytes one binding may hold (the device's storage binding limit). */
  readonly maxBindingBytes: number;
}

/** Kernels of one node: the forward excitation split (per input) and the chain step (per explanation). */
export interface NodeKernels {
  excite: Kernel[];
  chain: Kernel[];
}

export const F32 = 4;
export const FLUX_BYTES = 8;
export const VEC4_BYTES = 16;

/** A whole tensor's buffer slice with the element size of its layout. */
export function slice(buffer: GPUBuffer, elements: number, bytesPerElement: number): BufferSlice {
  return { buffer, offset: 0, size: Math.max(1, elements) * bytesPerElement };
}

/** Right-aligns `dims` to 8 axes, filling the front with `fill` (shapes for the 8-axis shaders). */
export function align8(dims: readonly number[], fill: number): number[] {
  if (dims.length > 8) throw new Error(`tensors of rank ${dims.length} are not supported (at most 8)`);
  return [...new Array<number>(8 - dims.length).fill(fill), ...dims];
}

/**
 * Strides of a tensor of `dims` read at the coordinates of an output of `outDims` (numpy broadcasting):
 * row-major strides, 0 along broadcast axes, right-aligned to 8 axes.
 */
export function broadcastStrides8(dims: readonly number[], outDims: readonly number[]): number[] {
  const own: number[] = new Array<number>(dims.length);
  let acc = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    own[d] = acc;
    acc *= dims[d];
  }
  const offset = outDims.length - dims.length;
  if (offset < 0) throw new Error(`cannot broadcast [${dims.join(',')}] to [${outDims.join(',')}]`);
  return align8(
    outDims.map((od, i) => {
      const k = i - offset;
      if (k < 0 || dims[k] === 1) return 0;
      if (dims[k] !== od) throw new Error(`cannot broadcast [${dims.join(',')}] to [${outDims.join(',')}]`);
      return own[k];
    }),
    0,
  );
}
