/**
 * Final-map constructions on the GPU (core/pane/final-maps.ts defines them; docs/final-maps.md): from the
 * per-layer channel maps already in GPU memory (layer-maps.ts) to one map at the input's resolution, laid
 * out like a layer's channel maps (the value in .y), so MapViews resamples, scales and colours it as the
 * net view of a layer. A chain at the pixels needs no kernel: it is a view of the input's own maps
 * ('pixel' the net view, 'pixel-total' the total view). Per used layer its normalising denominator
 * (fuse_norm.wgsl) or ranks (fuse_rank.wgsl), then one dispatch sums every layer's weighted, upsampled term
 * (fuse_accumulate.wgsl); 'detail' then multiplies in the pixel map (fuse_detail.wgsl). Only the layer sums of the 'mass' weights come from the host (the
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
  const detail = spec.kind === 'lead' ? spec.rest : spec;
  const fused = detail.fused;
  const used = fusedLayers(slots, fused.layers);
  const L = used.length;
  const owned: GPUBuffer[] = [outBuf];
  const small = (bytes: number, label: string) => {
    const b = gpu.pool.acquire(Math.max(bytes, 16), usage, label);
    owned.push(b);
    return { buffer: b, size: Math.max(bytes, 16) };
  };
  // norms[l] at l (fuse_norm), the weights at L + l (written per explanation).
  const coefs = small(2 * L * F32, `final map ${name} norms and weights`);
  const chain = VIEW_INDEX[fused.chain];
  const useRanks = fused.normalisation === 'rank';
  // Every layer's maps live in one buffer (layer-maps.ts): the accumulation reads them all at their offsets.
  const mapsBuffer = used[0]?.maps.buffer ?? input.maps.buffer;
  if (used.some((l) => l.maps.buffer !== mapsBuffer))
    throw new Error('final map: the layer maps are not in one buffer');
  const mapsExtent = Math.max(16, ...used.map((l) => (l.maps.offset ?? 0) + l.maps.size));
  let rankPositions = 0;
  const table = new Uint32Array(4 * L);
  used.forEach((l, i) => {
    table.set([(l.maps.offset ?? 0) / VEC4_BYTES, l.h, l.w, rankPositions], 4 * i);
    if (useRanks) rankPositions += l.h * l.w;
  });
  const tableBuf = small(table.byteLength, `final map ${name} layers`);
  gpu.device.queue.writeBuffer(tableBuf.buffer, 0, table);
  const ranks = useRanks ? small(rankPositions * F32, `final map ${name} ranks`) : coefs;
  const kernels = used.map((layer, i): Kernel => {
    const positions = layer.h * layer.w;
    return useRanks
      ? {
          label: `fuse_rank ${layer.layer.tensor}`,
          shader: SHADERS.fuseRank,
          threads: positions,
          buffers: { maps: layer.maps, ranks },
          uniforms: { params: { n: positions, chain, offset: table[4 * i + 3] } },
        }
      : {
          label: `fuse_norm ${layer.layer.tensor}`,
          shader: SHADERS.fuseNorm,
          threads: gpu.pipelines.workgroupSize,
          buffers: { maps: layer.maps, norms: coefs },
          uniforms: {
            params: { n: positions, chain, mode: fused.normalisation === 'sum' ? 1 : 0, slot: i },
          },
        };
  });
  kernels.push({
    label: `fuse_accumulate ${name}`,
    shader: SHADERS.fuseAccumulate,
    threads: n,
    buffers: {
      maps: { buffer: mapsBuffer, size: mapsExtent },
      ranks,
      coefs,
      table: tableBuf,
      out,
    },
    uniforms: {
      params: { n, outH: input.h, outW: input.w, chain, useRanks: useRanks ? 1 : 0, layers: L },
    },
  });
  if (detail.kind === 'detail')
    kernels.push({
      label: `fuse_detail ${name}`,
      shader: SHADERS.fuseDetail,
      threads: gpu.pipelines.workgroupSize,
      buffers: { pixel: input.maps, out },
      uniforms: {
        params: { n, chain: VIEW_INDEX[detail.pixel], floor: detail.floor, exponent: detail.exponent },
      },
    });
  if (spec.kind === 'lead')
    kernels.push({
      label: `fuse_lead ${name}`,
      shader: SHADERS.fuseLead,
      threads: gpu.pipelines.workgroupSize,
      buffers: { pixel: input.maps, out },
      uniforms: { params: { n, chain: VIEW_INDEX[spec.pixel], k: Math.round(spec.fraction * n) } },
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
      if (L > 0) gpu.device.queue.writeBuffer(coefs.buffer, L * F32, fusedWeights(fused, sums));
      pass.record(encoder);
    },
    destroy() {
      pass.destroy();
      for (const b of owned) gpu.pool.release(b);
    },
  };
}
