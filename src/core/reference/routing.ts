/**
 * Ops that move values without combining them (PANE-SPEC 4.3 "pass-through") and max pooling: (T, R)
 * follow the values, with no sign crossing. Their only sinks are padded elements and, on request,
 * saturated Clip outputs.
 */
import { intsArg, padsForRank, scalarArg } from '../onnx/canonical';
import { globalWindow, poolGeometry, type Window2d } from '../onnx/geometry';
import type { IrGraph, IrNode } from '../onnx/ir';
import { normAxis, transposePerm } from '../onnx/shapeRules';
import type { PaneOptions } from '../pane/options';
import { isData, type OpsOfKind } from '../pane/ops';
import type { Flux } from '../pane/types';
import { numel, stridesOf, type Tensor } from '../tensor';
import type { NodeFlux } from './affine-rule';
import { describe, inputValue, outputValue } from './node-values';

type RouteFn = (
  g: IrGraph,
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  out: Flux,
  opts: PaneOptions,
) => NodeFlux;

function zeroFlux(n: number): Flux {
  return { T: new Float64Array(n), R: new Float64Array(n) };
}

function firstInputOnly(node: IrNode, flux: Flux, sinkT = 0, sinkR = 0): NodeFlux {
  const inputs = new Array<Flux | null>(node.inputs.length).fill(null);
  inputs[0] = flux;
  return { inputs, sinkT, sinkR };
}

/** Values are the same elements in the same order (Relu, Flatten, Reshape, Identity, ...): copy (T, R). */
const copy: RouteFn = (_g, node, values, out) => {
  const n = inputValue(values, node, 0).data.length;
  if (n !== out.T.length) throw new Error(`${describe(node)}: ${out.T.length} flux values for ${n} inputs`);
  return firstInputOnly(node, { T: out.T.slice(), R: out.R.slice() });
};

/** The inputs of a node as forward values, for the canonical argument readers. */
function argValues(values: ReadonlyMap<string, Tensor>, node: IrNode): (Tensor | undefined)[] {
  return node.inputs.map((name) => (name === '' ? undefined : values.get(name)));
}

/** Clip passes mass through; with clipSaturated = 'absorb' a saturated output is a constant and sinks. */
const clip: RouteFn = (g, node, values, out, opts) => {
  if (opts.clipSaturated === 'pass') return copy(g, node, values, out, opts);
  const x = inputValue(values, node, 0).data;
  const args = argValues(values, node);
  const lo = scalarArg(node, args, 'min') ?? -Infinity;
  const hi = scalarArg(node, args, 'max') ?? Infinity;
  const flux = zeroFlux(x.length);
  let sinkT = 0;
  let sinkR = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < lo || x[i] > hi) {
      sinkT += out.T[i];
      sinkR += out.R[i];
    } else {
      flux.T[i] = out.T[i];
      flux.R[i] = out.R[i];
    }
  }
  return firstInputOnly(node, flux, sinkT, sinkR);
};

/** y = transpose(x, perm): x element at the position y's element j came from receives j's mass. */
const transpose: RouteFn = (_g, node, values, out) => {
  const x = inputValue(values, node, 0);
  const rank = x.dims.length;
  const perm = transposePerm(
    rank,
    Array.isArray(node.attrs.perm) ? (node.attrs.perm as number[]) : undefined,
  );
  const yDims = perm.map((p) => x.dims[p]);
  const xStrides = stridesOf(x.dims);
  const step = perm.map((p) => xStrides[p]);
  const flux = zeroFlux(x.data.length);
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let j = 0; j < out.T.length; j++) {
    flux.T[off] = out.T[j];
    flux.R[off] = out.R[j];
    for (let d = rank - 1; d >= 0; d--) {
      off += step[d];
      if (++counter[d] < yDims[d]) break;
      off -= step[d] * yDims[d];
      counter[d] = 0;
    }
  }
  return firstInputOnly(node, flux);
};

/** Rows of a tensor split at `axis`: outer = product of the axes before it, row = the rest. */
function rows(dims: readonly number[], axis: number): { outer: number; row: number } {
  return { outer: numel(dims.slice(0, axis)), row: numel(dims.slice(axis)) };
}

/** Concat: every input gets its slice back; the slice of a constant input is sink. */
const concat: RouteFn = (g, node, values, out) => {
  const xs = node.inputs.map((_, k) => inputValue(values, node, k));
  const axis = normAxis(typeof node.attrs.axis === 'number' ? node.attrs.axis : 0, xs[0].dims.length);
  const outRow = xs.reduce((s, x) => s + rows(x.dims, axis).row, 0);
  let offset = 0;
  let sinkT = 0;
  let sinkR = 0;
  const inputs = xs.map((x, k) => {
    const { outer, row } = rows(x.dims, axis);
    const flux = zeroFlux(x.data.length);
    for (let o = 0; o < outer; o++) {
      flux.T.set(out.T.subarray(o * outRow + offset, o * outRow + offset + row), o * row);
      flux.R.set(out.R.subarray(o * outRow + offset, o * outRow + offset + row), o * row);
    }
    offset += row;
    if (isData(g, node.inputs[k])) return flux;
    sinkT += flux.T.reduce((s, v) => s + v, 0);
    sinkR += flux.R.reduce((s, v) => s + v, 0);
    return null;
  });
  return { inputs, sinkT, sinkR };
};

/** Split: `out` is the flat concatenation of every output's flux; each part goes back to its slice. */
const split: RouteFn = (_g, node, values, out) => {
  const x = inputValue(values, node, 0);
  const axis = normAxis(typeof node.attrs.axis === 'number' ? node.attrs.axis : 0, x.dims.length);
  const { outer, row: xRow } = rows(x.dims, axis);
  const flux = zeroFlux(x.data.length);
  let offset = 0;
  let read = 0;
  node.outputs.forEach((_, k) => {
    const { row } = rows(outputValue(values, node, k).dims, axis);
    for (let o = 0; o < outer; o++) {
      flux.T.set(out.T.subarray(read, read + row), o * xRow + offset);
      flux.R.set(out.R.subarray(read, read + row), o * xRow + offset);
      read += row;
    }
    offset += row;
  });
  if (read !== out.T.length)
    throw new Error(`${describe(node)}: ${out.T.length} flux values for ${read} outputs`);
  return firstInputOnly(node, flux);
};

/**
 * Pad: the input gets its elements back (crop); padded elements are constants whose mass sinks. Zero
 * padding carries no mass (zero invariant), so only non-zero, reflect, edge or wrap padding sinks.
 */
const pad: RouteFn = (_g, node, values, out) => {
  const x = inputValue(values, node, 0);
  const rank = x.dims.length;
  const args = argValues(values, node);
  const pads = padsForRank(intsArg(node, args, 'pads') ?? [], intsArg(node, args, 'axes'), rank);
  const yDims = x.dims.map((d, i) => d + pads[i] + pads[i + rank]);
  if (numel(yDims) !== out.T.length) throw new Error(`${describe(node)}: flux does not match the output`);
  const xStrides = stridesOf(x.dims);
  const flux = zeroFlux(x.data.length);
  const counter = new Array<number>(rank).fill(0);
  let sinkT = 0;
  let sinkR = 0;
  for (let j = 0; j < out.T.length; j++) {
    let off = 0;
    let inside = true;
    for (let d = 0; d < rank; d++) {
      const xi = counter[d] - pads[d];
      if (xi < 0 || xi >= x.dims[d]) inside = false;
      off += xi * xStrides[d];
    }
    if (inside) {
      flux.T[off] = out.T[j];
      flux.R[off] = out.R[j];
    } else {
      sinkT += out.T[j];
      sinkR += out.R[j];
    }
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < yDims[d]) break;
      counter[d] = 0;
    }
  }
  return firstInputOnly(node, flux, sinkT, sinkR);
};

/**
 * Max pooling routes all of (T_j, R_j) to the window's argmax (spec 4.3). Exact ties share equally; only
 * taps inside the input compete (-inf padding never wins, ceil_mode windows are clipped); overlapping
 * windows accumulate.
 */
function maxRoute(node: IrNode, x: Tensor, geo: Window2d, out: Flux): NodeFlux {
  const oneD = x.dims.length === 3;
  const N = x.dims[0];
  const C = x.dims[1];
  const H = oneD ? 1 : x.dims[2];
  const W = oneD ? x.dims[2] : x.dims[3];
  const { outH: OH, outW: OW } = geo;
  const [kH, kW] = geo.kernel;
  const [sh, sw] = geo.strides;
  const [dh, dw] = geo.dilations;
  const [pt, pl] = geo.pads;
  if (out.T.length !== N * C * OH * OW) throw new Error(`${describe(node)}: flux does not match the output`);
  const flux = zeroFlux(x.data.length);
  let sinkT = 0;
  let sinkR = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const xBase = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const j = (plane * OH + oh) * OW + ow;
        let best = -Infinity;
        let ties = 0;
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * sw - pl + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const v = x.data[xBase + ih * W + iw];
            if (v > best || ties === 0) {
              best = v;
              ties = 1;
            } else if (v === best) ties++;
          }
        }
        if (ties === 0) {
          sinkT += out.T[j];
          sinkR += out.R[j];
          continue;
        }
        const t = out.T[j] / ties;
        const r = out.R[j] / ties;
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * sw - pl + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const i = xBase + ih * W + iw;
            if (x.data[i] === best) {
              flux.T[i] += t;
              flux.R[i] += r;
            }
          }
        }
      }
    }
  }
  return firstInputOnly(node, flux, sinkT, sinkR);
}

const maxPool: RouteFn = (_g, node, values, out) => {
  const x = inputValue(values, node, 0);
  return maxRoute(node, x, poolGeometry(node, x.dims), out);
};

const globalMaxPool: RouteFn = (_g, node, values, out) => {
  const x = inputValue(values, node, 0);
  return maxRoute(node, x, globalWindow(x.dims), out);
};

export const ROUTES: Readonly<Record<OpsOfKind<'pass' | 'route'>, RouteFn>> = {
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
  GlobalMaxPool: globalMaxPool,
};
