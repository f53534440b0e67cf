/** Graph structure: topological order, consumers, and removal of what no output depends on. */
import type { IrGraph, IrNode } from './ir';
import { quoted } from '../text';

/** Nodes reading each value. */
export function consumersOf(g: IrGraph): Map<string, IrNode[]> {
  const map = new Map<string, IrNode[]>();
  for (const node of g.nodes) {
    for (const name of node.inputs) {
      if (name === '') continue;
      const list = map.get(name);
      if (list) list.push(node);
      else map.set(name, [node]);
    }
  }
  return map;
}

/**
 * The graph with its nodes in topological order. Exported ONNX files are sorted already (then the order
 * is kept); otherwise nodes are emitted as soon as their inputs exist, earliest file position first.
 */
export function topoSort(g: IrGraph): IrGraph {
  const available = new Set<string>(['', ...g.initializers.keys(), ...g.inputs.map((v) => v.name)]);
  const producerIndex = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => producerIndex.set(o, i)));
  for (const node of g.nodes) {
    for (const name of node.inputs) {
      if (!available.has(name) && !producerIndex.has(name)) {
        throw new Error(
          `${node.opType} ${quoted(node.name, 80)} reads ${quoted(name, 80)}, which no node, input or initializer provides`,
        );
      }
    }
  }
  const sorted: IrNode[] = [];
  const done = new Array<boolean>(g.nodes.length).fill(false);
  const ready = (n: IrNode) => n.inputs.every((name) => available.has(name));
  let first = 0; // every node before `first` is emitted
  while (sorted.length < g.nodes.length) {
    while (done[first]) first++;
    let next = first;
    while (next < g.nodes.length && (done[next] || !ready(g.nodes[next]))) next++;
    if (next === g.nodes.length) {
      const stuck = g.nodes[first];
      throw new Error(`the graph has a cycle through ${stuck.opType} ${quoted(stuck.name, 80)}`);
    }
    done[next] = true;
    sorted.push(g.nodes[next]);
    for (const o of g.nodes[next].outputs) available.add(o);
  }
  return { ...g, nodes: sorted };
}

/**
 * Drop nodes whose outputs nothing reads (after folding, e.g. the Shape arithmetic of a reshape) and the
 * initializers, types and shapes that no remaining node or graph output uses. Expects a sorted graph.
 */
export function pruneGraph(g: IrGraph): IrGraph {
  const needed = new Set<string>(g.outputs.map((v) => v.name));
  const kept: IrNode[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    if (!node.outputs.some((o) => needed.has(o))) continue;
    kept.push(node);
    for (const name of node.inputs) needed.add(name);
  }
  kept.reverse();
  const live = new Set<string>([...needed, ...g.inputs.map((v) => v.name)]);
  for (const node of kept) for (const o of node.outputs) live.add(o);
  const keep = <V>(m: ReadonlyMap<string, V>) => new Map([...m].filter(([name]) => live.has(name)));
  return {
    ...g,
    nodes: kept,
    initializers: keep(g.initializers),
    constTypes: keep(g.constTypes),
    shapes: keep(g.shapes),
  };
}
