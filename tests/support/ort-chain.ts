/**
 * For the tests of the compiled chain: one graph spec (tests/support/testkit) as both an IrGraph
 * (makeGraph) and ONNX bytes (buildModel) for onnxruntime, the float32 forward values onnxruntime computes,
 * and the per-tensor error of the compiled chain against the float64 reference on those same values.
 */
import { buildModel, type BuildAttr, type ModelSpec } from '../../src/core/onnx';
import type { AttrValue, IrGraph } from '../../src/core/onnx/ir';
import type { PaneOptions } from '../../src/core/pane/options';
import { isData } from '../../src/core/pane/ops';
import type { PaneResult } from '../../src/core/pane/types';
import { explain } from '../../src/core/reference/chain';
import { makeGraph, type GraphSpec } from './testkit';
import type { Tensor } from '../../src/core/tensor';
import { createRunner } from '../../src/runtime';
import type { ForwardValues } from '../../src/engine/cpu-graph/head';

/** Attributes that ONNX types FLOAT even when the value is an integer. */
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'min', 'max', 'value', 'ratio']);

function buildAttr(name: string, v: AttrValue): BuildAttr {
  if (typeof v === 'number') return FLOAT_ATTRS.has(name) ? { f: v } : v;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v as number[];
  return { tensor: { dims: [...v.dims], data: v.data } };
}

export function modelOf(spec: GraphSpec): Uint8Array {
  const model: ModelSpec = {
    opset: spec.opset ?? 17,
    inputs: Object.entries(spec.inputs).map(([name, dims]) => ({ name, shape: [...dims] })),
    outputs: spec.outputs.map((name) => ({ name })),
    initializers: Object.fromEntries(
      Object.entries(spec.initializers ?? {}).map(([k, t]) => [
        k,
        { dims: [...t.dims], data: t.data, elemType: integerInput(spec, k) ? 'int64' : 'float32' },
      ]),
    ),
    nodes: spec.nodes.map((n) => ({
      op: n.op,
      inputs: n.inputs,
      outputs: n.outputs,
      // IR-only attributes (GATE_ATTR) are not ONNX's.
      attrs: Object.fromEntries(
        Object.entries(n.attrs ?? {})
          .filter(([k]) => !k.startsWith('__'))
          .map(([k, v]) => [k, buildAttr(k, v)]),
      ),
    })),
  };
  return buildModel(model);
}

/** Inputs that ONNX types int64: shapes, pads, axes, split sizes. */
const INT64_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1],
  Pad: [1, 3],
  Squeeze: [1],
  Unsqueeze: [1],
  Split: [1],
  ReduceMean: [1],
};

function integerInput(spec: GraphSpec, name: string): boolean {
  return spec.nodes.some((n) => (INT64_INPUTS[n.op] ?? []).some((k) => n.inputs[k] === name));
}

/** The graph and onnxruntime's float32 forward values (every data value) for the given inputs. */
export async function forwardOnOrt(
  spec: GraphSpec,
  inputs: Record<string, Tensor>,
): Promise<{ g: IrGraph; forward: ForwardValues }> {
  const g = makeGraph(spec);
  const names = g.nodes.flatMap((n) => n.outputs.filter((o) => o !== '' && isData(g, o)));
  const runner = await createRunner(modelOf(spec), { backend: 'wasm', outputs: names });
  try {
    const feeds = Object.fromEntries(
      Object.entries(inputs).map(([k, t]) => [k, { data: Float32Array.from(t.data), dims: t.dims }]),
    );
    const out = await runner.runFeeds(feeds);
    const forward = new Map<string, Tensor<Float32Array>>();
    for (const [k, f] of Object.entries(feeds)) forward.set(k, f);
    for (const [k, t] of out) {
      forward.set(k, { dims: t.dims, data: await t.getData() });
      t.dispose();
    }
    return { g, forward };
  } finally {
    runner.dispose();
  }
}

/** The float64 reference on exactly the float32 forward values (so both see the same signs and ties). */
export function referenceOn(g: IrGraph, forward: ForwardValues, opts: Partial<PaneOptions>): PaneResult {
  const values = new Map<string, Tensor>(g.initializers);
  for (const [k, t] of forward) values.set(k, { dims: t.dims, data: Float64Array.from(t.data) });
  return explain(g, values, opts);
}

/**
 * max |a - b| / max |scale| (max |a - b| when the scale is all zero); Infinity on NaN or a length mismatch.
 * The scale is b itself unless given.
 */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>, scaleOf: ArrayLike<number> = b): number {
  if (a.length !== b.length) return Infinity;
  let scale = 0;
  let d = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(scaleOf[i]));
    const e = Math.abs(a[i] - b[i]);
    d = Number.isNaN(e) ? Infinity : Math.max(d, e);
  }
  return scale > 0 ? d / scale : d;
}

/**
 * The worst relative error of every flux and excitation tensor, by label (e.g. 'T conv0'). E+ and E- are
 * measured against max G: E- = (G - z)/2 of a unit without negative contributions is the rounding of G - z
 * in either implementation, so its own maximum is no scale.
 */
export function resultErrors(got: PaneResult, ref: PaneResult): Map<string, number> {
  const errors = new Map<string, number>();
  for (const [name, f] of ref.flux) {
    const g = got.flux.get(name);
    errors.set(`T ${name}`, g ? relError(g.T, f.T) : Infinity);
    errors.set(`R ${name}`, g ? relError(g.R, f.R) : Infinity);
  }
  for (const [name, e] of ref.excitation) {
    const g = got.excitation.get(name);
    errors.set(`E+ ${name}`, g ? relError(g.Epos, e.Epos, e.G) : Infinity);
    errors.set(`E- ${name}`, g ? relError(g.Eneg, e.Eneg, e.G) : Infinity);
  }
  for (const name of got.flux.keys()) if (!ref.flux.has(name)) errors.set(`extra ${name}`, Infinity);
  return errors;
}
