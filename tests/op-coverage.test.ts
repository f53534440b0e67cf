/**
 * Every backend is asked for every op of the chain's op table (core/pane/ops.ts), on seeded cases from the
 * case corpus (tests/corpus) in node form: the float64 reference chain, the float32 chain graph and its gradient graph, the GPU
 * planner, and the float64 gradient and LRP adjoints. The tables are typed with the op table, so a missing
 * entry already fails `npm run typecheck`; this checks that each entry also handles its op. Ops named
 * like Object.prototype's members must be refused by name, never looked up on the prototype.
 */
import { describe, expect, it } from 'vitest';
import { relevanceStep, VJPS } from '../src/core/baselines/adjoints';
import { backward } from '../src/core/baselines/backprop';
import { buildModel, coverageReport, loadGraph } from '../src/core/onnx';
import type { IrGraph, IrNode } from '../src/core/onnx/ir';
import { DEFAULT_OPTIONS } from '../src/core/pane/options';
import {
  CHAIN_OP_KINDS,
  chainOpKind,
  gateSignalInput,
  isChainOp,
  opsOfKind,
  ownEntry,
} from '../src/core/pane/ops';
import { propagateNode } from '../src/core/reference/chain';
import { evalNode, runForward } from '../src/core/reference/forward';
import { compileChain } from '../src/engine/cpu-graph/compile';
import { compileGradient } from '../src/engine/cpu-graph/gradient';
import { planNode } from '../src/gpu/plan';
import { CORPUS, CORPUS_KEYS } from './corpus/cases';
import { concatenatedIncoming, nodeCasesOf, type NodeCase } from './corpus/forms';
import { hostPlanContext } from './support/plan-context';

const CASES_PER_OP = 4;

/** A data input that receives mass: a gate's signal, else the first data input. */
function massInput(c: NodeCase): string {
  if (chainOpKind(c.node) === 'gate') return c.node.inputs[gateSignalInput(c.node)];
  return c.node.inputs.find((n) => c.g.inputs.some((v) => v.name === n))!;
}

// Refusals a backend documents for some attribute values of an op it otherwise handles.
const GRADIENT_REFUSALS =
  /gradient of (reflect|edge) padding is not supported|only data \[\.\.\., M, K\] times a constant \[K, N\] is supported/;
const LRP_REFUSALS = /multiplies two data tensors; it is not affine/;

describe('the op table', () => {
  it('has corpus cases for every op the chain traverses', () => {
    const traversed = Object.keys(CHAIN_OP_KINDS).filter((op) => chainOpKind(opNode(op)) !== 'terminal');
    for (const op of traversed) expect(Object.hasOwn(CORPUS, op), op).toBe(true);
    for (const key of CORPUS_KEYS)
      expect(nodeCasesOf(key, 1)[0].node.opType, key).toBe(key === 'gating Mul' ? 'Mul' : key);
  });

  it('derives its per-kind sets from the table itself', () => {
    expect(opsOfKind('affine')).toContain('ReduceMean');
    expect(opsOfKind('affine').every((op) => CHAIN_OP_KINDS[op] === 'affine')).toBe(true);
    const all = opsOfKind('affine', 'pass', 'route', 'gate', 'terminal');
    expect([...all].sort()).toEqual(Object.keys(CHAIN_OP_KINDS).sort());
  });
});

describe.each(CORPUS_KEYS)('every backend handles %s', (key) => {
  const cases: NodeCase[] = nodeCasesOf(key, CASES_PER_OP);

  it('the float64 reference chain moves mass to a data input', () => {
    for (const c of cases) {
      const step = propagateNode(c.g, c.node, c.values, concatenatedIncoming(c), DEFAULT_OPTIONS);
      const reached = step.inputs.filter((f) => f !== null);
      expect(reached.length, c.label).toBeGreaterThan(0);
      for (const f of reached) expect(f!.T.every(Number.isFinite), c.label).toBe(true);
    }
  });

  it('the float32 chain graph compiles a step for it', () => {
    for (const c of cases) {
      const compiled = compileChain(c.g, {});
      expect(compiled.model.length, c.label).toBeGreaterThan(0);
      const input = massInput(c);
      expect(
        compiled.layers.map((l) => l.tensor),
        c.label,
      ).toContain(input);
      if (chainOpKind(c.node) === 'affine')
        expect(compiled.excitations.map((e) => e.tensor)).toContain(c.node.outputs[0]);
    }
  });

  it('the GPU planner plans chain kernels for it', () => {
    for (const c of cases) {
      const kernels = planNode(hostPlanContext(c.g), c.node, () => true);
      expect(kernels.chain.length, c.label).toBeGreaterThan(0);
      if (chainOpKind(c.node) === 'affine') expect(kernels.excite.length, c.label).toBeGreaterThan(0);
    }
  });

  it('the float64 adjoints and the float32 gradient graph give it a gradient', () => {
    for (const c of cases) {
      const vjp = ownEntry(VJPS, c.node.opType);
      expect(vjp, c.label).toBeDefined();
      const gOut = [...c.incoming.values()].map((f) => f.R);
      const input = c.node.inputs.indexOf(massInput(c));
      try {
        const grads = vjp!(c.g, c.node, c.values, gOut);
        expect(grads[input]?.length, c.label).toBe(c.values.get(c.node.inputs[input])!.data.length);
      } catch (e) {
        expect((e as Error).message, c.label).toMatch(GRADIENT_REFUSALS);
      }
      try {
        const compiled = compileGradient(c.g);
        expect(
          compiled.gradients.map((x) => x.tensor),
          c.label,
        ).toContain(c.g.inputs[0].name);
      } catch (e) {
        expect((e as Error).message, c.label).toMatch(GRADIENT_REFUSALS);
      }
    }
  });

  it('LRP-epsilon relevance reaches a data input', () => {
    for (const c of cases) {
      const rOut = [...c.incoming.values()].map((f) => f.R);
      let rel: (Float64Array | null)[];
      try {
        rel = relevanceStep(c.g, c.node, c.values, rOut, 1e-6);
      } catch (e) {
        expect((e as Error).message, c.label).toMatch(
          new RegExp(`${GRADIENT_REFUSALS.source}|${LRP_REFUSALS.source}`),
        );
        continue;
      }
      expect(
        rel.some((r) => r !== null),
        c.label,
      ).toBe(true);
    }
  });
});

function opNode(opType: string, inputs = ['x'], outputs = ['y']): IrNode {
  return { name: `n_${opType}`, opType, domain: '', inputs, outputs, attrs: {} };
}

describe('ops named like Object.prototype members', () => {
  const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
  // A Relu corpus case with its op renamed: a graph the forward pass has already evaluated.
  const base = nodeCasesOf('Relu', 1)[0];
  const renamed = (opType: string): { g: IrGraph; node: IrNode } => {
    const node = { ...base.node, opType };
    return { g: { ...base.g, nodes: [node] }, node };
  };

  it.each(NAMES)('%s is refused by every backend with a message naming it', (opType) => {
    const { g, node } = renamed(opType);
    expect(isChainOp(node)).toBe(false);
    expect(() => chainOpKind(node)).toThrow(`the double chain cannot traverse op ${opType}`);
    expect(() => evalNode(g, node, [base.values.get('x')])).toThrow(`no forward evaluator for op ${opType}`);
    expect(() => propagateNode(g, node, base.values, concatenatedIncoming(base), DEFAULT_OPTIONS)).toThrow(
      `cannot traverse op ${opType}`,
    );
    expect(() => compileChain(g, {})).toThrow(`cannot traverse op ${opType}`);
    expect(() => compileGradient(g)).toThrow(`no gradient for op ${opType}`);
    expect(() => planNode(hostPlanContext(g), node, () => true)).toThrow(`cannot traverse op ${opType}`);
    const seeds = new Map([['y', new Float64Array(base.values.get('y')!.data.length).fill(1)]]);
    expect(() => backward(g, base.values, seeds)).toThrow(`no gradient for op ${opType}`);
    expect(() => relevanceStep(g, node, base.values, [seeds.get('y')!], 1e-6)).toThrow(
      `LRP: op ${opType} is not supported`,
    );
  });

  it.each(NAMES)('a model with a %s node loads and its coverage report lists it', (opType) => {
    const bytes = buildModel({
      opset: 17,
      name: 'proto',
      inputs: [{ name: 'x', shape: [1, 3], elemType: 'float32' }],
      outputs: [{ name: 'z', elemType: 'float32' }],
      initializers: {},
      nodes: [
        { op: opType, inputs: ['x'], outputs: ['y'] },
        { op: 'Relu', inputs: ['y'], outputs: ['z'] },
      ],
    });
    const g = loadGraph(bytes);
    const report = coverageReport(g);
    expect(report.ok).toBe(false);
    expect(report.unsupported.map((u) => u.opType)).toEqual([opType]);
    expect(report.opCounts[opType]).toBe(1);
    expect(Object.keys(report.opCounts).sort()).toEqual(['Relu', opType].sort());
    expect(() => runForward(g, { x: { dims: [1, 3], data: new Float64Array(3) } })).toThrow(
      `no forward evaluator for op ${opType}`,
    );
  });
});
