/**
 * Kernel records of the affine ops (PANE-SPEC 3 and 4.2-4.3): each node gets its forward excitation split
 * (writing the output's (E+, E-, b, z)) and its chain step: chain_coef on the output, then one adjoint
 * kernel per data operand that adds into that operand's flux.
 *
 *   Conv                       conv_excite / conv_adjoint (groups, depthwise, stride, dilation, pads)
 *   Gemm, MatMul               gemm_excite / gemm_adjoint (either operand may be the data one; constants
 *                              over the binding limit are split into column chunks)
 *   Add, Sub, Sum, Mul, Div,   eltwise_excite / eltwise_adjoint (broadcasting; constants are bias,
 *   BatchNormalization         or the scale of Mul/Div/BN)
 *   AveragePool, GlobalAvgPool avgpool_excite / avgpool_adjoint (ReduceMean over H, W is the latter)
 */
import { batchNormAffine, batchNormEpsilon, batchNormParams } from '../../core/onnx/batch-norm';
import { convGeometry, globalWindow, isSpatialMean, poolGeometry } from '../../core/onnx/geometry';
import type { IrNode } from '../../core/onnx/ir';
import { broadcastDims } from '../../core/onnx/shapeRules';
import { isData, type AffineOp, type OpTable } from '../../core/pane/ops';
import type { Tensor } from '../../core/tensor';
import type { BufferSlice, Kernel } from '../kernel';
import { SHADERS } from '../shaders';
import { align8, broadcastStrides8, type NodeKernels, type PlanContext } from './context';
import { expand, f32, matrixRows, numelOf } from './host-arrays';
import { poolUniforms, windowUniforms } from './window';

const describe = (node: IrNode) => `${node.opType} '${node.name}'`;

function constantTensor(ctx: PlanContext, node: IrNode, k: number): Tensor | undefined {
  const name = node.inputs[k] ?? '';
  if (name === '') return undefined;
  if (isData(ctx.g, name)) throw new Error(`${describe(node)}: input ${k} ('${name}') must be a constant`);
  const t = ctx.g.initializers.get(name);
  if (!t) throw new Error(`${describe(node)}: constant input '${name}' has no value in the graph`);
  return t;
}

function requireData(ctx: PlanContext, node: IrNode, k: number): string {
  const name = node.inputs[k] ?? '';
  if (!isData(ctx.g, name))
    throw new Error(`${describe(node)}: input ${k} must be data (depend on the graph input)`);
  return name;
}

/** Uploads a constant tensor as float32 under its tensor name. */
function constantBuffer(ctx: PlanContext, name: string, t: Tensor): BufferSlice {
  return ctx.constant(`const:${name}`, () => f32(t.data));
}

function zeros(ctx: PlanContext, n: number): BufferSlice {
  return ctx.constant(`zeros:${n}`, () => new Float32Array(n));
}

/** chain_coef on the node's output: the rule's per-output coefficients into the shared scratch. */
function coefKernel(
  ctx: PlanContext,
  node: IrNode,
  out: string,
  n: number,
): { kernel: Kernel; coef: BufferSlice } {
  const coef = ctx.scratch(n);
  return {
    coef,
    kernel: {
      label: `chain_coef ${node.name}`,
      shader: SHADERS.chainCoef,
      threads: n,
      buffers: { rule: ctx.rule, flux: ctx.flux(out), exc: ctx.excitation(out), coef },
      uniforms: { params: { n } },
    },
  };
}

function nchw(dims: readonly number[]): [number, number, number, number] {
  if (dims.length === 4) return [dims[0], dims[1], dims[2], dims[3]];
  if (dims.length === 3) return [dims[0], dims[1], 1, dims[2]];
  throw new Error(`expected a [N, C, H, W] or [N, C, L] tensor, got [${dims.join(',')}]`);
}

/**
 * Conv weights as the blocked kernels read them: vec4s over four output channels of a group (excitation)
 * or four input channels of a group (adjoint), zero past the group's end.
 */
export function convWeightLayouts(
  w: Tensor,
  group: number,
): { excite: () => Float32Array; adjoint: () => Float32Array } {
  const [M, cinG] = w.dims;
  const k = numelOf(w.dims.slice(2));
  const coutG = M / group;
  const outBlocks = Math.ceil(coutG / 4);
  const inBlocks = Math.ceil(cinG / 4);
  const at = (m: number, c: number, tap: number) => w.data[(m * cinG + c) * k + tap];
  return {
    excite: () => {
      const out = new Float32Array(group * outBlocks * cinG * k * 4);
      for (let g = 0; g < group; g++)
        for (let bl = 0; bl < outBlocks; bl++)
          for (let c = 0; c < cinG; c++)
            for (let tap = 0; tap < k; tap++)
              for (let l = 0; l < 4 && bl * 4 + l < coutG; l++) {
                out[(((g * outBlocks + bl) * cinG + c) * k + tap) * 4 + l] = at(
                  g * coutG + bl * 4 + l,
                  c,
                  tap,
                );
              }
      return out;
    },
    adjoint: () => {
      const out = new Float32Array(M * inBlocks * k * 4);
      for (let m = 0; m < M; m++)
        for (let bl = 0; bl < inBlocks; bl++)
          for (let tap = 0; tap < k; tap++)
            for (let l = 0; l < 4 && bl * 4 + l < cinG; l++) {
              out[((m * inBlocks + bl) * k + tap) * 4 + l] = at(m, bl * 4 + l, tap);
            }
      return out;
    },
  };
}

function conv(ctx: PlanContext, node: IrNode): NodeKernels {
  const xName = requireData(ctx, node, 0);
  const out = node.outputs[0];
  const xDims = ctx.dims(xName);
  const w = constantTensor(ctx, node, 1)!;
  const b = constantTensor(ctx, node, 2);
  const geo = convGeometry(node, xDims, w.dims);
  const [N, C, H, W] = nchw(xDims);
  const M = w.dims[0];
  const cinG = C / geo.group;
  const coutG = M / geo.group;
  const outBlocks = Math.ceil(coutG / 4);
  const inBlocks = Math.ceil(cinG / 4);
  const layouts = convWeightLayouts(w, geo.group);
  const blocked = Math.max(outBlocks * geo.group * cinG, M * inBlocks) * numelOf(w.dims.slice(2)) * 16;
  if (blocked > ctx.maxBindingBytes) {
    throw new Error(`${describe(node)}: a ${blocked}-byte weight exceeds the device's binding limit`);
  }
  const shape = { cin: C, h: H, w: W, cout: M, cinG, coutG, ...windowUniforms(geo) };
  const x = ctx.value(xName);
  const nOut = N * M * geo.outH * geo.outW;
  const { kernel: coefK, coef } = coefKernel(ctx, node, out, nOut);
  const exciteThreads = N * geo.group * outBlocks * geo.outH * geo.outW;
  const adjointThreads = N * geo.group * inBlocks * H * W;
  return {
    excite: [
      {
        label: `conv_excite ${node.name}`,
        shader: SHADERS.convExcite,
        threads: exciteThreads,
        buffers: {
          x,
          weight: ctx.constant(`conv-excite:${node.inputs[1]}:${geo.group}`, layouts.excite),
          bias: b ? constantBuffer(ctx, node.inputs[2], b) : zeros(ctx, M),
          exc: ctx.excitation(out),
        },
        uniforms: { params: { n: exciteThreads, blocksG: outBlocks, ...shape } },
      },
    ],
    chain: [
      coefK,
      {
        label: `conv_adjoint ${node.name}`,
        shader: SHADERS.convAdjoint,
        threads: adjointThreads,
        buffers: {
          x,
          weight: ctx.constant(`conv-adjoint:${node.inputs[1]}:${geo.group}`, layouts.adjoint),
          coef,
          flux: ctx.flux(xName),
        },
        uniforms: { params: { n: adjointThreads, blocksG: inBlocks, ...shape } },
      },
    ],
  };
}

/**
 * A matrix product seen as data rows times a constant: out(r, c) = sum_k d(r, k) W(c, k) + bias(r, c),
 * with every operand addressed through strides (see gemm_excite.wgsl).
 */
interface MatrixProduct {
  data: string;
  rows: number;
  cols: number;
  K: number;
  dStride: [number, number];
  outStride: [number, number];
  /** Element (c, k) of the constant operand, any scalar factor folded in. */
  weight: (c: number, k: number) => number;
  /** Cache key of the constant's layout. */
  weightKey: string;
  bias?: { buffer: BufferSlice; stride: [number, number] };
}

function gemmProduct(ctx: PlanContext, node: IrNode): MatrixProduct {
  const d = dataOperand(ctx, node);
  const [aDims, bDims] = [ctx.dims(node.inputs[0]), ctx.dims(node.inputs[1])];
  const transA = node.attrs.transA === 1;
  const transB = node.attrs.transB === 1;
  const alpha = typeof node.attrs.alpha === 'number' ? node.attrs.alpha : 1;
  const beta = typeof node.attrs.beta === 'number' ? node.attrs.beta : 1;
  const M = transA ? aDims[1] : aDims[0];
  const K = transA ? aDims[0] : aDims[1];
  const N = transB ? bDims[0] : bDims[1];
  // Element (m, k) of op(A) and (k, n) of op(B) in their stored layouts.
  const aAt = (m: number, k: number) => (transA ? k * M + m : m * K + k);
  const bAt = (k: number, n: number) => (transB ? n * K + k : k * N + n);
  const c = constantTensor(ctx, node, 2);
  let biasStride: [number, number] = [0, 0];
  if (c) {
    const s = broadcastStrides8(c.dims, [M, N]);
    biasStride = [s[6], s[7]];
  }
  const bias = c
    ? ctx.constant(`gemm-bias:${node.name}`, () => f32(c.data.map((v) => beta * v)))
    : zeros(ctx, 1);
  const key = `gemm:${node.name}`;
  if (d === 0) {
    const B = constantTensor(ctx, node, 1)!;
    return {
      data: node.inputs[0],
      rows: M,
      cols: N,
      K,
      dStride: transA ? [1, M] : [K, 1],
      outStride: [N, 1],
      weight: (n, k) => alpha * B.data[bAt(k, n)],
      weightKey: key,
      bias: { buffer: bias, stride: biasStride },
    };
  }
  const A = constantTensor(ctx, node, 0)!;
  return {
    data: node.inputs[1],
    rows: N,
    cols: M,
    K,
    dStride: transB ? [K, 1] : [1, N],
    outStride: [1, N],
    weight: (m, k) => alpha * A.data[aAt(m, k)],
    weightKey: key,
    bias: { buffer: bias, stride: [biasStride[1], biasStride[0]] },
  };
}

function matmulProduct(ctx: PlanContext, node: IrNode): MatrixProduct {
  const d = dataOperand(ctx, node);
  const [aDims, bDims] = [ctx.dims(node.inputs[0]), ctx.dims(node.inputs[1])];
  const K = aDims[aDims.length - 1];
  if (bDims.length > 2 || (d === 1 && aDims.length > 2)) {
    throw new Error(
      `${describe(node)}: batched MatMul [${aDims}] x [${bDims}] is not supported by the chain`,
    );
  }
  const N = bDims.length === 1 ? 1 : bDims[1];
  const M = numelOf(aDims) / K;
  if (d === 0) {
    const B = constantTensor(ctx, node, 1)!;
    return {
      data: node.inputs[0],
      rows: M,
      cols: N,
      K,
      dStride: [K, 1],
      outStride: [N, 1],
      weight: (n, k) => B.data[k * N + n],
      weightKey: `matmul:${node.name}`,
    };
  }
  const A = constantTensor(ctx, node, 0)!;
  return {
    data: node.inputs[1],
    rows: N,
    cols: M,
    K,
    dStride: [1, N],
    outStride: [1, N],
    weight: (m, k) => A.data[m * K + k],
    weightKey: `matmul:${node.name}`,
  };
}

/** Exactly one of inputs 0 and 1 is data: a product of two data tensors is not affine. */
function dataOperand(ctx: PlanContext, node: IrNode): 0 | 1 {
  const a = isData(ctx.g, node.inputs[0]);
  const b = isData(ctx.g, node.inputs[1]);
  if (a === b)
    throw new Error(
      `${describe(node)}: needs exactly one data operand (a product of two data tensors is not affine)`,
    );
  return a ? 0 : 1;
}

/** Output columns per weight chunk so that one chunk fits one storage binding. */
export function chunkColumns(cols: number, K: number, maxBindingBytes: number): number {
  const perColumn = K * 4;
  const fit = Math.floor(maxBindingBytes / perColumn);
  if (fit < 1)
    throw new Error(`one weight row of ${perColumn} bytes exceeds the binding limit ${maxBindingBytes}`);
  return Math.min(cols, fit);
}

function matrixKernels(ctx: PlanContext, node: IrNode, p: MatrixProduct): NodeKernels {
  const out = node.outputs[0];
  const nOut = p.rows * p.cols;
  const x = ctx.value(p.data);
  const { kernel: coefK, coef } = coefKernel(ctx, node, out, nOut);
  const excite: Kernel[] = [];
  const chain: Kernel[] = [coefK];
  const chunk = chunkColumns(p.cols, p.K, ctx.maxBindingBytes);
  for (let c0 = 0; c0 < p.cols; c0 += chunk) {
    const cols = Math.min(chunk, p.cols - c0);
    const weight = ctx.constant(`${p.weightKey}:${c0}`, () => matrixRows(p.weight, c0, cols, p.K));
    const shape = {
      K: p.K,
      c0,
      chunk: cols,
      dStrideRow: p.dStride[0],
      dStrideK: p.dStride[1],
      outStrideRow: p.outStride[0],
      outStrideCol: p.outStride[1],
    };
    const part = p.cols > chunk ? ` [${c0}, ${c0 + cols})` : '';
    excite.push({
      label: `gemm_excite ${node.name}${part}`,
      shader: SHADERS.gemmExcite,
      threads: p.rows * cols,
      buffers: { x, weight, bias: p.bias?.buffer ?? zeros(ctx, 1), exc: ctx.excitation(out) },
      uniforms: {
        params: {
          n: p.rows * cols,
          ...shape,
          biasStrideRow: p.bias?.stride[0] ?? 0,
          biasStrideCol: p.bias?.stride[1] ?? 0,
        },
      },
    });
    chain.push({
      label: `gemm_adjoint ${node.name}${part}`,
      shader: SHADERS.gemmAdjoint,
      threads: p.rows * p.K,
      buffers: { x, weight, coef, flux: ctx.flux(p.data) },
      uniforms: { params: { n: p.rows * p.K, ...shape } },
    });
  }
  return { excite, chain };
}

/** One data operand of an element-wise affine node: y += scale * x (both broadcast to y). */
interface EltTerm {
  input: string;
  scale: { key: string; tensor: Tensor };
}

const ONE: Tensor = { dims: [1], data: Float64Array.of(1) };
const MINUS_ONE: Tensor = { dims: [1], data: Float64Array.of(-1) };

function perChannel(v: Float64Array, rank: number): Tensor {
  const dims = new Array<number>(rank).fill(1);
  dims[1] = v.length;
  return { dims, data: v };
}

/** Data terms and the constant part of Add/Sub/Sum, Mul/Div by a constant, and unfolded BN. */
function elementwiseTerms(
  ctx: PlanContext,
  node: IrNode,
): { terms: EltTerm[]; bias?: { key: string; tensor: Tensor } } {
  const op = node.opType;
  if (op === 'Add' || op === 'Sub' || op === 'Sum') {
    const terms: EltTerm[] = [];
    const constants: { t: Tensor; sign: number }[] = [];
    node.inputs.forEach((name, k) => {
      const sign = op === 'Sub' && k === 1 ? -1 : 1;
      if (isData(ctx.g, name))
        terms.push({
          input: name,
          scale: sign > 0 ? { key: 'one', tensor: ONE } : { key: 'minus-one', tensor: MINUS_ONE },
        });
      else constants.push({ t: constantTensor(ctx, node, k)!, sign });
    });
    if (constants.length === 0) return { terms };
    const dims = broadcastDims(...constants.map((c) => c.t.dims));
    const sum = new Float64Array(numelOf(dims));
    for (const c of constants) expand(c.t, dims).forEach((v, j) => (sum[j] += c.sign * v));
    return { terms, bias: { key: `bias:${node.name}`, tensor: { dims, data: sum } } };
  }
  if (op === 'Mul' || op === 'Div') {
    const d = dataOperand(ctx, node);
    if (op === 'Div' && d !== 0)
      throw new Error(`${describe(node)}: a constant divided by data is not affine`);
    const k = constantTensor(ctx, node, 1 - d)!;
    const scale = op === 'Div' ? { dims: k.dims, data: k.data.map((v) => 1 / v) } : k;
    return { terms: [{ input: node.inputs[d], scale: { key: `scale:${node.name}`, tensor: scale } }] };
  }
  // BatchNormalization left unfolded: y = s x + t per channel.
  const x = requireData(ctx, node, 0);
  const rank = ctx.dims(x).length;
  const params = batchNormParams([1, 2, 3, 4].map((k) => constantTensor(ctx, node, k)!.data));
  const { slope: s, shift: t } = batchNormAffine(params, batchNormEpsilon(node));
  return {
    terms: [{ input: x, scale: { key: `scale:${node.name}`, tensor: perChannel(s, rank) } }],
    bias: { key: `bias:${node.name}`, tensor: perChannel(t, rank) },
  };
}

function elementwise(ctx: PlanContext, node: IrNode): NodeKernels {
  const out = node.outputs[0];
  const yDims = ctx.dims(out);
  const nOut = numelOf(yDims);
  const { terms, bias } = elementwiseTerms(ctx, node);
  if (terms.length === 0) throw new Error(`${describe(node)}: no data input`);
  const biasBuf = bias ? ctx.constant(bias.key, () => f32(bias.tensor.data)) : zeros(ctx, 1);
  const biasStrides = bias ? broadcastStrides8(bias.tensor.dims, yDims) : align8([], 0);
  const { kernel: coefK, coef } = coefKernel(ctx, node, out, nOut);
  const excite: Kernel[] = [];
  const chain: Kernel[] = [coefK];
  terms.forEach((term, k) => {
    const xDims = ctx.dims(term.input);
    const x = ctx.value(term.input);
    const scale = ctx.constant(term.scale.key, () => f32(term.scale.tensor.data));
    const sStrides = broadcastStrides8(term.scale.tensor.dims, yDims);
    excite.push({
      label: `eltwise_excite ${node.name} #${k}`,
      shader: SHADERS.eltwiseExcite,
      threads: nOut,
      buffers: { x, scale, bias: biasBuf, exc: ctx.excitation(out) },
      uniforms: {
        params: {
          n: nOut,
          first: k === 0 ? 1 : 0,
          outDims: align8(yDims, 1),
          xStrides: broadcastStrides8(xDims, yDims),
          sStrides,
          tStrides: biasStrides,
        },
      },
    });
    const inDims = align8(xDims, 1);
    chain.push({
      label: `eltwise_adjoint ${node.name} #${k}`,
      shader: SHADERS.eltwiseAdjoint,
      threads: numelOf(xDims),
      buffers: { x, scale, coef, flux: ctx.flux(term.input) },
      uniforms: { params: { n: numelOf(xDims), outDims: align8(yDims, 1), inDims, sStrides } },
    });
  });
  return { excite, chain };
}

function averagePool(ctx: PlanContext, node: IrNode): NodeKernels {
  const xName = requireData(ctx, node, 0);
  const out = node.outputs[0];
  const xDims = ctx.dims(xName);
  if (node.opType === 'ReduceMean' && !isSpatialMean(node, xDims)) {
    throw new Error(
      `${describe(node)}: only the mean over the spatial axes of [N, C, H, W] (global average pooling) has a rule`,
    );
  }
  const geo =
    node.opType === 'AveragePool'
      ? poolGeometry(node, xDims)
      : { ...globalWindow(xDims), countIncludePad: false };
  const [N, C, H, W] = nchw(xDims);
  const nOut = N * C * geo.outH * geo.outW;
  const x = ctx.value(xName);
  const { kernel: coefK, coef } = coefKernel(ctx, node, out, nOut);
  return {
    excite: [
      {
        label: `avgpool_excite ${node.name}`,
        shader: SHADERS.avgpoolExcite,
        threads: nOut,
        buffers: { x, exc: ctx.excitation(out) },
        uniforms: { params: poolUniforms(nOut, H, W, geo, geo.countIncludePad) },
      },
    ],
    chain: [
      coefK,
      {
        label: `avgpool_adjoint ${node.name}`,
        shader: SHADERS.avgpoolAdjoint,
        threads: numelOf(xDims),
        buffers: { x, coef, flux: ctx.flux(xName) },
        uniforms: { params: poolUniforms(numelOf(xDims), H, W, geo, geo.countIncludePad) },
      },
    ],
  };
}

type Planner = (ctx: PlanContext, node: IrNode) => NodeKernels;

export const AFFINE_PLANNERS: OpTable<AffineOp, Planner> = {
  Conv: conv,
  Gemm: (ctx, node) => matrixKernels(ctx, node, gemmProduct(ctx, node)),
  MatMul: (ctx, node) => matrixKernels(ctx, node, matmulProduct(ctx, node)),
  BatchNormalization: elementwise,
  Add: elementwise,
  Sub: elementwise,
  Sum: elementwise,
  Mul: elementwise,
  Div: elementwise,
  AveragePool: averagePool,
  GlobalAveragePool: averagePool,
  // Over the spatial axes (the only form with a rule) it is GlobalAveragePool; dropped singleton axes
  // do not move any element.
  ReduceMean: averagePool,
};
