/**
 * ONNX protobuf bytes -> IrGraph (as written in the file: no folding, no shape inference).
 *
 * Constant nodes become initializers here, so every later pass sees constants in one place.
 */
import type { Tensor } from '../tensor';
import type { AttrValue, ElemType, IrGraph, IrNode, ValueInfo } from './ir';
import { elemTypeName, onnx, toNumber, type OnnxTypes } from './proto';
import { decodeTensorProto, type DecodedTensor } from './tensorProto';

/** Attribute marking a node that carries a subgraph (If, Loop, Scan), which no pass here can look into. */
export const SUBGRAPH_ATTR = '__subgraph';

const AttrType = onnx.AttributeProto.AttributeType;
const textDecoder = new TextDecoder();

/** Older exporters leave AttributeProto.type unset; infer it from the populated field. */
function attrType(a: OnnxTypes.IAttributeProto): number {
  if (a.type) return a.type;
  if (a.floats?.length) return AttrType.FLOATS;
  if (a.ints?.length) return AttrType.INTS;
  if (a.strings?.length) return AttrType.STRINGS;
  if (a.s?.length) return AttrType.STRING;
  if (a.t) return AttrType.TENSOR;
  if (a.g || a.graphs?.length) return AttrType.GRAPH;
  if (a.f) return AttrType.FLOAT;
  return AttrType.INT;
}

function attrValue(a: OnnxTypes.IAttributeProto, what: string): DecodedAttr | undefined {
  if (attrType(a) === AttrType.TENSOR) {
    if (!a.t) throw new Error(`${what}: attribute '${a.name}' is declared a tensor but holds none`);
    const { tensor, elemType } = decodeTensorProto(a.t, `${what} attribute '${a.name}'`);
    return { value: tensor, elemType };
  }
  const value = plainAttrValue(a);
  return value === undefined ? undefined : { value };
}

interface DecodedAttr {
  value: AttrValue;
  /** For TENSOR attributes. */
  elemType?: ElemType;
}

function plainAttrValue(a: OnnxTypes.IAttributeProto): AttrValue | undefined {
  switch (attrType(a)) {
    case AttrType.INT:
      return toNumber(a.i);
    case AttrType.FLOAT:
      return a.f ?? 0;
    case AttrType.INTS:
      return (a.ints ?? []).map((v) => toNumber(v));
    case AttrType.FLOATS:
      return [...(a.floats ?? [])];
    case AttrType.STRING:
      return textDecoder.decode(a.s ?? new Uint8Array());
    case AttrType.STRINGS:
      return (a.strings ?? []).map((s) => textDecoder.decode(s));
    default:
      return undefined; // sparse tensors and type protos: no op handled here uses them
  }
}

function valueInfo(v: OnnxTypes.IValueInfoProto): ValueInfo {
  const tt = v.type?.tensorType;
  const shape = (tt?.shape?.dim ?? []).map((d): number | string => {
    // dim_value and dim_param are a oneof; neither set means an unknown dimension.
    if (d.dimValue !== null && d.dimValue !== undefined) return toNumber(d.dimValue);
    return d.dimParam || '?';
  });
  return { name: v.name ?? '', elemType: elemTypeName(tt?.elemType ?? 0), shape };
}

/** Constant's value_* attribute -> tensor (spec of the Constant op, opsets 1-21). */
function constantValue(node: OnnxTypes.INodeProto, what: string): DecodedTensor {
  const a = node.attribute?.[0];
  if (!a || node.attribute!.length !== 1) throw new Error(`${what} must have exactly one value attribute`);
  switch (a.name) {
    case 'value':
      return decodeTensorProto(a.t ?? {}, what);
    case 'value_float':
      return { tensor: { dims: [], data: Float64Array.of(a.f ?? 0) }, elemType: 'float32' };
    case 'value_floats':
      return {
        tensor: { dims: [a.floats!.length], data: Float64Array.from(a.floats!) },
        elemType: 'float32',
      };
    case 'value_int':
      return { tensor: { dims: [], data: Float64Array.of(toNumber(a.i)) }, elemType: 'int64' };
    case 'value_ints':
      return {
        tensor: { dims: [a.ints!.length], data: Float64Array.from(a.ints!, (v) => toNumber(v)) },
        elemType: 'int64',
      };
    default:
      throw new Error(`${what}: Constant with attribute '${a.name}' is not supported`);
  }
}

/**
 * protobufjs's decoding errors ("index out of range: 4 + 60 > 5", "invalid wire type 7 at offset 12") as
 * one line a user can act on, with the byte position where decoding stopped when it says one.
 */
function corruptFileMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const at = /index out of range: (\d+)/.exec(text) ?? /at offset (\d+)/.exec(text);
  return `truncated or corrupt ONNX file${at ? ` (at byte ${at[1]})` : ''}`;
}

function decodeModel(bytes: Uint8Array): OnnxTypes.ModelProto {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(corruptFileMessage(e), { cause: e });
  }
  if (!model.graph) throw new Error('not an ONNX model: the file holds no graph');
  return model;
}

function defaultOpset(model: OnnxTypes.ModelProto): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry) throw new Error('ONNX model declares no opset for the default (ai.onnx) domain');
  return toNumber(entry.version);
}

export function parseOnnx(bytes: Uint8Array): IrGraph {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  const protoNodes = graph.node ?? [];
  if (protoNodes.length === 0) throw new Error('ONNX model has an empty graph (no nodes)');
  if (graph.sparseInitializer?.length)
    throw new Error('ONNX models with sparse initializers are not supported');
  const opset = defaultOpset(model);

  const initializers = new Map<string, Tensor>();
  const constTypes = new Map<string, ElemType>();
  const addConst = (name: string, c: DecodedTensor) => {
    initializers.set(name, c.tensor);
    constTypes.set(name, c.elemType);
  };
  for (const t of graph.initializer ?? [])
    addConst(t.name ?? '', decodeTensorProto(t, `initializer '${t.name}'`));

  const nodes: IrNode[] = [];
  protoNodes.forEach((n, index) => {
    const opType = n.opType ?? '';
    const domain = n.domain === 'ai.onnx' ? '' : (n.domain ?? '');
    const name = n.name || `${opType}_${index}`;
    const what = `${opType} '${name}'`;
    const outputs = [...(n.output ?? [])];
    if (opType === 'Constant' && domain === '') {
      addConst(outputs[0], constantValue(n, what));
      return;
    }
    const attrs: Record<string, AttrValue> = {};
    const attrTypes: Record<string, ElemType> = {};
    for (const a of n.attribute ?? []) {
      const type = attrType(a);
      if (type === AttrType.GRAPH || type === AttrType.GRAPHS) {
        attrs[SUBGRAPH_ATTR] = 'yes';
        continue;
      }
      const v = attrValue(a, what);
      if (v === undefined) continue;
      attrs[a.name ?? ''] = v.value;
      if (v.elemType) attrTypes[a.name ?? ''] = v.elemType;
    }
    const node: IrNode = { name, opType, domain, inputs: [...(n.input ?? [])], outputs, attrs };
    nodes.push(Object.keys(attrTypes).length > 0 ? { ...node, attrTypes } : node);
  });

  const inputs = (graph.input ?? []).map(valueInfo).filter((v) => !initializers.has(v.name));
  const outputs = (graph.output ?? []).map(valueInfo);
  const shapes = new Map<string, readonly number[]>();
  for (const [name, t] of initializers) shapes.set(name, t.dims);
  for (const v of [...inputs, ...outputs]) {
    if (v.shape.every((d) => typeof d === 'number')) shapes.set(v.name, v.shape as number[]);
  }
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) metadata[p.key ?? ''] = p.value ?? '';

  return {
    name: graph.name ?? '',
    opset,
    inputs,
    outputs,
    nodes,
    initializers,
    constTypes,
    shapes,
    metadata,
  };
}
