/**
 * Ops that move values without combining them (PANE-SPEC 4.3 "pass-through"), max pooling and gates as
 * chain-graph ops; the float32 counterparts of core/reference/routing.ts and gating.ts. (T, R) follow the
 * values with no sign crossing:
 *
 *   Relu, LeakyRelu, Dropout, Identity,   the same elements: reshaped back when the dims differ
 *   Flatten, Reshape, Squeeze, Unsqueeze
 *   Clip                                  pass, or (clipSaturated 'absorb') 0 where the input is out of bounds
 *   Transpose                             the inverse permutation
 *   Concat / Split                        Split / Concat along the axis (constant slices sink)
 *   Pad                                   Slice back to the input (negative pads: zero padding)
 *   MaxPool                               every window's taps sliced out, the ones equal to the output share
 *                                         its mass equally (exact ties, spec 5.9), and a one-hot
 *                                         ConvTranspose accumulates them back (overlapping windows too)
 *   GlobalMaxPool                         the same over the plane, by broadcasting
 *   gates (HardSwish, gating Mul)         to the signal where y != 0, unbroadcast (core/reference/gating.ts)
 */
import { intsArg, padsForRank, scalarArg } from '../../core/onnx/canonical';
import { poolGeometry } from '../../core/onnx/geometry';
import type { IrNode } from '../../core/onnx/ir';
import { normAxis, transposePerm } from '../../core/onnx/shapeRules';
import { gateSignalInput, isData, type OpTable, type RoutedOp } from '../../core/pane/ops';
import { numel, sameDims } from '../../core/tensor';
import { unbroadcast, zeros } from './affine-view';
import type { CompileContext, FluxValues, NodeStep } from './context';
import { describe } from './context';
import { windowAttrs } from './windows';

/**
 * A route gets the flux of every mass-carrying output (fluxOutputs order; null where none arrived) and
 * returns the flux of every node input.
 */
type Route = (ctx: CompileContext, node: IrNode, outs: (FluxValues | null)[]) => NodeStep;

/** TensorProto.DataType FLOAT, the target of Cast. */
const FLOAT = 1;

function firstInputOnly(node: IrNode, flux: FluxValues): NodeStep {
  const inputs = new Array<FluxValues | null>(node.inputs.length).fill(null);
  inputs[0] = flux;
  return { inputs };
}

function both(flux: FluxValues, f: (v: string) => string): FluxValues {
  return { T: f(flux.T), R: f(flux.R) };
}

/** The only output's flux (single-output ops always receive it, or the node is skipped). */
function single(outs: (FluxValues | null)[]): FluxValues {
  return outs[0]!;
}

/** Same elements in the same order: the flux reshaped to the input's dims. */
const copy: Route = (ctx, node, outs) => {
  const xDims = ctx.dims(node.inputs[0]);
  const yDims = ctx.dims(node.outputs[0]);
  if (numel(xDims) !== numel(yDims)) throw new Error(`${describe(node)}: output and input sizes differ`);
  const flux = single(outs);
  return firstInputOnly(node, sameDims(xDims, yDims) ? flux : both(flux, (v) => ctx.b.reshape(v, xDims)));
};

/** Clip passes mass through; with clipSaturated = 'absorb' a saturated output is a constant and sinks. */
const clip: Route = (ctx, node, outs) => {
  if (ctx.opts.clipSaturated === 'pass') return copy(ctx, node, outs);
  const args = ctx.constantArgs(node);
  node.inputs.slice(1).forEach((name, k) => {
    if (isData(ctx.g, name))
      throw new Error(`${describe(node)}: bound ${k + 1} computed at run time is not supported`);
  });
  const b = ctx.b;
  const x = ctx.forward(node.inputs[0]);
  const lo = scalarArg(node, args, 'min') ?? -Infinity;
  const hi = scalarArg(node, args, 'max') ?? Infinity;
  const outside = [
    Number.isFinite(lo) ? b.op('Less', [x, b.scalar(lo)]) : null,
    Number.isFinite(hi) ? b.op('Greater', [x, b.scalar(hi)]) : null,
  ].filter((v): v is string => v !== null);
  if (outside.length === 0) return copy(ctx, node, outs);
  const saturated = outside.length === 1 ? outside[0] : b.op('Or', outside);
  return firstInputOnly(
    node,
    both(single(outs), (v) => b.where(saturated, b.scalar(0), v)),
  );
};

const transpose: Route = (ctx, node, outs) => {
  const rank = ctx.dims(node.inputs[0]).length;
  const perm = transposePerm(
    rank,
    Array.isArray(node.attrs.perm) ? (node.attrs.perm as number[]) : undefined,
  );
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return firstInputOnly(
    node,
    both(single(outs), (v) => ctx.b.op('Transpose', [v], { perm: inverse })),
  );
};

function axisOf(node: IrNode, rank: number): number {
  return normAxis(typeof node.attrs.axis === 'number' ? node.attrs.axis : 0, rank);
}

/** Concat: every data input gets its slice back; the slice of a constant input is sink. */
const concat: Route = (ctx, node, outs) => {
  const dims = node.inputs.map((name) => ctx.dims(name));
  const axis = axisOf(node, dims[0].length);
  const sizes = ctx.b.ints(dims.map((d) => d[axis]));
  const parts = (v: string) => ctx.b.opN('Split', [v, sizes], node.inputs.length, { axis });
  const T = parts(single(outs).T);
  const R = parts(single(outs).R);
  return { inputs: node.inputs.map((name, k) => (isData(ctx.g, name) ? { T: T[k], R: R[k] } : null)) };
};

/** Split: the outputs' flux concatenated back along the axis (zeros for outputs that received none). */
const split: Route = (ctx, node, outs) => {
  const axis = axisOf(node, ctx.dims(node.inputs[0]).length);
  const part = (k: number, pick: (f: FluxValues) => string) => {
    const f = outs[k];
    return f ? pick(f) : zeros(ctx.b, ctx.dims(node.outputs[k]));
  };
  const join = (pick: (f: FluxValues) => string) =>
    ctx.b.op(
      'Concat',
      node.outputs.map((_, k) => part(k, pick)),
      { axis },
    );
  return firstInputOnly(node, { T: join((f) => f.T), R: join((f) => f.R) });
};

/**
 * Pad: the input gets its elements back (a crop); padded elements are constants whose mass sinks. Negative
 * pads crop the input, whose cropped elements receive nothing (zero padding of the flux).
 */
const pad: Route = (ctx, node, outs) => {
  const b = ctx.b;
  const xDims = ctx.dims(node.inputs[0]);
  const rank = xDims.length;
  const args = ctx.constantArgs(node);
  const raw = intsArg(node, args, 'pads');
  if (!raw) throw new Error(`${describe(node)}: pads computed at run time are not supported`);
  const pads = padsForRank(raw, intsArg(node, args, 'axes'), rank);
  const starts = xDims.map((_, i) => Math.max(pads[i], 0));
  const ends = xDims.map((d, i) => pads[i] + d - Math.max(0, -pads[i + rank]));
  const grow = [
    ...xDims.map((_, i) => Math.max(0, -pads[i])),
    ...xDims.map((_, i) => Math.max(0, -pads[i + rank])),
  ];
  const back = (v: string) => {
    const inside = b.op('Slice', [v, b.ints(starts), b.ints(ends), b.ints(xDims.map((_, i) => i))]);
    return grow.some((p) => p > 0) ? b.op('Pad', [inside, b.ints(grow)]) : inside;
  };
  return firstInputOnly(node, both(single(outs), back));
};

/**
 * MaxPool routing with exact ties (spec 4.3, 5.9). Every window tap is a strided Slice of the input padded
 * with NaN (padding never equals the output, so it never wins); a tap wins where it equals the output (the
 * forward maximum, so the comparison is exact), and the window's mass is split equally among its winners.
 * The shares go back to the input through a ConvTranspose with one one-hot kernel per tap (group = C), the
 * exact adjoint of the taps' gather, which also accumulates overlapping windows.
 */
const maxPool: Route = (ctx, node, outs) => {
  const b = ctx.b;
  const xDims = ctx.dims(node.inputs[0]);
  const geo = poolGeometry(node, xDims);
  // 1-D pooling runs as 2-D with H = 1, as the geometry describes it.
  const [N, C] = xDims;
  const x4 = [N, C, xDims.length === 3 ? 1 : xDims[2], xDims[xDims.length - 1]];
  const y4 = [N, C, geo.outH, geo.outW];
  const [kH, kW] = geo.kernel;
  const taps = kH * kW;
  const attrs = windowAttrs(geo, x4, C);
  const [pt, pl, pb, pr] = attrs.conv.pads;
  const padded = b.op('Pad', [
    b.reshape(ctx.forward(node.inputs[0]), x4),
    b.ints([0, 0, pt, pl, 0, 0, pb, pr]),
    b.scalar(NaN),
  ]);
  const tapValues: string[] = [];
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const h0 = kh * geo.dilations[0];
      const w0 = kw * geo.dilations[1];
      const ends = [h0 + (geo.outH - 1) * geo.strides[0] + 1, w0 + (geo.outW - 1) * geo.strides[1] + 1];
      const slice = b.op('Slice', [
        padded,
        b.ints([h0, w0]),
        b.ints(ends),
        b.ints([2, 3]),
        b.ints(geo.strides),
      ]);
      tapValues.push(b.op('Unsqueeze', [slice, b.ints([2])]));
    }
  }
  const windows = taps === 1 ? tapValues[0] : b.op('Concat', tapValues, { axis: 2 });
  const y = b.op('Unsqueeze', [b.reshape(ctx.forward(node.outputs[0]), y4), b.ints([2])]);
  const winners = b.op('Cast', [b.op('Equal', [windows, y])], { to: FLOAT });
  const count = b.op('ReduceSum', [winners, b.ints([2])], { keepdims: 1 });
  const share = b.mul(winners, b.safeInverse(count));
  const oneHot = new Float32Array(C * taps * taps);
  for (let c = 0; c < C; c++) for (let t = 0; t < taps; t++) oneHot[(c * taps + t) * taps + t] = 1;
  const kernels = b.floats([C * taps, 1, kH, kW], oneHot);
  const route = (v: string) => {
    const perTap = b.mul(b.op('Unsqueeze', [b.reshape(v, y4), b.ints([2])]), share);
    const back = b.op(
      'ConvTranspose',
      [b.reshape(perTap, [N, C * taps, geo.outH, geo.outW]), kernels],
      attrs.transpose,
    );
    return b.reshape(back, xDims);
  };
  return firstInputOnly(node, both(single(outs), route));
};

/** GlobalMaxPool: the plane's maxima share the plane's mass, by broadcasting against the output. */
const globalMaxPool: Route = (ctx, node, outs) => {
  const b = ctx.b;
  const xDims = ctx.dims(node.inputs[0]);
  const spatial = xDims.slice(2).map((_, i) => i + 2);
  const winners = b.op('Equal', [ctx.forward(node.inputs[0]), ctx.forward(node.outputs[0])]);
  const count = b.op('ReduceSum', [b.op('Cast', [winners], { to: FLOAT }), b.ints(spatial)], { keepdims: 1 });
  const share = b.safeInverse(count);
  return firstInputOnly(
    node,
    both(single(outs), (v) => b.where(winners, b.mul(v, share), b.scalar(0))),
  );
};

/** y = g * x with the gate g a fixed coefficient: (T, R) pass to x where y != 0, unbroadcast (gating.ts). */
export function gateStep(ctx: CompileContext, node: IrNode, outs: (FluxValues | null)[]): NodeStep {
  const b = ctx.b;
  const k = gateSignalInput(node);
  const yDims = ctx.dims(node.outputs[0]);
  const xDims = ctx.dims(node.inputs[k]);
  const dead = b.op('Equal', [ctx.forward(node.outputs[0]), b.scalar(0)]);
  const inputs = new Array<FluxValues | null>(node.inputs.length).fill(null);
  inputs[k] = both(single(outs), (v) => unbroadcast(b, b.where(dead, b.scalar(0), v), yDims, xDims));
  return { inputs };
}

export const ROUTES: OpTable<RoutedOp, Route> = {
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
