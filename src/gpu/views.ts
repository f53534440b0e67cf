/**
 * One view of a layer (net, positive, negative, positive or negative excitation, total) as the app shows it: the
 * layer's channel-sum map resampled bilinearly to a size (upsample.wgsl) and its display scale
 * (map_range.wgsl, over the map at the layer's own resolution, like the ort engine). Prepared kernels and
 * their output buffers are cached per view, so switching back and forth between layers and chains only
 * records a few dispatches.
 */
import type { GpuContext } from './context';
import type { BufferSlice } from './kernel';
import type { MapSlot } from './layer-maps';
import { KernelPass } from './passes/kernel-pass';
import { F32 } from './plan/context';
import { SHADERS } from './shaders';

/** The app's map kinds, and 'total' (sum T), which a final map ('pixel-total') reads from the input's maps. */
export type ViewKind =
  'net' | 'positive' | 'negative' | 'excitation-positive' | 'excitation-negative' | 'total';

/** The view selector of shaders/lib/map_view.wgsl (upsample, map_range and the fuse_* kernels). */
export const VIEW_INDEX: Readonly<Record<ViewKind, number>> = {
  net: 0,
  positive: 1,
  negative: 2,
  'excitation-positive': 3,
  'excitation-negative': 4,
  total: 5,
};

/** Views that share one scale under 'shared' normalisation: the chains' P and N, or PE and NE. */
export function shareGroup(kind: ViewKind): [ViewKind, ViewKind] {
  return kind === 'excitation-positive' || kind === 'excitation-negative'
    ? ['excitation-positive', 'excitation-negative']
    : ['positive', 'negative'];
}

export interface ViewRequest {
  slot: MapSlot;
  kind: ViewKind;
  width: number;
  height: number;
  /** Scale from the percentile of |map| instead of the maximum. */
  clipPercentile: number | null;
  shared: boolean;
  /** Set when `slot` holds a final map (final-map.ts) rather than a layer's own maps. */
  finalMap?: string;
}

export interface ResampledView {
  /** width x height values, row-major. */
  values: BufferSlice;
  /** (scale, max|v|, 0, 0) per scale slot: one slot, or two under 'shared' (the display scale is their max). */
  range: BufferSlice;
  scaleSlots: 1 | 2;
  record(encoder: GPUCommandEncoder): void;
}

interface Entry extends ResampledView {
  pass: KernelPass;
  buffers: GPUBuffer[];
}

const MAX_CACHED = 48;

export class MapViews {
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly gpu: GpuContext) {}

  get(req: ViewRequest): ResampledView {
    const key = JSON.stringify([
      req.slot.layer.tensor,
      req.kind,
      req.width,
      req.height,
      req.clipPercentile,
      req.shared,
      req.finalMap ?? null,
    ]);
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const entry = this.build(req);
    this.cache.set(key, entry);
    if (this.cache.size > MAX_CACHED) {
      const [oldest, old] = this.cache.entries().next().value as [string, Entry];
      this.cache.delete(oldest);
      this.free(old);
    }
    return entry;
  }

  private build(req: ViewRequest): Entry {
    const { slot, width, height } = req;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    const n = width * height;
    const valuesBuf = this.gpu.pool.acquire(n * F32, usage, `view ${slot.layer.tensor}`);
    const rangeBuf = this.gpu.pool.acquire(8 * F32, usage, `view range ${slot.layer.tensor}`);
    const values = { buffer: valuesBuf, size: n * F32 };
    const range = { buffer: rangeBuf, size: 8 * F32 };
    const scaleKinds = req.shared ? shareGroup(req.kind) : [req.kind];
    const pass = new KernelPass(this.gpu.pipelines, `view ${slot.layer.tensor} ${req.kind}`, [
      {
        label: `upsample ${slot.layer.tensor} ${req.kind}`,
        shader: SHADERS.upsample,
        threads: n,
        buffers: { maps: slot.maps, out: values },
        uniforms: {
          params: { n, inH: slot.h, inW: slot.w, outH: height, outW: width, view: VIEW_INDEX[req.kind] },
        },
      },
      ...scaleKinds.map((kind, i) => ({
        label: `map_range ${slot.layer.tensor} ${kind}`,
        shader: SHADERS.mapRange,
        threads: this.gpu.pipelines.workgroupSize,
        buffers: { maps: slot.maps, range },
        uniforms: {
          params: {
            n: slot.h * slot.w,
            view: VIEW_INDEX[kind],
            slot: i,
            percentile: req.clipPercentile ?? 0,
          },
        },
      })),
    ]);
    return {
      values,
      range,
      scaleSlots: req.shared ? 2 : 1,
      record: (encoder) => pass.record(encoder),
      pass,
      buffers: [valuesBuf, rangeBuf],
    };
  }

  private free(e: Entry): void {
    e.pass.destroy();
    for (const b of e.buffers) this.gpu.pool.release(b);
  }

  /** Forget every cached view (their maps belong to a model that is going away). */
  clear(): void {
    for (const e of this.cache.values()) this.free(e);
    this.cache.clear();
  }
}

/** The display scale from a range readback: the larger of the slots' scales under 'shared'. */
export function displayScale(range: Float32Array, slots: 1 | 2): number {
  return slots === 2 ? Math.max(range[0], range[4]) : range[0];
}
