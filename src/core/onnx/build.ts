/**
 * Writing ONNX from TypeScript: small models for tests and fixtures (buildModel), and the one edit the
 * runtime needs on a real model (exposeTensors).
 */
import type { ElemType } from './ir';
import { elemTypeCode, onnx, type OnnxTypes } from './proto';
import { encodeTensorProto } from './tensorProto';

export interface BuildTensor {
  dims: number[];
  data: ArrayLike<number>;
  elemType?: 'float32' | 'float64' | 'int64' | 'int32';
}

/**
 * Attribute values. A plain number is INT when it is an integer and FLOAT otherwise, a plain number[] is
 * INTS unless it holds a non-integer; `{ f }` and `{ floats }` force FLOAT(S) so that 1.0 can be a float.
 */
export type BuildAttr =
  | number
  | string
  | number[]
  | { f: number }
  | { floats: number[] }
  | { ints: number[] }
  | { tensor: BuildTensor }
  | { graph: GraphSpec };

export interface BuildNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Omitted: the node is written without a name (parsing then names it `${op}_${index}`). */
  name?: string;
  domain?: string;
  attrs?: Record<string, BuildAttr>;
}

export interface BuildValue {
  name: string;
  /** Numbers are dim_value, strings dim_param; omitted: no shape is written. */
  shape?: (number | string)[];
  elemType?: ElemType;
}

export interface GraphSpec {
  inputs: (BuildValue & { shape: (number | string)[] })[];
  outputs: BuildValue[];
  initializers?: Record<string, BuildTensor>;
  nodes: BuildNode[];
  name?: string;
}

export interface ModelSpec extends GraphSpec {
  /** Default-domain opset; default 13. */
  opset?: number;
  metadata?: Record<string, string>;
  /** Also list the initializers as graph inputs, as exporters did before IR 4. */
  initializersAsInputs?: boolean;
}

const AttrType = onnx.AttributeProto.AttributeType;

/** The IR version that introduced each opset (onnx/helper.py VERSION_TABLE), so runtimes accept the model. */
function irVersionFor(opset: number): number {
  if (opset <= 8) return 3;
  if (opset <= 11) return opset - 5;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  return opset <= 20 ? 9 : 10;
}

function valueInfo(v: BuildValue): OnnxTypes.IValueInfoProto {
  const tensorType: OnnxTypes.TypeProto.ITensor = { elemType: elemTypeCode(v.elemType ?? 'float32') };
  if (v.shape) {
    tensorType.shape = {
      dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
    };
  }
  return { name: v.name, type: { tensorType } };
}

function attribute(name: string, v: BuildAttr): OnnxTypes.IAttributeProto {
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: AttrType.INT, i: v } : { name, type: AttrType.FLOAT, f: v };
  }
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    return v.every(Number.isInteger)
      ? { name, type: AttrType.INTS, ints: v }
      : { name, type: AttrType.FLOATS, floats: v };
  }
  if ('f' in v) return { name, type: AttrType.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: AttrType.FLOATS, floats: v.floats };
  if ('ints' in v) return { name, type: AttrType.INTS, ints: v.ints };
  if ('tensor' in v) return { name, type: AttrType.TENSOR, t: tensorProto('', v.tensor) };
  return { name, type: AttrType.GRAPH, g: graphProto(v.graph) };
}

function tensorProto(name: string, t: BuildTensor): OnnxTypes.ITensorProto {
  return encodeTensorProto(name, t.dims, t.data, t.elemType ?? 'float32');
}

function graphProto(spec: GraphSpec, initializersAsInputs = false): OnnxTypes.IGraphProto {
  const inits = Object.entries(spec.initializers ?? {});
  const initInputs = initializersAsInputs
    ? inits.map(([name, t]) => valueInfo({ name, shape: t.dims, elemType: t.elemType }))
    : [];
  return {
    name: spec.name ?? 'graph',
    input: [...spec.inputs.map(valueInfo), ...initInputs],
    output: spec.outputs.map(valueInfo),
    initializer: inits.map(([name, t]) => tensorProto(name, t)),
    node: spec.nodes.map((n) => ({
      opType: n.op,
      name: n.name ?? '',
      domain: n.domain ?? '',
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    })),
  };
}

export function buildModel(spec: ModelSpec): Uint8Array {
  const opset = spec.opset ?? 13;
  const model = onnx.ModelProto.create({
    irVersion: irVersionFor(opset),
    producerName: 'panescope',
    opsetImport: [{ domain: '', version: opset }],
    graph: graphProto(spec, spec.initializersAsInputs),
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The model with `names` appended as graph outputs (float, shape unspecified), so that onnxruntime returns
 * those intermediate tensors too. Names must be values of the graph; ones already outputs are skipped.
 */
export function exposeTensors(modelBytes: Uint8Array, names: string[]): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) throw new Error('exposeTensors: the model has no graph');
  const known = new Set<string>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) known.add(o);
  for (const v of graph.input ?? []) known.add(v.name ?? '');
  const outputs = (graph.output ??= []);
  const present = new Set(outputs.map((o) => o.name));
  for (const name of names) {
    if (!known.has(name)) throw new Error(`exposeTensors: the model has no value named '${name}'`);
    if (present.has(name)) continue;
    outputs.push(valueInfo({ name }));
    present.add(name);
  }
  return onnx.ModelProto.encode(model).finish();
}
