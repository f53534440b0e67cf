/**
 * A small writer of ONNX graphs for the float32 chain: fresh value names, nodes, float32 and int64
 * initializers (shared when equal), and named graph inputs and outputs, ending in buildModel's bytes.
 *
 * Every helper returns the name of the value it created. Values are float32 unless a helper says otherwise
 * (Equal / Greater / Less return bool, `ints` int64). Shapes are not tracked here: the callers know them.
 * Graph outputs keep their value's generated name; the caller records which name holds what.
 */
import { buildModel, type BuildAttr, type BuildNode, type BuildValue } from '../../core/onnx';
import type { BuildTensor } from '../../core/onnx/build';

/** Denominators at or below this are "no flow" (PANE-SPEC 4.6: clamp G < 1e-30 in float32). */
const TINY = 1e-30;

/** Opset of the chain graph: the helpers use the opset-13 forms (axes, splits and shapes as inputs). */
const OPSET = 17;

export class GraphBuilder {
  private readonly nodes: BuildNode[] = [];
  private readonly initializers: Record<string, BuildTensor> = {};
  private readonly inputs: (BuildValue & { shape: number[] })[] = [];
  private readonly outputs: BuildValue[] = [];
  private readonly shared = new Map<string, string>();
  private readonly published = new Map<string, string>();
  private count = 0;

  private fresh(tag: string): string {
    return `${tag}:${this.count++}`;
  }

  /** One node with one output. */
  op(type: string, inputs: readonly string[], attrs?: Record<string, BuildAttr>): string {
    return this.opN(type, inputs, 1, attrs)[0];
  }

  /** One node with `n` outputs. */
  opN(type: string, inputs: readonly string[], n: number, attrs?: Record<string, BuildAttr>): string[] {
    const outputs = Array.from({ length: n }, () => this.fresh(type));
    this.nodes.push({ op: type, inputs: [...inputs], outputs, attrs });
    return outputs;
  }

  /** A float32 graph input. */
  input(name: string, dims: readonly number[]): string {
    this.inputs.push({ name, shape: [...dims], elemType: 'float32' });
    return name;
  }

  /**
   * Makes a value a graph output and returns the output's name: the value itself, published once however
   * often it is asked for (no copies), or an Identity of it for a graph input.
   */
  publish(value: string): string {
    let name = this.published.get(value);
    if (!name) {
      name = this.inputs.some((v) => v.name === value) ? this.op('Identity', [value]) : value;
      this.outputs.push({ name, elemType: 'float32' });
      this.published.set(value, name);
    }
    return name;
  }

  /** A float32 initializer; equal constants (same dims and values) are stored once. */
  floats(dims: readonly number[], data: ArrayLike<number>): string {
    const f32 = Float32Array.from(data);
    // Long constants are never shared: their key is unique ('#' keeps it apart from any list of values).
    const key = `f${dims.join('x')}:${data.length <= 64 ? f32.join(',') : `#${this.count}`}`;
    return this.constant(key, { dims: [...dims], data: f32, elemType: 'float32' });
  }

  scalar(v: number): string {
    return this.floats([], [v]);
  }

  /** A 1-D int64 initializer (shapes, axes, starts, indices). */
  ints(values: readonly number[]): string {
    const key = `i${values.length <= 64 ? values.join(',') : `#${this.count}`}`;
    return this.constant(key, { dims: [values.length], data: values, elemType: 'int64' });
  }

  private constant(key: string, t: BuildTensor): string {
    let name = this.shared.get(key);
    if (!name) {
      name = this.fresh('const');
      this.initializers[name] = t;
      this.shared.set(key, name);
    }
    return name;
  }

  // Element-wise arithmetic (numpy broadcasting).
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  abs(a: string): string {
    return this.op('Abs', [a]);
  }
  neg(a: string): string {
    return this.op('Neg', [a]);
  }
  relu(a: string): string {
    return this.op('Relu', [a]);
  }
  /** A sum of any number of values (one value is returned as is; two take Add, faster than Sum). */
  sum(values: readonly string[]): string {
    if (values.length === 0) throw new Error('sum of no values');
    if (values.length === 1) return values[0];
    return values.length === 2 ? this.add(values[0], values[1]) : this.op('Sum', values);
  }
  where(cond: string, a: string, b: string): string {
    return this.op('Where', [cond, a, b]);
  }

  /** 1/g where g > TINY, else 0: the safe division of PANE-SPEC 2 and 4.6. */
  safeInverse(g: string): string {
    return this.where(this.op('Greater', [g, this.scalar(TINY)]), this.op('Reciprocal', [g]), this.scalar(0));
  }

  reshape(x: string, dims: readonly number[]): string {
    return this.op('Reshape', [x, this.ints(dims)]);
  }

  build(): Uint8Array {
    return buildModel({
      opset: OPSET,
      name: 'pane-chain',
      inputs: this.inputs,
      outputs: this.outputs,
      initializers: this.initializers,
      nodes: this.nodes,
    });
  }
}
