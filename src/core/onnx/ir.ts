/**
 * Graph IR: an ONNX graph after parsing, the form every other module consumes.
 *
 * Nodes are dispatched on `opType` only (never on names). Tensor names are the ONNX value names, so a
 * tensor of the IR can always be requested from onnxruntime by the same name: passes that rewrite the
 * graph (constant folding, BN folding) keep the *later* name of anything they merge.
 */
import type { Tensor } from '../tensor';

/** An ONNX attribute value. INTS/FLOATS become number[]; a TENSOR attribute becomes a float64 Tensor. */
export type AttrValue = number | string | number[] | string[] | Tensor;

/** ONNX element types the project distinguishes (others are kept by name, e.g. 'uint8'). */
export type ElemType =
  'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | string;

export interface IrNode {
  /** ONNX node name; parsing fills empty names with `${opType}_${index}` so reports can always name a node. */
  readonly name: string;
  readonly opType: string;
  /** '' for the default ONNX domain ('ai.onnx' is normalised to ''). */
  readonly domain: string;
  /** Input value names; '' marks an omitted optional input (ONNX convention). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** Element types of the TENSOR attributes (ConstantOfShape's value may be int64); absent when none. */
  readonly attrTypes?: Readonly<Record<string, ElemType>>;
}

export interface ValueInfo {
  readonly name: string;
  readonly elemType: ElemType;
  /** Declared shape; symbolic dimensions (dim_param or unknown) are strings. */
  readonly shape: readonly (number | string)[];
}

export interface IrGraph {
  readonly name: string;
  /** Opset of the default domain. */
  readonly opset: number;
  /** Data inputs of the graph (initializers that are also listed as inputs are excluded). */
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Topologically sorted. */
  readonly nodes: readonly IrNode[];
  /** Constant tensors by name, in float64 (integer tensors are exact up to 2^53). */
  readonly initializers: ReadonlyMap<string, Tensor>;
  /** Element type of every constant, so integer shape tensors stay distinguishable from weights. */
  readonly constTypes: ReadonlyMap<string, ElemType>;
  /** Concrete shape of every value (graph inputs, node outputs, initializers) after shape inference. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** metadata_props of the ModelProto (preprocessing hints may live here). */
  readonly metadata: Readonly<Record<string, string>>;
}
