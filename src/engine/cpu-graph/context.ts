/**
 * What every rule of the chain compiler works with: the graph writer, the prepared IR graph, the options,
 * and the IR's forward values as inputs of the chain graph (declared on first use).
 */
import type { IrGraph, IrNode } from '../../core/onnx/ir';
import type { PaneOptions } from '../../core/pane/options';
import { isData } from '../../core/pane/ops';
import type { Tensor } from '../../core/tensor';
import type { GraphBuilder } from './builder';

/** The double chain of one tensor (PANE-SPEC 4.1) as two values of the chain graph. */
export interface FluxValues {
  T: string;
  R: string;
}

/**
 * A node's step: the flux of node.inputs[k] (null where none flows) and, for an affine node, its gross
 * excitation G = sum |c| + |b| in the output's dims (E+ and E- follow from G and z, spec 3).
 */
export interface NodeStep {
  inputs: (FluxValues | null)[];
  gross?: string;
  /** The rule's denominator G (spec 3 under biasMode, plus eps), when asked for: the 'excitation' mass. */
  ruleGross?: string;
}

/** The chain graph's input that carries the forward value `name` of the IR graph. */
export function forwardInputName(name: string): string {
  return `forward/${name}`;
}

export class CompileContext {
  private readonly declared = new Map<string, string>();

  constructor(
    readonly b: GraphBuilder,
    readonly g: IrGraph,
    readonly opts: PaneOptions,
    private readonly nonNegative: ReadonlySet<string>,
  ) {}

  /** The forward value of an IR tensor (an input of the chain graph). */
  forward(name: string): string {
    let input = this.declared.get(name);
    if (!input) {
      input = this.b.input(forwardInputName(name), this.dims(name));
      this.declared.set(name, input);
    }
    return input;
  }

  /** IR tensors the chain graph reads, in the order they were declared. */
  forwardNames(): string[] {
    return [...this.declared.keys()];
  }

  dims(name: string): number[] {
    const d = this.g.shapes.get(name);
    if (!d) throw new Error(`no shape for '${name}' (run shape inference first)`);
    return [...d];
  }

  /** Whether every element of the value is >= 0 whatever the input (see graph-facts.ts). */
  isNonNegative(name: string): boolean {
    return this.nonNegative.has(name);
  }

  /** Input k of a node as a data value (its forward value), or an error naming the node. */
  dataInput(node: IrNode, k: number): string {
    const name = node.inputs[k] ?? '';
    if (!isData(this.g, name))
      throw new Error(`${describe(node)}: input ${k} must be data (depend on the graph input)`);
    return name;
  }

  /** Input k of a node as a constant; undefined when the optional input is omitted. */
  constant(node: IrNode, k: number): Tensor | undefined {
    const name = node.inputs[k] ?? '';
    if (name === '') return undefined;
    const t = this.g.initializers.get(name);
    if (!t || isData(this.g, name)) {
      throw new Error(`${describe(node)}: input ${k} ('${name}') must be a constant for the double chain`);
    }
    return t;
  }

  requiredConstant(node: IrNode, k: number): Tensor {
    const t = this.constant(node, k);
    if (!t) throw new Error(`${describe(node)}: input ${k} is missing`);
    return t;
  }

  /** The constant inputs of a node as canonical argument readers expect them (undefined for data). */
  constantArgs(node: IrNode): (Tensor | undefined)[] {
    return node.inputs.map((name) => (isData(this.g, name) ? undefined : this.g.initializers.get(name)));
  }
}

export function describe(node: IrNode): string {
  return `${node.opType} '${node.name}'`;
}
