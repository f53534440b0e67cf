/**
 * A kernel is data: which shader, how many threads, and what is bound to each of the shader's variables.
 * Op planners produce these records; the pipeline manager turns them into pipelines, bind groups and
 * dispatches. Nothing here touches the device, so plans can be inspected and tested in Node.
 */
import type { Shader } from './shader';
import type { UniformValue } from './wgsl-reflect';

/** A byte range of a buffer. The size is always explicit: onnxruntime rounds its buffers up. */
export interface BufferSlice {
  buffer: GPUBuffer;
  offset?: number;
  size: number;
}

export interface Kernel {
  /** Shown in validation errors and GPU captures, e.g. 'conv_adjoint fire2/squeeze1x1'. */
  label: string;
  shader: Shader;
  /** Threads to run: one per element of the kernel's index space (see dispatch.ts). */
  threads: number;
  /** Storage buffers and shared uniform buffers, by WGSL variable name. */
  buffers: Record<string, BufferSlice>;
  /** Uniform structs the manager packs and owns, by WGSL variable name, then field name. */
  uniforms?: Record<string, Record<string, UniformValue>>;
}
