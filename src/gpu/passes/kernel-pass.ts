/**
 * A compute pass over a fixed list of kernels, prepared once (pipelines, bind groups, uniforms) and
 * recorded as often as needed. It only records; the engine submits.
 */
import type { Kernel } from '../kernel';
import type { PipelineManager, PreparedKernel } from '../pipelines';

export class KernelPass {
  private readonly prepared: PreparedKernel[];

  constructor(
    pipelines: PipelineManager,
    readonly label: string,
    kernels: readonly Kernel[],
  ) {
    this.prepared = kernels.map((k) => pipelines.prepare(k));
  }

  record(encoder: GPUCommandEncoder): void {
    if (this.prepared.length === 0) return;
    const pass = encoder.beginComputePass({ label: this.label });
    for (const k of this.prepared) k.record(pass);
    pass.end();
  }

  destroy(): void {
    for (const k of this.prepared) k.destroy();
  }
}
