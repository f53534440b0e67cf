/**
 * Reuses GPU buffers across explanations and models. Sizes are rounded up to size classes (at most 1/8
 * or 256 bytes over the request) so a buffer released by one layer or model serves a similar one later;
 * kernels bind explicit sizes, so the slack is never read.
 */
export function sizeClass(bytes: number): number {
  const min = 256;
  if (bytes <= min) return min;
  const step = 2 ** Math.max(8, Math.floor(Math.log2(bytes)) - 3);
  return Math.ceil(bytes / step) * step;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly live = new Set<GPUBuffer>();

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = sizeClass(bytes);
    if (size > this.device.limits.maxBufferSize) {
      throw new Error(
        `${label}: ${bytes} bytes exceed the device's maxBufferSize ${this.device.limits.maxBufferSize}`,
      );
    }
    const reuse = this.free.get(`${usage}:${size}`)?.pop();
    const buffer = reuse ?? this.device.createBuffer({ label, size, usage });
    this.live.add(buffer);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    if (!this.live.delete(buffer)) return;
    const key = `${buffer.usage}:${buffer.size}`;
    const list = this.free.get(key) ?? [];
    list.push(buffer);
    this.free.set(key, list);
  }

  destroy(): void {
    for (const b of this.live) b.destroy();
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.live.clear();
    this.free.clear();
  }
}
