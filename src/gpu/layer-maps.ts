/**
 * Per-layer maps and statistics of an explanation, all on the GPU: for every chain layer its channel sums
 * (sum T, sum R, PE, NE per spatial position, channel_maps.wgsl) into one slot of a shared buffer, and its
 * statistics (sum T, sum R, corr(S_P, S_N), layer_stats.wgsl) into one vec4 of the stats buffer, which is
 * the only thing an explanation reads back.
 */
import { excitationSource } from '../core/pane/excitation-source';
import type { ChainLayer } from '../core/pane/layers';
import { mapSize } from '../core/pane/maps';
import type { GpuContext } from './context';
import type { BufferSlice, Kernel } from './kernel';
import type { ModelBuffers } from './model-buffers';
import { VEC4_BYTES } from './plan/context';
import { numelOf } from './plan/host-arrays';
import { SHADERS } from './shaders';

export interface MapSlot {
  layer: ChainLayer;
  h: number;
  w: number;
  /** The slot's (sum T, sum R, PE, NE) per position. */
  maps: BufferSlice;
  /** Whether PE / NE exist for this layer (an affine output, or one behind activations and gates). */
  hasExcitation: boolean;
}

export interface LayerStatValues {
  sumT: number;
  sumR: number;
  corrPN: number;
}

/**
 * Where element (c, p) of image 0 of a layer lies for channel_maps.wgsl: every axis between the batch and
 * the map's two spatial axes is a channel (NCHW, rank 5 channel shuffles), or the last axis is (NHWC).
 */
function channelAddressing(layer: ChainLayer, positions: number) {
  const dims = layer.dims;
  const perImage = dims.length >= 2 ? numelOf(dims.slice(1)) : numelOf(dims);
  const channels = perImage / positions;
  return layer.layout === 'NHWC' && dims.length === 4
    ? { channels, cStride: 1, pStride: channels }
    : { channels, cStride: positions, pStride: 1 };
}

export class LayerMaps {
  readonly slots: MapSlot[];
  readonly stats: GPUBuffer;
  readonly kernels: Kernel[];
  private readonly mapsBuffer: GPUBuffer;

  constructor(
    private readonly gpu: GpuContext,
    buffers: ModelBuffers,
    layers: readonly ChainLayer[],
  ) {
    const align = gpu.device.limits.minStorageBufferOffsetAlignment;
    let bytes = 0;
    const layout = layers.map((layer) => {
      const { h, w } = mapSize(layer.dims, layer.layout);
      const offset = bytes;
      bytes += Math.ceil((h * w * VEC4_BYTES) / align) * align;
      return { layer, h, w, offset };
    });
    this.mapsBuffer = gpu.pool.acquire(
      Math.max(bytes, 16),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      'layer maps',
    );
    this.stats = gpu.pool.acquire(
      Math.max(1, layers.length) * VEC4_BYTES,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      'layer stats',
    );
    const none = buffers.constant('zeros:4', () => new Float32Array(4));
    this.kernels = [];
    this.slots = layout.map(({ layer, h, w, offset }, slot) => {
      const maps: BufferSlice = { buffer: this.mapsBuffer, offset, size: h * w * VEC4_BYTES };
      // The same rule as the ort engine's views (core/pane/excitation-source), so E+ / E- agree.
      const source = excitationSource(buffers.g, layer.tensor);
      const hasExcitation = source !== null && numelOf(buffers.dims(source)) === numelOf(layer.dims);
      const n = h * w;
      this.kernels.push(
        {
          label: `channel_maps ${layer.tensor}`,
          shader: SHADERS.channelMaps,
          threads: n,
          buffers: {
            flux: buffers.flux(layer.tensor),
            exc: hasExcitation ? buffers.excitation(source!) : none,
            maps,
          },
          uniforms: { params: { n, ...channelAddressing(layer, n), hasExc: hasExcitation ? 1 : 0 } },
        },
        {
          label: `layer_stats ${layer.tensor}`,
          shader: SHADERS.layerStats,
          // One workgroup per layer (the shader reduces over the whole map).
          threads: gpu.pipelines.workgroupSize,
          buffers: { maps, stats: { buffer: this.stats, size: Math.max(1, layers.length) * VEC4_BYTES } },
          uniforms: { params: { n, slot } },
        },
      );
      return { layer, h, w, maps, hasExcitation };
    });
  }

  /** Statistics from the stats buffer's contents (sum T, sum R, corr, 0 per layer). */
  parseStats(data: Float32Array): LayerStatValues[] {
    return this.slots.map((_, i) => ({ sumT: data[4 * i], sumR: data[4 * i + 1], corrPN: data[4 * i + 2] }));
  }

  destroy(): void {
    this.gpu.pool.release(this.mapsBuffer);
    this.gpu.pool.release(this.stats);
  }
}
