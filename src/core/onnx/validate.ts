/**
 * Load-time checks against the ONNX operator specifications, before any pass computes with the graph: a
 * malformed model is refused with every problem named (node and what is wrong), instead of running with
 * a kernel of 0, a negative pad or weights of NaN and giving a map of garbage, or failing later with an
 * internal message.
 *
 * Checked: the default-domain opset is one panescope reads; declared input dims are 1 to 2^31 - 1; every
 * value has one producer; Conv and pooling
 * windows (kernel, strides, dilations >= 1, pads >= 0 and smaller than the pooling window, kernel_shape
 * agreeing with the weight, group dividing the channels); BatchNormalization variances that make
 * var + epsilon <= 0; float weights that are not finite.
 */
import type { Tensor } from '../tensor';
import type { AttrValue, IrGraph, IrNode } from './ir';
import { isFloatType } from './proto';
import { quoted } from '../text';

/** Default-domain opsets whose operator versions panescope reads (canonical.ts covers opsets 1 to 21). */
const OPSET_RANGE = { min: 1, max: 21 } as const;

/** At most this many problems are spelled out; the rest are counted. */
const MAX_LISTED = 8;

export class ModelValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    const listed = problems.slice(0, MAX_LISTED).join('; ');
    const more = problems.length > MAX_LISTED ? `; and ${problems.length - MAX_LISTED} more` : '';
    super(`invalid model: ${listed}${more}`);
    this.name = 'ModelValidationError';
  }
}

function label(node: IrNode): string {
  return `${node.opType} ${quoted(node.name)}`;
}

function intList(v: AttrValue | undefined): number[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
}

type Report = (problem: string) => void;

function checkAtLeast(node: IrNode, attr: string, min: number, report: Report): number[] | undefined {
  const v = node.attrs[attr];
  if (v === undefined) return undefined;
  const list = intList(v);
  if (!list) {
    report(`${label(node)}: ${attr} must be a list of integers`);
    return undefined;
  }
  const bad = list.find((x) => !Number.isInteger(x) || x < min);
  if (bad !== undefined)
    report(`${label(node)}: ${attr} [${list.join(',')}] holds ${bad}; each must be >= ${min}`);
  return list;
}

/** Kernel, strides, dilations, pads: the window attributes shared by Conv and the pooling ops. */
function checkWindow(node: IrNode, report: Report): { kernel?: number[]; pads?: number[] } {
  const kernel = checkAtLeast(node, 'kernel_shape', 1, report);
  const strides = checkAtLeast(node, 'strides', 1, report);
  const dilations = checkAtLeast(node, 'dilations', 1, report);
  const pads = checkAtLeast(node, 'pads', 0, report);
  const rank = kernel?.length ?? strides?.length ?? dilations?.length;
  if (rank !== undefined) {
    for (const [attr, list, len] of [
      ['strides', strides, rank],
      ['dilations', dilations, rank],
      ['pads', pads, 2 * rank],
    ] as const) {
      if (list && list.length !== len) {
        report(`${label(node)}: ${attr} has ${list.length} values, expected ${len} for a ${rank}-D window`);
      }
    }
  }
  return { kernel, pads };
}

function checkConv(node: IrNode, weightOf: (name: string) => Tensor | undefined, report: Report): void {
  const { kernel } = checkWindow(node, report);
  const group = node.attrs.group;
  if (group !== undefined && (typeof group !== 'number' || !Number.isInteger(group) || group < 1)) {
    report(`${label(node)}: group ${String(group)} must be an integer >= 1`);
  }
  const w = node.inputs[1] ? weightOf(node.inputs[1]) : undefined;
  if (!w) return;
  if (w.dims.length < 3) {
    report(
      `${label(node)}: weight ${quoted(node.inputs[1])} is [${w.dims.join(',')}], expected [M, C/group, k...]`,
    );
    return;
  }
  const wKernel = w.dims.slice(2);
  if (kernel && (kernel.length !== wKernel.length || kernel.some((k, i) => k !== wKernel[i]))) {
    report(
      `${label(node)}: kernel_shape [${kernel.join(',')}] disagrees with the weight's [${wKernel.join(',')}]`,
    );
  }
  if (typeof group === 'number' && Number.isInteger(group) && group >= 1 && w.dims[0] % group !== 0) {
    report(`${label(node)}: ${w.dims[0]} output channels are not divisible by group ${group}`);
  }
}

function checkPool(node: IrNode, report: Report): void {
  const { kernel, pads } = checkWindow(node, report);
  if (!kernel) {
    report(`${label(node)}: kernel_shape is required`);
    return;
  }
  // onnxruntime: "Pad should be smaller than kernel" (a window wholly in the padding has nothing to pool).
  if (pads && pads.length === 2 * kernel.length) {
    const bad = pads.findIndex((p, i) => p >= kernel[i % kernel.length]);
    if (bad >= 0)
      report(
        `${label(node)}: pads [${pads.join(',')}] must be smaller than kernel_shape [${kernel.join(',')}]`,
      );
  }
}

function checkBatchNorm(node: IrNode, constOf: (name: string) => Tensor | undefined, report: Report): void {
  const variance = node.inputs[4] ? constOf(node.inputs[4]) : undefined;
  const eps = typeof node.attrs.epsilon === 'number' ? node.attrs.epsilon : 1e-5;
  if (!variance) return;
  const i = variance.data.findIndex((v) => !(v + eps > 0));
  if (i >= 0) {
    report(`${label(node)}: variance ${variance.data[i]} (channel ${i}) + epsilon ${eps} is not positive`);
  }
}

function checkFinite(g: IrGraph, report: Report): void {
  for (const [name, t] of g.initializers) {
    if (!isFloatType(g.constTypes.get(name) ?? 'float32')) continue;
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      // v - v is NaN exactly for NaN and +-Infinity; a plain loop keeps SqueezeNet's 1.2M weights at ~2 ms.
      if (d[i] - d[i] === 0) continue;
      report(`weight ${quoted(name)} holds ${d[i]} at index ${i}`);
      break;
    }
  }
}

function checkProducers(g: IrGraph, report: Report): void {
  const producer = new Map<string, string>();
  for (const v of g.inputs) producer.set(v.name, `graph input ${quoted(v.name)}`);
  for (const name of g.initializers.keys()) producer.set(name, `initializer ${quoted(name)}`);
  for (const node of g.nodes) {
    for (const out of node.outputs) {
      if (out === '') continue;
      const first = producer.get(out);
      if (first) report(`${label(node)}: output ${quoted(out)} is already produced by ${first}`);
      else producer.set(out, label(node));
    }
  }
}

/** Largest dimension accepted anywhere (onnxruntime and WebGPU index with 32-bit integers). */
const MAX_DIM = 2 ** 31 - 1;

function checkInputDims(g: IrGraph, report: Report): void {
  for (const v of g.inputs) {
    const bad = v.shape.find(
      (d) => typeof d === 'number' && !(Number.isInteger(d) && d >= 1 && d <= MAX_DIM),
    );
    if (bad !== undefined) {
      report(
        `input ${quoted(v.name)} declares dimension ${bad} in [${v.shape.join(',')}]; dims must be 1 to 2^31 - 1`,
      );
    }
  }
}

/** Every problem of a parsed graph, each naming its node or tensor; empty when there is none. */
export function modelProblems(g: IrGraph): string[] {
  const problems: string[] = [];
  const report = (p: string) => void problems.push(p);
  if (!Number.isInteger(g.opset) || g.opset < OPSET_RANGE.min || g.opset > OPSET_RANGE.max) {
    report(
      `opset ${g.opset} of the default domain is not supported (panescope reads opsets ` +
        `${OPSET_RANGE.min} to ${OPSET_RANGE.max}; re-export with opset_version=17)`,
    );
  }
  checkInputDims(g, report);
  checkProducers(g, report);
  const constOf = (name: string) => g.initializers.get(name);
  for (const node of g.nodes) {
    if (node.domain !== '') continue;
    if (node.opType === 'Conv') checkConv(node, constOf, report);
    else if (node.opType === 'MaxPool' || node.opType === 'AveragePool') checkPool(node, report);
    else if (node.opType === 'BatchNormalization') checkBatchNorm(node, constOf, report);
  }
  checkFinite(g, report);
  return problems;
}

/** Throws a ModelValidationError naming every problem (see modelProblems). */
export function validateGraph(g: IrGraph): void {
  const problems = modelProblems(g);
  if (problems.length > 0) throw new ModelValidationError(problems);
}
