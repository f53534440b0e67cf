/**
 * The GPU memory of one model: forward values (filled per input), flux and excitation buffers (per
 * explanation / per input), constants (uploaded once per model), the shared coefficient scratch and the
 * rule uniform. It is the PlanContext the planners draw from, so every buffer a kernel binds exists once.
 */
import type { IrGraph } from '../core/onnx/ir';
import type { GpuContext } from './context';
import type { BufferSlice } from './kernel';
import { F32, FLUX_BYTES, slice, VEC4_BYTES, type PlanContext } from './plan/context';
import { numelOf } from './plan/host-arrays';
import { RULE_LAYOUT } from './plan/rule';

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export class ModelBuffers implements PlanContext {
  readonly rule: BufferSlice;
  readonly maxBindingBytes: number;
  private readonly values = new Map<string, BufferSlice>();
  private readonly fluxes = new Map<string, BufferSlice>();
  private readonly excitations = new Map<string, BufferSlice>();
  private readonly constants = new Map<string, BufferSlice>();
  private scratchSlice: BufferSlice | undefined;
  private readonly pooled: GPUBuffer[] = [];
  private readonly owned: GPUBuffer[] = [];

  constructor(
    private readonly gpu: GpuContext,
    readonly g: IrGraph,
    /** Elements of the largest output any node writes coefficients or window statistics for. */
    private readonly scratchElements: number,
    maxBindingBytes?: number,
  ) {
    const limits = gpu.device.limits;
    this.maxBindingBytes =
      maxBindingBytes ?? Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const ruleBuffer = gpu.device.createBuffer({
      label: 'rule',
      size: RULE_LAYOUT.size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.owned.push(ruleBuffer);
    this.rule = { buffer: ruleBuffer, size: RULE_LAYOUT.size };
  }

  dims(name: string): readonly number[] {
    const d = this.g.shapes.get(name);
    if (!d) throw new Error(`no shape for tensor '${name}'`);
    return d;
  }

  private fromPool(
    map: Map<string, BufferSlice>,
    name: string,
    bytesPerElement: number,
    what: string,
  ): BufferSlice {
    let s = map.get(name);
    if (!s) {
      const n = numelOf(this.dims(name));
      const buffer = this.gpu.pool.acquire(Math.max(1, n) * bytesPerElement, STORAGE, `${what} ${name}`);
      this.pooled.push(buffer);
      s = slice(buffer, n, bytesPerElement);
      map.set(name, s);
    }
    return s;
  }

  value(name: string): BufferSlice {
    return this.fromPool(this.values, name, F32, 'value');
  }

  flux(name: string): BufferSlice {
    return this.fromPool(this.fluxes, name, FLUX_BYTES, 'flux');
  }

  excitation(name: string): BufferSlice {
    return this.fromPool(this.excitations, name, VEC4_BYTES, 'excitation');
  }

  scratch(elements: number): BufferSlice {
    if (elements > this.scratchElements) {
      throw new Error(`scratch of ${elements} elements requested, ${this.scratchElements} planned`);
    }
    if (!this.scratchSlice) {
      const bytes = Math.max(1, this.scratchElements) * VEC4_BYTES;
      const buffer = this.gpu.pool.acquire(bytes, STORAGE, 'scratch');
      this.pooled.push(buffer);
      this.scratchSlice = { buffer, size: bytes };
    }
    return { buffer: this.scratchSlice.buffer, size: Math.max(1, elements) * VEC4_BYTES };
  }

  constant(key: string, make: () => Float32Array): BufferSlice {
    let s = this.constants.get(key);
    if (!s) {
      const data = make();
      const buffer = this.gpu.upload(data, key);
      this.owned.push(buffer);
      s = { buffer, size: Math.max(4, data.byteLength) };
      this.constants.set(key, s);
    }
    return s;
  }

  /** Tensors whose forward values the kernels read (the engine fills them per input). */
  valueNames(): string[] {
    return [...this.values.keys()];
  }

  /** Flux buffers, to clear before every explanation. */
  fluxSlices(): BufferSlice[] {
    return [...this.fluxes.values()];
  }

  destroy(): void {
    for (const b of this.pooled) this.gpu.pool.release(b);
    for (const b of this.owned) b.destroy();
    this.pooled.length = 0;
    this.owned.length = 0;
  }
}
