/**
 * Test support for GPU kernels (browser tests only): one shared device for a test file, a validation
 * error scope around every test, and a PlanContext over plain buffers so that single IR nodes can be run
 * through the engine's own planners and compared with the float64 reference.
 */
import type { IrGraph } from '../../src/core/onnx/ir';
import type { PaneOptions } from '../../src/core/pane/options';
import type { Flux } from '../../src/core/pane/types';
import { numel, type Tensor } from '../../src/core/tensor';
import { GpuContext } from '../../src/gpu/context';
import type { BufferSlice } from '../../src/gpu/kernel';
import { FLUX_BYTES, VEC4_BYTES, type PlanContext } from '../../src/gpu/plan/context';
import { packRule } from '../../src/gpu/plan/rule';
import type { ModelPlan } from '../../src/gpu/model-plan';
import type { PendingRead } from '../../src/gpu/readback';

let shared: Promise<GpuContext> | undefined;

/** The device of this test file; a missing adapter fails the test (it must exist on SwiftShader). */
export function testGpu(): Promise<GpuContext> {
  shared ??= GpuContext.acquire().then((gpu) => {
    const a = gpu.adapter;
    console.log(
      `[gpu] adapter: ${a.vendor} ${a.architecture} ${a.device} ${a.description} fallback=${a.isFallbackAdapter}`,
    );
    return gpu;
  });
  return shared;
}

/**
 * Writes forward values (the float64 reference's, as float32) into every value buffer of `plan`, where the
 * engine's own forward pass would have put them.
 */
export function uploadForward(
  gpu: GpuContext,
  plan: ModelPlan,
  values: ReadonlyMap<string, { data: ArrayLike<number> }>,
): void {
  for (const name of plan.valueNames)
    gpu.device.queue.writeBuffer(
      plan.buffers.value(name).buffer,
      0,
      Float32Array.from(values.get(name)!.data),
    );
}

/** Runs `fn` inside validation and out-of-memory error scopes and fails on any error they catch. */
export async function withErrorScopes<T>(device: GPUDevice, fn: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  const outcome = await fn().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  if (oom) throw new Error(`GPU out of memory: ${oom.message}`);
  if (validation) throw new Error(`GPU validation error: ${validation.message}`);
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Interleaves a flux as the shaders store it: (T, R) per element. */
export function packFlux(f: Flux): Float32Array {
  const out = new Float32Array(2 * f.T.length);
  for (let i = 0; i < f.T.length; i++) {
    out[2 * i] = f.T[i];
    out[2 * i + 1] = f.R[i];
  }
  return out;
}

/**
 * A PlanContext for one node under test: forward values and the incoming flux uploaded from float64
 * tensors, zeroed flux for everything else, excitation buffers allocated on demand. Everything it creates
 * is destroyed by destroy().
 */
export class NodeBench implements PlanContext {
  readonly rule: BufferSlice;
  readonly maxBindingBytes: number;
  private readonly buffers = new Map<string, BufferSlice>();
  private readonly created: GPUBuffer[] = [];

  constructor(
    private readonly gpu: GpuContext,
    readonly g: IrGraph,
    private readonly values: ReadonlyMap<string, Tensor>,
    private readonly incoming: ReadonlyMap<string, Flux>,
    options: Partial<PaneOptions>,
    maxBindingBytes?: number,
  ) {
    const rule = new Float32Array(packRule(options));
    this.rule = this.make('rule', rule, GPUBufferUsage.UNIFORM);
    this.maxBindingBytes = maxBindingBytes ?? gpu.device.limits.maxStorageBufferBindingSize;
  }

  private make(label: string, data: Float32Array, usage = STORAGE): BufferSlice {
    const buffer = this.gpu.device.createBuffer({
      label,
      size: Math.max(16, Math.ceil(data.byteLength / 16) * 16),
      usage,
      mappedAtCreation: true,
    });
    new Float32Array(buffer.getMappedRange(0, data.byteLength)).set(data);
    buffer.unmap();
    this.created.push(buffer);
    return { buffer, size: Math.max(4, data.byteLength) };
  }

  private cached(key: string, make: () => BufferSlice): BufferSlice {
    let b = this.buffers.get(key);
    if (!b) {
      b = make();
      this.buffers.set(key, b);
    }
    return b;
  }

  dims(name: string): readonly number[] {
    const d = this.g.shapes.get(name) ?? this.values.get(name)?.dims;
    if (!d) throw new Error(`no shape for '${name}'`);
    return d;
  }

  value(name: string): BufferSlice {
    return this.cached(`value:${name}`, () => {
      const t = this.values.get(name);
      if (!t) throw new Error(`no value for '${name}'`);
      return this.make(`value ${name}`, Float32Array.from(t.data));
    });
  }

  flux(name: string): BufferSlice {
    return this.cached(`flux:${name}`, () => {
      const f = this.incoming.get(name);
      return this.make(`flux ${name}`, f ? packFlux(f) : new Float32Array(2 * numel(this.dims(name))));
    });
  }

  excitation(name: string): BufferSlice {
    return this.cached(`exc:${name}`, () =>
      this.make(`exc ${name}`, new Float32Array(4 * numel(this.dims(name)))),
    );
  }

  scratch(elements: number): BufferSlice {
    return this.make('scratch', new Float32Array(4 * elements));
  }

  constant(key: string, make: () => Float32Array): BufferSlice {
    return this.cached(`const:${key}`, () => this.make(key, make()));
  }

  /** Records a readback of a flux buffer (vec2 per element) or an excitation buffer (vec4). */
  stage(encoder: GPUCommandEncoder, kind: 'flux' | 'exc', name: string): PendingRead {
    const s = kind === 'flux' ? this.flux(name) : this.excitation(name);
    const bytes = numel(this.dims(name)) * (kind === 'flux' ? FLUX_BYTES : VEC4_BYTES);
    return this.gpu.readbacks.stage(encoder, s.buffer, 0, Math.max(4, bytes), `test ${kind} ${name}`);
  }

  destroy(): void {
    for (const b of this.created) b.destroy();
  }
}

export function unpackFlux(data: Float32Array, n: number): Flux {
  const T = new Float64Array(n);
  const R = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    T[i] = data[2 * i];
    R[i] = data[2 * i + 1];
  }
  return { T, R };
}

/** Forward PANE from the (E+, E-, b, z) layout, with the bias included as the reference reports it. */
export function unpackExcitation(
  data: Float32Array,
  n: number,
): { Epos: Float64Array; Eneg: Float64Array; G: Float64Array } {
  const Epos = new Float64Array(n);
  const Eneg = new Float64Array(n);
  const G = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const b = data[4 * j + 2];
    Epos[j] = data[4 * j] + Math.max(b, 0);
    Eneg[j] = data[4 * j + 1] + Math.max(-b, 0);
    G[j] = Epos[j] + Eneg[j];
  }
  return { Epos, Eneg, G };
}

/** Max |gpu - ref| and max |ref| of one tensor; NaN/Inf on the GPU side make the error infinite. */
export function compare(
  gpu: ArrayLike<number>,
  ref: ArrayLike<number>,
  scaleOf: ArrayLike<number> = ref,
): { err: number; scale: number } {
  if (gpu.length !== ref.length) return { err: Infinity, scale: 0 };
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = gpu[i];
    if (!Number.isFinite(g)) return { err: Infinity, scale };
    err = Math.max(err, Math.abs(g - ref[i]));
    scale = Math.max(scale, Math.abs(scaleOf[i]));
  }
  return { err, scale };
}
