/**
 * Colormap rendering (colormap.wgsl): a full-screen triangle whose fragments read the resampled view, its
 * scale and the colormap table from storage buffers. Two targets:
 *   - a WebGPU canvas: drawn straight into the canvas texture, nothing read back;
 *   - an RGBA image: drawn into an offscreen texture and read back, for software adapters and tests
 *     (headless Chromium on SwiftShader crashes its GPU process, and every device with it, on the first
 *     present of a WebGPU canvas; on a software adapter the copy costs no more than presenting would).
 * Canvas contexts, pipelines (per texture format), colormap tables and textures are made once; drawing
 * only records.
 */
import { colormapLut, type ColormapName } from '../core/colormap';
import type { GpuContext } from './context';
import type { BufferSlice } from './kernel';
import type { PendingPixels } from './readback';
import { SHADERS } from './shaders';
import type { ResampledView } from './views';
import { packStruct } from './wgsl-reflect';

const SHADER = SHADERS.colormap;
const PARAMS = SHADER.uniformLayouts.get('params')!;
const IMAGE_FORMAT: GPUTextureFormat = 'rgba8unorm';

type AnyCanvas = HTMLCanvasElement | OffscreenCanvas;

export interface DrawSpec {
  view: ResampledView;
  mapWidth: number;
  mapHeight: number;
  signed: boolean;
  colormap: ColormapName;
  /** Display contrast (core/colormap applyContrast); 1 is linear. */
  gamma: number;
}

export class CanvasRenderer {
  private readonly contexts = new WeakMap<
    AnyCanvas,
    { context: GPUCanvasContext; format: GPUTextureFormat }
  >();
  private readonly pipelines = new Map<GPUTextureFormat, GPURenderPipeline>();
  private readonly luts = new Map<ColormapName, GPUBuffer>();
  private readonly images = new Map<string, GPUTexture>();
  private readonly params: GPUBuffer;
  private readonly layout: GPUBindGroupLayout;
  private readonly module: GPUShaderModule;

  constructor(private readonly gpu: GpuContext) {
    const device = gpu.device;
    this.layout = device.createBindGroupLayout({
      label: 'colormap',
      entries: SHADER.bindings.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.FRAGMENT,
        buffer: { type: b.kind },
      })),
    });
    this.module = device.createShaderModule({ label: 'colormap', code: SHADER.code });
    this.params = device.createBuffer({
      label: 'colormap params',
      size: PARAMS.size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  private pipeline(format: GPUTextureFormat): GPURenderPipeline {
    let p = this.pipelines.get(format);
    if (!p) {
      p = this.gpu.device.createRenderPipeline({
        label: `colormap ${format}`,
        layout: this.gpu.device.createPipelineLayout({ bindGroupLayouts: [this.layout] }),
        vertex: { module: this.module, entryPoint: 'vs' },
        fragment: { module: this.module, entryPoint: 'fs', targets: [{ format }] },
        primitive: { topology: 'triangle-list' },
      });
      this.pipelines.set(format, p);
    }
    return p;
  }

  private lut(name: ColormapName): GPUBuffer {
    let b = this.luts.get(name);
    if (!b) {
      const rgba = colormapLut(name);
      b = this.gpu.upload(
        new Uint32Array(rgba.buffer, rgba.byteOffset, rgba.byteLength / 4),
        `colormap ${name}`,
      );
      this.luts.set(name, b);
    }
    return b;
  }

  private draw(
    encoder: GPUCommandEncoder,
    target: GPUTexture,
    format: GPUTextureFormat,
    spec: DrawSpec,
    premultiply: boolean,
  ): void {
    // One params buffer serves every draw: each draw is its own submission, and queue writes land in order.
    this.gpu.device.queue.writeBuffer(
      this.params,
      0,
      packStruct(PARAMS, {
        mapW: spec.mapWidth,
        mapH: spec.mapHeight,
        canvasW: target.width,
        canvasH: target.height,
        signed: spec.signed,
        sharedScale: spec.view.scaleSlots === 2,
        premultiply,
        gamma: spec.gamma,
      }),
    );
    const lut = this.lut(spec.colormap);
    const resources: Record<string, BufferSlice> = {
      params: { buffer: this.params, size: this.params.size },
      values: spec.view.values,
      range: spec.view.range,
      lut: { buffer: lut, size: lut.size },
    };
    const bindGroup = this.gpu.device.createBindGroup({
      label: 'colormap',
      layout: this.layout,
      entries: SHADER.bindings.map((b) => ({
        binding: b.binding,
        resource: { buffer: resources[b.name].buffer, size: resources[b.name].size },
      })),
    });
    const pass = encoder.beginRenderPass({
      label: 'colormap',
      colorAttachments: [
        {
          view: target.createView(),
          loadOp: 'clear',
          clearValue: { r: 0, g: 0, b: 0, a: 0 },
          storeOp: 'store',
        },
      ],
    });
    pass.setPipeline(this.pipeline(format));
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
  }

  /** Records a draw over the whole WebGPU canvas (premultiplied; nothing is read back). */
  drawToCanvas(encoder: GPUCommandEncoder, canvas: AnyCanvas, spec: DrawSpec): void {
    let c = this.contexts.get(canvas);
    if (!c) {
      const context = canvas.getContext('webgpu') as GPUCanvasContext | null;
      if (!context) throw new Error('cannot draw: the canvas already has a non-WebGPU context');
      const format = navigator.gpu.getPreferredCanvasFormat();
      context.configure({ device: this.gpu.device, format, alphaMode: 'premultiplied' });
      c = { context, format };
      this.contexts.set(canvas, c);
    }
    this.draw(encoder, c.context.getCurrentTexture(), c.format, spec, true);
  }

  /** Records a draw into a width x height RGBA image (straight alpha) and its readback. */
  drawToImage(encoder: GPUCommandEncoder, width: number, height: number, spec: DrawSpec): PendingPixels {
    const key = `${width}x${height}`;
    let texture = this.images.get(key);
    if (!texture) {
      texture = this.gpu.device.createTexture({
        label: `colormap image ${key}`,
        size: { width, height },
        format: IMAGE_FORMAT,
        usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
      });
      this.images.set(key, texture);
    }
    this.draw(encoder, texture, IMAGE_FORMAT, spec, false);
    return this.gpu.readbacks.stageTexture(encoder, texture, 'render-pixels');
  }

  destroy(): void {
    this.params.destroy();
    for (const b of this.luts.values()) b.destroy();
    for (const t of this.images.values()) t.destroy();
  }
}
