/**
 * Final-map constructions on the GPU (core/pane/final-maps.ts defines them; docs/final-maps.md): from the
 * per-layer channel maps already in GPU memory (layer-maps.ts) to one map at the input's resolution, laid
 * out like a layer's channel maps (the value in .y), so MapViews resamples, scales and colours it as the
 * net view of a layer. Per used layer: its normalising denominator (fuse_norm.wgsl) or ranks
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

const CHAIN_INDEX: Readonly<Record<FusedChain, number>> = { net: 0, positive: 1, total: 2 };

/** The layer sum of a chain from a layer's statistics (sum T, sum R). */
function chainSum(s: LayerStatValues, chain: FusedChain): number {
  return chain === 'net' ? s.sumR : chain === 'positive' ? (s.sumT + s.sumR) / 2 : s.sumT;
}

/** w_l of core/pane/final-maps layerWeights, from the layer sums for 'mass'. */
export function fusedWeights(spec: FusedSpec, sums: readonly number[]): Float32Array {
  const L = sums.length;
  const w = sums.map((s, l) => (spec.weights === 'uniform' ? 1 : spec.weights === 'depth' ? l + 1 : s));
  const total = w.reduce((a, b) => a + b, 0);
  return Float32Array.from(
    total !== 0 && Number.isFinite(total) ? w.map((x) => x / total) : w.map(() => 1 / L),
  );
}

export interface FinalMapSlot {
  /** The final map as a layer's channel maps at the input's resolution (value in .y). */
  slot: MapSlot;
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
  const n = input.h * input.w;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const outBuf = gpu.pool.acquire(n * VEC4_BYTES, usage, `final map ${name}`);
  const out = { buffer: outBuf, size: n * VEC4_BYTES };
  const slot: MapSlot = { layer: input.layer, h: input.h, w: input.w, maps: out, hasExcitation: false };
  if (spec.kind === 'pixel' && spec.chain === 'net') {
    // The pixel map is the input layer's own net view: nothing to compute.
    gpu.pool.release(outBuf);
    return { slot: input, record: () => {}, destroy: () => {} };
  }
  if (spec.kind === 'pixel') return pixelChainSlot(gpu, input, spec.chain, slot, outBuf);
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
  const chain = CHAIN_INDEX[fused.chain];
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
        params: { n, chain: CHAIN_INDEX[spec.pixel], floor: spec.floor, exponent: spec.exponent },
      },
    });
  const pass = new KernelPass(gpu.pipelines, `final map ${name}`, kernels);
  const index = new Map(slots.map((s, i) => [s, i]));
  let current = -1;
  return {
    slot,
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

/** Another chain at the pixels: the input layer's maps copied into the final slot (fuse_accumulate, weight 1). */
function pixelChainSlot(
  gpu: GpuContext,
  input: MapSlot,
  chain: FusedChain,
  slot: MapSlot,
  outBuf: GPUBuffer,
): FinalMapSlot {
  const n = input.h * input.w;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
  // norms[0] = 1 (no normalisation) and weights[0] = 1, written once.
  const ones = gpu.pool.acquire(16, usage, 'final map ones');
  gpu.device.queue.writeBuffer(ones, 0, Float32Array.of(1, 1, 1, 1));
  const one = { buffer: ones, size: 16 };
  const pass = new KernelPass(gpu.pipelines, `final map pixel ${chain}`, [
    {
      label: `fuse_accumulate pixel ${chain}`,
      shader: SHADERS.fuseAccumulate,
      threads: n,
      buffers: { maps: input.maps, ranks: one, norms: one, weights: one, out: slot.maps },
      uniforms: {
        params: {
          n,
          inH: input.h,
          inW: input.w,
          outH: input.h,
          outW: input.w,
          chain: CHAIN_INDEX[chain],
          useRanks: 0,
          slot: 0,
        },
      },
    },
  ]);
  let current = -1;
  return {
    slot,
    record(encoder, generation) {
      if (generation === current) return;
      current = generation;
      encoder.clearBuffer(outBuf, 0, n * VEC4_BYTES);
      pass.record(encoder);
    },
    destroy() {
      pass.destroy();
      gpu.pool.release(outBuf);
      gpu.pool.release(ones);
    },
  };
}
