/**
 * The one place that maps GPU memory for reading. Every readback is declared by a label ('logits',
 * 'explain-stats', ...) and counted, so tests can assert that a hot path reads back nothing beyond what it
 * declares, and the bench can report the bytes that crossed to the CPU.
 */
export interface ReadbackStats {
  count: number;
  bytes: number;
  byLabel: Record<string, number>;
}

/** A copy recorded into an encoder; `read()` after the encoder was submitted. */
export interface PendingRead {
  read(): Promise<Float32Array>;
}

export class Readbacks {
  private stats: ReadbackStats = { count: 0, bytes: 0, byLabel: {} };

  constructor(private readonly device: GPUDevice) {}

  /** Records a copy of `size` bytes of `src` at `offset` into a fresh staging buffer. */
  stage(encoder: GPUCommandEncoder, src: GPUBuffer, offset: number, size: number, label: string): PendingRead {
    const padded = Math.ceil(size / 4) * 4;
    const staging = this.device.createBuffer({
      label: `readback ${label}`,
      size: padded,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.copyBufferToBuffer(src, offset, staging, 0, padded);
    return {
      read: async () => {
        this.stats.count++;
        this.stats.bytes += padded;
        this.stats.byLabel[label] = (this.stats.byLabel[label] ?? 0) + 1;
        try {
          await staging.mapAsync(GPUMapMode.READ);
          return new Float32Array(staging.getMappedRange().slice(0));
        } finally {
          staging.destroy();
        }
      },
    };
  }

  snapshot(): ReadbackStats {
    return { ...this.stats, byLabel: { ...this.stats.byLabel } };
  }
}
