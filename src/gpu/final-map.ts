/**
 * Final-map constructions on the GPU (core/pane/final-maps.ts defines them; docs/final-maps.md): from the
 * per-layer channel maps already in GPU memory (layer-maps.ts) to one map at the input's resolution, laid
 * out like a layer's channel maps (the value in .y), so MapViews resamples, scales and colours it as the
 * net view of a layer. A chain at the pixels needs no kernel: it is a view of the input's own maps
 * ('pixel' the net view, 'pixel-total' the total view). Per used layer: its normalising denominator (fuse_norm.wgsl) or ranks
 * (fuse_rank.wgsl), then its weighted, upsampled term (fuse_accumulate.wgsl); 'detail' then multiplies in
 * the pixel map (fuse_detail.wgsl). Only the layer sums of the 'mass' weights come from the host (the
 * statistics every explanation reads back anyway).
 */
import {
  FINAL_MAPS,
  fusedLayers,
  type FinalMapName,
  type FinalMapSpec,
  type FusedChain,
  type FusedSpec,
} from '../core/pane/final-maps';
import type { GpuContext } from './context';
import type { Kernel } from './kernel';
import type { LayerStatValues, MapSlot } from './layer-maps';
import { KernelPass } from './passes/kernel-pass';
import { F32, VEC4_BYTES } from './plan/context';
import { SHADERS } from './shaders';
import { VIEW_INDEX, type ViewKind } from './views';

/** The layer sum of a chain from a layer's statistics (sum T, sum R). */
function chainSum(s: LayerStatValues, chain: FusedChain): number {
  return chain === 'net' ? s.sumR : chain === 'positive' ? (s.sumT + s.sumR) / 2 : s.sumT;
}

/** w_l of core/pane/final-maps layerWeights, from the layer sums for 'mass'. */
function fusedWeights(spec: FusedSpec, sums: readonly number[]): Float32Array {
  const L = sums.length;
  const w = sums.map((s, l) => (spec.weights === 'uniform' ? 1 : spec.weights === 'depth' ? l + 1 : s));
  const total = w.reduce((a, b) => a + b, 0);
  return Float32Array.from(
    total !== 0 && Number.isFinite(total) ? w.map((x) => x / total) : w.map(() => 1 / L),
  );
}

export interface FinalMapSlot {
  /** Channel maps at the input's resolution that hold the final map, read through `view`. */
  slot: MapSlot;
  /** The view of `slot` that is the final map: 'net' for a computed one (its value in .y). */
  view: ViewKind;
  /** Records the construction (a no-op when it is current for this explanation). */
  record(encoder: GPUCommandEncoder, generation: number, stats: readonly LayerStatValues[]): void;
  destroy(): void;
}

/**
 * One construction over one model's layer maps. `slots` are every chain layer's maps (the graph input's
 * among them); `stats` their statistics in the same order, for 'mass' weights.
 */
export function finalMapSlot(gpu: GpuContext, slots: readonly MapSlot[], name: FinalMapName): FinalMapSlot {
  const spec: FinalMapSpec = FINAL_MAPS[name];
  const input = slots.find((s) => s.layer.opType === 'Input');
  if (!input) throw new Error('final map: the chain has no graph input layer');
  // A chain at the pixels is a view of the input layer's own maps: nothing to compute.
  if (spec.kind === 'pixel') return { slot: input, view: spec.chain, record: () => {}, destroy: () => {} };
  const n = input.h * input.w;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const outBuf = gpu.pool.acquire(n * VEC4_BYTES, usage, `final map ${name}`);
  const out = { buffer: outBuf, size: n * VEC4_BYTES };
  const slot: MapSlot = { layer: input.layer, h: input.h, w: input.w, maps: out, hasExcitation: false };
  const fused = spec.fused;
  const used = fusedLayers(slots, fused.layers);
  const L = Math.max(used.length, 1);
  const owned: GPUBuffer[] = [outBuf];
  const small = (bytes: number, label: string) => {
    const b = gpu.pool.acquire(Math.max(bytes, 16), usage, label);
    owned.push(b);
    return { buffer: b, size: Math.max(bytes, 16) };
  };
  const norms = small(L * F32, `final map ${name} norms`);
  const weights = small(L * F32, `final map ${name} weights`);
  const chain = VIEW_INDEX[fused.chain];
  const useRanks = fused.normalisation === 'rank';
  const kernels: Kernel[] = [];
  used.forEach((layer, i) => {
    const positions = layer.h * layer.w;
    const ranks = useRanks ? small(positions * F32, `final map ${name} ranks ${i}`) : norms;
    kernels.push(
      useRanks
        ? {
            label: `fuse_rank ${layer.layer.tensor}`,
            shader: SHADERS.fuseRank,
            threads: positions,
            buffers: { maps: layer.maps, ranks },
            uniforms: { params: { n: positions, chain } },
          }
        : {
            label: `fuse_norm ${layer.layer.tensor}`,
            shader: SHADERS.fuseNorm,
            threads: gpu.pipelines.workgroupSize,
            buffers: { maps: layer.maps, norms },
            uniforms: {
              params: { n: positions, chain, mode: fused.normalisation === 'sum' ? 1 : 0, slot: i },
            },
          },
      {
        label: `fuse_accumulate ${layer.layer.tensor}`,
        shader: SHADERS.fuseAccumulate,
        threads: n,
        buffers: { maps: layer.maps, ranks, norms, weights, out },
        uniforms: {
          params: {
            n,
            inH: layer.h,
            inW: layer.w,
            outH: input.h,
            outW: input.w,
            chain,
            useRanks: useRanks ? 1 : 0,
            slot: i,
          },
        },
      },
    );
  });
  if (spec.kind === 'detail')
    kernels.push({
      label: `fuse_detail ${name}`,
      shader: SHADERS.fuseDetail,
      threads: gpu.pipelines.workgroupSize,
      buffers: { pixel: input.maps, out },
      uniforms: {
        params: { n, chain: VIEW_INDEX[spec.pixel], floor: spec.floor, exponent: spec.exponent },
      },
    });
  const pass = new KernelPass(gpu.pipelines, `final map ${name}`, kernels);
  const index = new Map(slots.map((s, i) => [s, i]));
  let current = -1;
  return {
    slot,
    view: 'net',
    record(encoder, generation, stats) {
      if (generation === current) return;
      current = generation;
      const sums = used.map((l) => chainSum(stats[index.get(l)!], fused.chain));
      gpu.device.queue.writeBuffer(weights.buffer, 0, fusedWeights(fused, sums));
      encoder.clearBuffer(outBuf, 0, n * VEC4_BYTES);
      pass.record(encoder);
    },
    destroy() {
      pass.destroy();
      for (const b of owned) gpu.pool.release(b);
    },
  };
}
