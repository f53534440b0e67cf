/**
 * Which ONNX ops the double chain traverses and how mass enters and leaves them (PANE-SPEC 4.3). Every
 * engine dispatches on this table, so an op is either covered everywhere or reported as unsupported.
 */
import { GATE_ATTR } from '../onnx/gates';
import type { IrGraph, IrNode } from '../onnx/ir';

export { ownEntry } from '../own-entry';

/**
 * affine:   the generic contribution rule of spec 4.2 (it has a forward PANE, spec 3);
 * pass:     values are moved, copied, sliced or cropped: (T, R) follow them (Pad and saturated Clip sink);
 * route:    max pooling sends a window's mass to its argmax;
 * gate:     y = g * x with a data-dependent gate g taken as a fixed coefficient (docs/bring-your-own-model.md
 *           "Gating products"; no rule in the spec): (T, R) pass to the signal x where y != 0 and sink where
 *           y = 0; the gate branch receives nothing. HardSwish always; a Mul of two data tensors when
 *           prepareGraph marked one operand as the gate (GATE_ATTR, see onnx/gates.ts);
 * terminal: Softmax-like output ops; never traversed, the head sits on their input (spec 4.4).
 */
export type ChainOpKind = 'affine' | 'pass' | 'route' | 'gate' | 'terminal';

export const CHAIN_OP_KINDS = {
  Conv: 'affine',
  Gemm: 'affine',
  MatMul: 'affine',
  BatchNormalization: 'affine',
  Add: 'affine',
  Sub: 'affine',
  Sum: 'affine',
  Mul: 'affine',
  Div: 'affine',
  AveragePool: 'affine',
  GlobalAveragePool: 'affine',
  // Only over the spatial axes, where it is GlobalAveragePool (PyTorch's x.mean([2, 3])).
  ReduceMean: 'affine',
  Relu: 'pass',
  LeakyRelu: 'pass',
  Clip: 'pass',
  Dropout: 'pass',
  Identity: 'pass',
  Flatten: 'pass',
  Reshape: 'pass',
  Squeeze: 'pass',
  Unsqueeze: 'pass',
  Transpose: 'pass',
  Concat: 'pass',
  Split: 'pass',
  Pad: 'pass',
  MaxPool: 'route',
  GlobalMaxPool: 'route',
  HardSwish: 'gate',
  Softmax: 'terminal',
  LogSoftmax: 'terminal',
  Sigmoid: 'terminal',
} as const satisfies Record<string, ChainOpKind>;

export type ChainOp = keyof typeof CHAIN_OP_KINDS;

/** The ops of some kinds, e.g. OpsOfKind<'affine'>: a dispatch table typed with it must cover them all. */
export type OpsOfKind<K extends ChainOpKind> = {
  [O in ChainOp]: (typeof CHAIN_OP_KINDS)[O] extends K ? O : never;
}[ChainOp];

/** The key sets every backend's dispatch tables are typed with (docs/adding-an-op.md). */
export type AffineOp = OpsOfKind<'affine'>;
/** Ops whose (T, R) are moved by a route: copies, reshapes, slices, pads and max pooling. */
export type RoutedOp = OpsOfKind<'pass' | 'route'>;
/** Every op a backward pass walks through (the head sits on a terminal op's input). */
export type TraversedOp = Exclude<ChainOp, OpsOfKind<'terminal'>>;

/**
 * A dispatch table covering exactly the ops of `K`: typing a table with it makes a missing entry a
 * compile error, which is how every backend stays complete when an op joins CHAIN_OP_KINDS.
 */
export type OpTable<K extends ChainOp, V> = Readonly<Record<K, V>>;

/** The ops of the given kinds, in table order: sets that must not be copied by hand (e.g. LRP's). */
export function opsOfKind<K extends ChainOpKind>(...kinds: K[]): OpsOfKind<K>[] {
  return (Object.keys(CHAIN_OP_KINDS) as ChainOp[]).filter((op) =>
    (kinds as ChainOpKind[]).includes(CHAIN_OP_KINDS[op]),
  ) as OpsOfKind<K>[];
}

export function isChainOp(node: Pick<IrNode, 'opType' | 'domain'>): boolean {
  return node.domain === '' && Object.hasOwn(CHAIN_OP_KINDS, node.opType);
}

/** A Mul that prepareGraph identified as gating its signal operand (onnx/gates.ts). */
function isGatingMul(node: Pick<IrNode, 'opType' | 'attrs'>): boolean {
  return node.opType === 'Mul' && typeof node.attrs[GATE_ATTR] === 'number';
}

export function chainOpKind(node: IrNode): ChainOpKind {
  if (!isChainOp(node)) {
    const op = node.domain ? `${node.domain}.${node.opType}` : node.opType;
    throw new Error(`the double chain cannot traverse op ${op} (node '${node.name}')`);
  }
  if (isGatingMul(node)) return 'gate';
  return CHAIN_OP_KINDS[node.opType as ChainOp];
}

/** Index in node.inputs of the signal a gate node passes mass to: the operand that is not the gate. */
export function gateSignalInput(node: IrNode): number {
  if (node.opType === 'HardSwish') return 0;
  if (isGatingMul(node)) return 1 - (node.attrs[GATE_ATTR] as number);
  throw new Error(`${node.opType} '${node.name}' is not a gate`);
}

const dataCache = new WeakMap<IrGraph, ReadonlySet<string>>();

/**
 * Values that depend on a graph input. Everything else (initializers, Constant outputs, values computed
 * from constants only) is a constant: it receives no mass and its share of a node is bias (spec 4.3).
 */
export function dataValues(g: IrGraph): ReadonlySet<string> {
  let set = dataCache.get(g);
  if (!set) {
    const s = new Set(g.inputs.map((v) => v.name));
    for (const node of g.nodes) {
      if (node.inputs.some((name) => s.has(name))) for (const o of node.outputs) if (o !== '') s.add(o);
    }
    set = s;
    dataCache.set(g, set);
  }
  return set;
}

export function isData(g: IrGraph, name: string): boolean {
  return name !== '' && dataValues(g).has(name);
}

/**
 * Indices of node.inputs that receive mass: every data operand of an affine op or Concat, the signal of a
 * gate, only the first input of other chain ops (shape, pads, min/max and similar arguments never carry
 * mass). For an op the chain cannot traverse, every data input, so that layer lists still cover such models.
 */
export function fluxInputs(g: IrGraph, node: IrNode): number[] {
  if (isChainOp(node) && chainOpKind(node) === 'gate') {
    const k = gateSignalInput(node);
    return isData(g, node.inputs[k]) ? [k] : [];
  }
  const all = !isChainOp(node) || chainOpKind(node) === 'affine' || node.opType === 'Concat';
  const idx: number[] = [];
  node.inputs.forEach((name, k) => {
    if ((all || k === 0) && isData(g, name)) idx.push(k);
  });
  return idx;
}

/** Outputs that carry mass: every output of Split, else the first (not MaxPool indices, Dropout mask). */
export function fluxOutputs(node: IrNode): readonly string[] {
  return node.opType === 'Split' ? node.outputs : node.outputs.slice(0, 1);
}
