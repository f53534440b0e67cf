/**
 * The GPU context of one engine: the device (requested with the adapter's real limits, not the 128 MiB
 * defaults, so VGG-sized weights fit), the pipeline manager, the buffer pool, the readback ledger, and the
 * one `submit` through which every command buffer goes.
 */
import { BufferPool } from './buffer-pool';
import { PipelineManager } from './pipelines';
import { Readbacks } from './readback';

export interface AcquireOptions {
  /** 'compatibility' selects e.g. the OpenGL ES adapter in Chromium (faster than SwiftShader on CPUs). */
  featureLevel?: 'core' | 'compatibility';
  powerPreference?: GPUPowerPreference;
  /** Where navigator.gpu is not the one to use (Node's `webgpu` package). */
  gpu?: GPU;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

const ESSENTIAL_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
];

/** Limits we raise to the adapter's maximum: all numeric limits the adapter reports. */
function adapterLimits(adapter: GPUAdapter): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') limits[key] = value;
  }
  return limits;
}

function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
  };
}

export class GpuContext {
  readonly pipelines: PipelineManager;
  readonly pool: BufferPool;
  readonly readbacks: Readbacks;
  /** Resolves with the reason when the device is lost; never when dispose() destroyed it on purpose. */
  readonly lost: Promise<string>;
  private disposed = false;

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
  ) {
    this.pipelines = new PipelineManager(device);
    this.pool = new BufferPool(device);
    this.readbacks = new Readbacks(device);
    this.lost = new Promise((resolve) => {
      void device.lost.then((info) => {
        if (!this.disposed) resolve(`${info.reason ?? 'unknown'}: ${info.message}`);
      });
    });
  }

  static async acquire(opts: AcquireOptions = {}): Promise<GpuContext> {
    const gpu = opts.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
    if (!gpu) throw new Error('WebGPU is not available (navigator.gpu is missing)');
    const adapter = await gpu.requestAdapter({
      featureLevel: opts.featureLevel,
      powerPreference: opts.powerPreference,
    } as GPURequestAdapterOptions);
    if (!adapter) throw new Error('WebGPU is available but no adapter was found');
    const optional: GPUFeatureName[] = ['timestamp-query'];
    const requiredFeatures = optional.filter((f) => adapter.features.has(f));
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({
        label: 'panescope',
        requiredLimits: adapterLimits(adapter),
        requiredFeatures,
      });
    } catch {
      // A browser may list limits it does not accept back (renamed or deprecated ones): ask only for those
      // that decide which models fit.
      const all = adapterLimits(adapter);
      const requiredLimits = Object.fromEntries(
        ESSENTIAL_LIMITS.filter((k) => k in all).map((k) => [k, all[k]]),
      );
      device = await adapter.requestDevice({ label: 'panescope', requiredLimits, requiredFeatures });
    }
    return new GpuContext(device, describeAdapter(adapter));
  }

  /** The one place that submits work to the queue. */
  submit(...commands: GPUCommandBuffer[]): void {
    this.device.queue.submit(commands);
  }

  /** Uploads 32-bit data into a new storage buffer (also a copy source and destination). */
  upload(data: Float32Array | Uint32Array, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({
      label,
      size: Math.max(16, Math.ceil(data.byteLength / 16) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      mappedAtCreation: true,
    });
    new Uint8Array(buffer.getMappedRange(0, data.byteLength)).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    buffer.unmap();
    return buffer;
  }

  dispose(): void {
    this.disposed = true;
    this.pool.destroy();
    this.device.destroy();
  }
}
