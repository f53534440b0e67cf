/**
 * A whole model on the GPU: every chain node planned once into three passes that only record.
 *
 *   excitation pass   per input: the forward excitation split of every affine node (rule-independent:
 *                     the bias is kept apart, so biasMode and eps never need it again)
 *   chain pass        per explanation: clear the flux, the virtual head, then every node from the logits
 *                     down to the input in reverse topological order (fan-out adds up)
 *   maps pass         per explanation: channel sums and statistics of every layer
 *
 * The rule and the head are data (a uniform buffer and a weight vector), so a new class or rule changes
 * only those and re-records the chain.
 */
import type { IrGraph, IrNode } from '../core/onnx/ir';
import { excitationMassSource, findLogits, noMassSourceError } from '../core/pane/heads';
import { layerList, type ChainLayer } from '../core/pane/layers';
import { chainOpKind, fluxOutputs } from '../core/pane/ops';
import type { PaneOptions } from '../core/pane/options';
import type { GpuContext } from './context';
import type { Kernel } from './kernel';
import { LayerMaps } from './layer-maps';
import { ModelBuffers } from './model-buffers';
import { KernelPass } from './passes/kernel-pass';
import type { PreparedKernel } from './pipelines';
import { planNode } from './plan';
import { F32 } from './plan/context';
import { numelOf } from './plan/host-arrays';
import { packRule } from './plan/rule';
import { SHADERS } from './shaders';

/** How the chains start for one explanation (PANE-SPEC 4.4), computed by the engine on the host. */
export interface HeadSetup {
  /** Head weights u, one per logit. */
  u: Float32Array;
  /** Start mass, or 'excitation' for G of the logits' producer at `massAt` (computed on the GPU). */
  mass: number | 'excitation';
  /** Index into the logits of the element whose excitation is the start mass. */
  massAt: number;
}

export class ModelPlan {
  readonly layers: ChainLayer[];
  readonly logits: string;
  readonly terminal: IrNode | undefined;
  readonly maps: LayerMaps;
  private readonly excitePass: KernelPass;
  private readonly chainPass: KernelPass;
  private readonly mapsPass: KernelPass;
  private readonly u: GPUBuffer;
  private head: PreparedKernel | undefined;

  constructor(
    private readonly gpu: GpuContext,
    readonly g: IrGraph,
    readonly buffers: ModelBuffers,
  ) {
    const found = findLogits(g);
    this.logits = found.logits;
    this.terminal = found.terminal;
    this.layers = layerList(g);
    const carrying = new Set(this.layers.map((l) => l.tensor));
    const reached = (name: string) => carrying.has(name);
    const nodes = g.nodes.filter((n) => fluxOutputs(n).some(reached));
    const excite: Kernel[] = [];
    const chain: Kernel[] = [];
    for (let i = nodes.length - 1; i >= 0; i--) {
      const k = planNode(buffers, nodes[i], reached);
      excite.push(...k.excite);
      chain.push(...k.chain);
    }
    buffers.value(this.logits);
    this.u = gpu.pool.acquire(
      numelOf(buffers.dims(this.logits)) * F32,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      'head u',
    );
    this.maps = new LayerMaps(gpu, buffers, this.layers);
    this.excitePass = new KernelPass(gpu.pipelines, 'excitation', excite);
    this.chainPass = new KernelPass(gpu.pipelines, 'double chain', chain);
    this.mapsPass = new KernelPass(gpu.pipelines, 'layer maps', this.maps.kernels);
  }

  /** Plans `g`; throws with the offending node when the chain cannot traverse it. */
  static build(gpu: GpuContext, g: IrGraph, opts: { maxBindingBytes?: number } = {}): ModelPlan {
    // The shared scratch holds per-output coefficients / window statistics of the largest node output.
    let scratch = 1;
    for (const n of g.nodes) {
      const dims = n.outputs[0] ? g.shapes.get(n.outputs[0]) : undefined;
      if (dims) scratch = Math.max(scratch, numelOf(dims));
    }
    const buffers = new ModelBuffers(gpu, g, scratch, opts.maxBindingBytes);
    try {
      return new ModelPlan(gpu, g, buffers);
    } catch (e) {
      buffers.destroy();
      throw e;
    }
  }

  /** Forward values the kernels read; the engine fills them from onnxruntime (or the input) per image. */
  get valueNames(): string[] {
    return this.buffers.valueNames();
  }

  /** The affine tensor whose excitation at the target is the 'excitation' start mass (spec 4.4). */
  massSource(): string {
    const source = excitationMassSource(this.g, this.logits);
    if (source === null) throw noMassSourceError(this.logits);
    return source;
  }

  recordExcitation(encoder: GPUCommandEncoder): void {
    this.excitePass.record(encoder);
  }

  /** Writes the rule and the head of the next explanation (queue writes precede the next submit). */
  configure(options: Partial<PaneOptions>, head: HeadSetup): void {
    const queue = this.gpu.device.queue;
    queue.writeBuffer(this.rule, 0, packRule(options));
    queue.writeBuffer(this.u, 0, head.u);
    const excitation = head.mass === 'excitation';
    const exc = excitation
      ? this.buffers.excitation(this.massSource())
      : this.buffers.constant('zeros:4', () => new Float32Array(4));
    this.head?.destroy();
    this.head = this.gpu.pipelines.prepare({
      label: 'head',
      shader: SHADERS.head,
      threads: this.gpu.pipelines.workgroupSize,
      buffers: {
        rule: this.buffers.rule,
        logits: this.buffers.value(this.logits),
        u: { buffer: this.u, size: head.u.byteLength },
        exc,
        flux: this.buffers.flux(this.logits),
      },
      uniforms: {
        params: {
          k: head.u.length,
          massAt: head.massAt,
          massMode: excitation ? 1 : 0,
          mass: excitation ? 0 : (head.mass as number),
        },
      },
    });
  }

  private get rule(): GPUBuffer {
    return this.buffers.rule.buffer;
  }

  /** Clears the flux, runs the head and the chain (then recordMaps; the engine times the two apart). */
  recordChain(encoder: GPUCommandEncoder): void {
    if (!this.head) throw new Error('ModelPlan.recordChain before configure');
    for (const s of this.buffers.fluxSlices()) encoder.clearBuffer(s.buffer, s.offset ?? 0, s.size);
    const pass = encoder.beginComputePass({ label: 'head' });
    this.head.record(pass);
    pass.end();
    this.chainPass.record(encoder);
  }

  /** Channel maps and statistics of every layer from the chain's flux. */
  recordMaps(encoder: GPUCommandEncoder): void {
    this.mapsPass.record(encoder);
  }

  /**
   * sum T at the input plus every node's sink, from the per-layer sums of T (in `layers` order). Each node
   * satisfies sum T_in + sink = f * sum T_out (f = alpha + beta for an affine node under alphabeta, else
   * 1) and every tensor's flux is what its consumers sent it, so the total telescopes to
   * sum T(logits) + sum over affine outputs of (f - 1) * sum T.
   */
  fluxPlusSinks(sumT: readonly number[], options: PaneOptions): number {
    const growth = options.rule === 'sf' ? 0 : options.alpha + options.beta - 1;
    let total = 0;
    this.layers.forEach((l, i) => {
      if (l.tensor === this.logits) total += sumT[i];
      const producer = this.g.nodes.find((n) => n.name === l.node);
      if (growth !== 0 && producer && chainOpKind(producer) === 'affine') total += growth * sumT[i];
    });
    return total;
  }

  destroy(): void {
    this.head?.destroy();
    this.excitePass.destroy();
    this.chainPass.destroy();
    this.mapsPass.destroy();
    this.maps.destroy();
    this.gpu.pool.release(this.u);
    this.buffers.destroy();
  }
}
