/**
 * Kernel records of the ops that move values without combining them (PANE-SPEC 4.3 pass-through) and of
 * max pooling: their flux follows the values, with no sign crossing and no excitation.
 *
 *   Relu, LeakyRelu, Dropout, Identity, Flatten, Reshape, Squeeze, Unsqueeze   remap_add as a copy
 *   Clip                  clip_gate (a copy, or absorbing saturated outputs, as the rule says)
 *   Transpose             remap_add over the input with the permuted output strides
 *   Concat / Split        remap_add per data input / per output, through slice offsets
 *   Pad                   remap_add over the part of the input inside the output (a crop)
 *   MaxPool, GlobalMaxPool maxpool_stats then maxpool_route
 *   gates (HardSwish, a Mul by a gate)  gate_adjoint into the signal operand
 */
import { intsArg, padsForRank, scalarArg } from '../../core/onnx/canonical';
import { globalWindow, poolGeometry } from '../../core/onnx/geometry';
import type { IrNode } from '../../core/onnx/ir';
import { normAxis, transposePerm } from '../../core/onnx/shapeRules';
import { gateSignalInput, isData, type OpTable, type RoutedOp } from '../../core/pane/ops';
import type { Tensor } from '../../core/tensor';
import type { BufferSlice, Kernel } from '../kernel';
import { SHADERS } from '../shaders';
import { align8, type NodeKernels, type PlanContext } from './context';
import { numelOf } from './host-arrays';
import { poolUniforms } from './window';

function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= dims[d];
  }
  return s;
}

/** dst[dstBase + e . dstStrides] += src[srcBase + e . srcStrides] for every e in `dims`. */
function remapKernel(
  label: string,
  src: BufferSlice,
  dst: BufferSlice,
  dims: readonly number[],
  map: { srcBase?: number; dstBase?: number; srcStrides: readonly number[]; dstStrides: readonly number[] },
): Kernel {
  const n = numelOf(dims);
  return {
    label,
    shader: SHADERS.remapAdd,
    threads: n,
    buffers: { src, dst },
    uniforms: {
      params: {
        n,
        rank: dims.length,
        srcBase: map.srcBase ?? 0,
        dstBase: map.dstBase ?? 0,
        dims: align8(dims, 1),
        srcStrides: align8(map.srcStrides, 0),
        dstStrides: align8(map.dstStrides, 0),
      },
    },
  };
}

const passOnly = (chain: Kernel[]): NodeKernels => ({ excite: [], chain });

function copy(ctx: PlanContext, node: IrNode): NodeKernels {
  const x = node.inputs[0];
  const n = numelOf(ctx.dims(x));
  return passOnly([
    remapKernel(`copy ${node.name}`, ctx.flux(node.outputs[0]), ctx.flux(x), [n], {
      srcStrides: [1],
      dstStrides: [1],
    }),
  ]);
}

/** Constant arguments of a node (Clip bounds, Pad pads given as inputs) for the canonical readers. */
function constantArgs(ctx: PlanContext, node: IrNode): (Tensor | undefined)[] {
  return node.inputs.map((name) => (name === '' ? undefined : ctx.g.initializers.get(name)));
}

/** Clip: a copy, or a gate when the rule absorbs saturated outputs (decided per explanation, on the GPU). */
function clip(ctx: PlanContext, node: IrNode): NodeKernels {
  const x = node.inputs[0];
  const n = numelOf(ctx.dims(x));
  const args = constantArgs(ctx, node);
  // ±float32 max stands for an absent bound: every float32 value lies within it.
  const lo = Math.max(scalarArg(node, args, 'min') ?? -Infinity, -3.4e38);
  const hi = Math.min(scalarArg(node, args, 'max') ?? Infinity, 3.4e38);
  return passOnly([
    {
      label: `clip_gate ${node.name}`,
      shader: SHADERS.clipGate,
      threads: n,
      buffers: { rule: ctx.rule, x: ctx.value(x), src: ctx.flux(node.outputs[0]), dst: ctx.flux(x) },
      uniforms: { params: { n, lo, hi } },
    },
  ]);
}

function transpose(ctx: PlanContext, node: IrNode): NodeKernels {
  const x = node.inputs[0];
  const xDims = ctx.dims(x);
  const perm = transposePerm(
    xDims.length,
    Array.isArray(node.attrs.perm) ? (node.attrs.perm as number[]) : undefined,
  );
  const yStrides = stridesOf(perm.map((p) => xDims[p]));
  // Input axis perm[e] is output axis e.
  const srcStrides = new Array<number>(xDims.length);
  perm.forEach((p, e) => (srcStrides[p] = yStrides[e]));
  return passOnly([
    remapKernel(`transpose ${node.name}`, ctx.flux(node.outputs[0]), ctx.flux(x), xDims, {
      srcStrides,
      dstStrides: stridesOf(xDims),
    }),
  ]);
}

function axisOf(node: IrNode, rank: number): number {
  return normAxis(typeof node.attrs.axis === 'number' ? node.attrs.axis : 0, rank);
}

/** Concat: every data input takes its slice of the output back (a constant input's slice is sink). */
function concat(ctx: PlanContext, node: IrNode): NodeKernels {
  const yDims = ctx.dims(node.outputs[0]);
  const axis = axisOf(node, yDims.length);
  const yStrides = stridesOf(yDims);
  const chain: Kernel[] = [];
  let offset = 0;
  node.inputs.forEach((name, k) => {
    const xDims = ctx.dims(name);
    if (isData(ctx.g, name)) {
      chain.push(
        remapKernel(`concat ${node.name} #${k}`, ctx.flux(node.outputs[0]), ctx.flux(name), xDims, {
          srcBase: offset * yStrides[axis],
          srcStrides: yStrides,
          dstStrides: stridesOf(xDims),
        }),
      );
    }
    offset += xDims[axis];
  });
  return passOnly(chain);
}

/** Split: every output that carries mass gives it back to its slice of the input. */
function split(ctx: PlanContext, node: IrNode, reached: (name: string) => boolean): NodeKernels {
  const x = node.inputs[0];
  const xDims = ctx.dims(x);
  const axis = axisOf(node, xDims.length);
  const xStrides = stridesOf(xDims);
  const chain: Kernel[] = [];
  let offset = 0;
  node.outputs.forEach((name, k) => {
    const yDims = ctx.dims(name);
    if (reached(name)) {
      chain.push(
        remapKernel(`split ${node.name} #${k}`, ctx.flux(name), ctx.flux(x), yDims, {
          dstBase: offset * xStrides[axis],
          srcStrides: stridesOf(yDims),
          dstStrides: xStrides,
        }),
      );
    }
    offset += yDims[axis];
  });
  return passOnly(chain);
}

/** Pad: the input takes back the output elements it became (a crop); padded elements are sink. */
function pad(ctx: PlanContext, node: IrNode): NodeKernels {
  const x = node.inputs[0];
  const xDims = ctx.dims(x);
  const rank = xDims.length;
  const pads = padsForRank(
    intsArg(node, constantArgs(ctx, node), 'pads') ?? [],
    intsArg(node, constantArgs(ctx, node), 'axes'),
    rank,
  );
  const yDims = ctx.dims(node.outputs[0]);
  const xStrides = stridesOf(xDims);
  const yStrides = stridesOf(yDims);
  // Negative pads crop the input: only the part of it that survives in the output takes mass.
  const start = xDims.map((_, d) => Math.max(0, -pads[d]));
  const size = xDims.map((dim, d) => Math.max(0, Math.min(dim, yDims[d] - pads[d]) - start[d]));
  let srcBase = 0;
  let dstBase = 0;
  for (let d = 0; d < rank; d++) {
    srcBase += (start[d] + pads[d]) * yStrides[d];
    dstBase += start[d] * xStrides[d];
  }
  return passOnly([
    remapKernel(`pad ${node.name}`, ctx.flux(node.outputs[0]), ctx.flux(x), size, {
      srcBase,
      dstBase,
      srcStrides: yStrides,
      dstStrides: xStrides,
    }),
  ]);
}

function maxPool(ctx: PlanContext, node: IrNode): NodeKernels {
  const x = node.inputs[0];
  const xDims = ctx.dims(x);
  const oneD = xDims.length === 3;
  const [N, C, H, W] = oneD ? [xDims[0], xDims[1], 1, xDims[2]] : xDims;
  const geo = node.opType === 'GlobalMaxPool' ? globalWindow(xDims) : poolGeometry(node, xDims);
  const nOut = N * C * geo.outH * geo.outW;
  const value = ctx.value(x);
  const stats = ctx.scratch(nOut);
  return passOnly([
    {
      label: `maxpool_stats ${node.name}`,
      shader: SHADERS.maxpoolStats,
      threads: nOut,
      buffers: { x: value, stats },
      uniforms: { params: poolUniforms(nOut, H, W, geo, false) },
    },
    {
      label: `maxpool_route ${node.name}`,
      shader: SHADERS.maxpoolRoute,
      threads: numelOf(xDims),
      buffers: { x: value, stats, fluxOut: ctx.flux(node.outputs[0]), flux: ctx.flux(x) },
      uniforms: { params: poolUniforms(numelOf(xDims), H, W, geo, false) },
    },
  ]);
}

/** A gate y = g * x: the signal x takes the flux of every output it fed where y != 0 (gate_adjoint.wgsl). */
export function planGate(ctx: PlanContext, node: IrNode): NodeKernels {
  const signal = node.inputs[gateSignalInput(node)];
  const out = node.outputs[0];
  const xDims = ctx.dims(signal);
  const n = numelOf(xDims);
  return passOnly([
    {
      label: `gate ${node.name}`,
      shader: SHADERS.gateAdjoint,
      threads: n,
      buffers: { y: ctx.value(out), fluxOut: ctx.flux(out), flux: ctx.flux(signal) },
      uniforms: { params: { n, outDims: align8(ctx.dims(out), 1), inDims: align8(xDims, 1) } },
    },
  ]);
}

/** `reached` says whether a tensor carries mass (outputs of Split that lead nowhere get no kernel). */
type Planner = (ctx: PlanContext, node: IrNode, reached: (name: string) => boolean) => NodeKernels;

export const ROUTING_PLANNERS: OpTable<RoutedOp, Planner> = {
  Relu: copy,
  LeakyRelu: copy,
  Clip: clip,
  Dropout: copy,
  Identity: copy,
  Flatten: copy,
  Reshape: copy,
  Squeeze: copy,
  Unsqueeze: copy,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Pad: pad,
  MaxPool: maxPool,
  GlobalMaxPool: maxPool,
};
