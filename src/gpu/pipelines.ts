/**
 * The pipeline manager: compiles each shader once per workgroup size (cached and labelled), builds bind
 * group layouts from the shader's own declarations, packs uniforms by field name, and lays out dispatches
 * within the device's limits. A prepared kernel only records: nothing here submits.
 */
import { dispatchGrid, type Grid } from './dispatch';
import type { Kernel } from './kernel';
import type { Shader } from './shader';
import { packStruct } from './wgsl-reflect';

/** Threads per workgroup of every compute kernel (the `WG` override). 64 is safe on every adapter. */
const WORKGROUP_SIZE = 64;

export interface PreparedKernel {
  readonly label: string;
  readonly grid: Grid;
  record(pass: GPUComputePassEncoder): void;
  /** Frees the uniform buffers the manager made for this kernel. */
  destroy(): void;
}

const VISIBILITY = GPUShaderStage.COMPUTE;

function layoutEntry(binding: number, kind: Shader['bindings'][number]['kind']): GPUBindGroupLayoutEntry {
  return { binding, visibility: VISIBILITY, buffer: { type: kind } };
}

export class PipelineManager {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();

  constructor(
    private readonly device: GPUDevice,
    readonly workgroupSize = WORKGROUP_SIZE,
  ) {}

  private layoutOf(shader: Shader): GPUBindGroupLayout {
    let layout = this.layouts.get(shader.name);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: shader.name,
        entries: shader.bindings.map((b) => layoutEntry(b.binding, b.kind)),
      });
      this.layouts.set(shader.name, layout);
    }
    return layout;
  }

  pipeline(shader: Shader): GPUComputePipeline {
    const key = `${shader.name}@${this.workgroupSize}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipeline({
        label: key,
        layout: this.device.createPipelineLayout({ label: key, bindGroupLayouts: [this.layoutOf(shader)] }),
        compute: {
          module: this.device.createShaderModule({ label: shader.name, code: shader.code }),
          entryPoint: 'main',
          constants: { WG: this.workgroupSize },
        },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  prepare(kernel: Kernel): PreparedKernel {
    const { shader, label } = kernel;
    const grid = dispatchGrid(
      kernel.threads,
      this.workgroupSize,
      this.device.limits.maxComputeWorkgroupsPerDimension,
    );
    const owned: GPUBuffer[] = [];
    const entries: GPUBindGroupEntry[] = shader.bindings.map((b) => {
      const values = kernel.uniforms?.[b.name];
      if (values) {
        const bytes = packStruct(shader.uniformLayouts.get(b.name)!, values);
        const buffer = this.device.createBuffer({
          label: `${label} ${b.name}`,
          size: bytes.byteLength,
          usage: GPUBufferUsage.UNIFORM,
          mappedAtCreation: true,
        });
        new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(bytes));
        buffer.unmap();
        owned.push(buffer);
        return { binding: b.binding, resource: { buffer } };
      }
      const slice = kernel.buffers[b.name];
      if (!slice) throw new Error(`${label}: shader ${shader.name} needs a buffer for '${b.name}'`);
      return {
        binding: b.binding,
        resource: { buffer: slice.buffer, offset: slice.offset ?? 0, size: slice.size },
      };
    });
    for (const name of [...Object.keys(kernel.buffers), ...Object.keys(kernel.uniforms ?? {})]) {
      if (!shader.bindings.some((b) => b.name === name))
        throw new Error(`${label}: shader ${shader.name} has no '${name}'`);
    }
    const pipeline = this.pipeline(shader);
    const bindGroup =
      grid[0] === 0
        ? undefined
        : this.device.createBindGroup({ label, layout: this.layoutOf(shader), entries });
    return {
      label,
      grid,
      record(pass) {
        if (!bindGroup) return; // an empty tensor: nothing to do
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
      },
      destroy() {
        for (const b of owned) b.destroy();
      },
    };
  }
}
