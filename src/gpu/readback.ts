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

/** An RGBA8 texture copy recorded into an encoder; `read()` gives tightly packed rows. */
export interface PendingPixels {
  read(): Promise<Uint8ClampedArray<ArrayBuffer>>;
}

export class Readbacks {
  private stats: ReadbackStats = { count: 0, bytes: 0, byLabel: {} };

  constructor(private readonly device: GPUDevice) {}

  /** Records a copy of `size` bytes of `src` at `offset` into a fresh staging buffer. */
  stage(
    encoder: GPUCommandEncoder,
    src: GPUBuffer,
    offset: number,
    size: number,
    label: string,
  ): PendingRead {
    const padded = Math.ceil(size / 4) * 4;
    const staging = this.device.createBuffer({
      label: `readback ${label}`,
      size: padded,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.copyBufferToBuffer(src, offset, staging, 0, padded);
    return {
      read: async () => {
        this.count(label, padded);
        try {
          await staging.mapAsync(GPUMapMode.READ);
          return new Float32Array(staging.getMappedRange().slice(0));
        } finally {
          staging.destroy();
        }
      },
    };
  }

  /** Records a copy of an RGBA8 texture (rows padded to 256 bytes on the GPU, unpadded on read). */
  stageTexture(encoder: GPUCommandEncoder, texture: GPUTexture, label: string): PendingPixels {
    const { width, height } = texture;
    const rowBytes = width * 4;
    const paddedRow = Math.ceil(rowBytes / 256) * 256;
    const staging = this.device.createBuffer({
      label: `readback ${label}`,
      size: paddedRow * height,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.copyTextureToBuffer({ texture }, { buffer: staging, bytesPerRow: paddedRow }, { width, height });
    return {
      read: async () => {
        this.count(label, staging.size);
        try {
          await staging.mapAsync(GPUMapMode.READ);
          const padded = new Uint8Array(staging.getMappedRange());
          const out = new Uint8ClampedArray(rowBytes * height);
          for (let y = 0; y < height; y++)
            out.set(padded.subarray(y * paddedRow, y * paddedRow + rowBytes), y * rowBytes);
          return out;
        } finally {
          staging.destroy();
        }
      },
    };
  }

  private count(label: string, bytes: number): void {
    this.stats.count++;
    this.stats.bytes += bytes;
    this.stats.byLabel[label] = (this.stats.byLabel[label] ?? 0) + 1;
  }

  snapshot(): ReadbackStats {
    return { ...this.stats, byLabel: { ...this.stats.byLabel } };
  }
}
