/**
 * Slices that tile an axis become one Split (torch.chunk in ShuffleNetV2); anything else stays a Slice.
 */
import { describe, expect, it } from 'vitest';
import { runForward } from '../reference/forward';
import { buildModel, type BuildNode } from './build';
import { coverageReport, loadGraph } from './index';

const i64 = (data: number[]) => ({ dims: [data.length], data, elemType: 'int64' as const });

/** x [1, 6, 2, 2] -> the given Slices -> Concat of their outputs (axis 1) -> y. */
function slices(ranges: [number, number, number?][], axis = 1): Uint8Array {
  const initializers: Record<string, ReturnType<typeof i64>> = { axis: i64([axis]) };
  const nodes: BuildNode[] = ranges.map(([start, end, step], i) => {
    initializers[`s${i}`] = i64([start]);
    initializers[`e${i}`] = i64([end]);
    const inputs = ['x', `s${i}`, `e${i}`, 'axis'];
    if (step !== undefined) {
      initializers[`t${i}`] = i64([step]);
      inputs.push(`t${i}`);
    }
    return { op: 'Slice', name: `slice${i}`, inputs, outputs: [`p${i}`] };
  });
  nodes.push({
    op: 'Concat',
    name: 'cat',
    inputs: ranges.map((_, i) => `p${i}`),
    outputs: ['y'],
    attrs: { axis },
  });
  return buildModel({
    inputs: [{ name: 'x', shape: [1, 6, 2, 2] }],
    outputs: [{ name: 'y' }],
    initializers,
    nodes,
  });
}

const x = { dims: [1, 6, 2, 2], data: Float64Array.from({ length: 24 }, (_, i) => i) };

describe('slicesAsSplit', () => {
  it('two halves of the channels (in either order) become one Split that keeps the output names', () => {
    const g = loadGraph(
      slices([
        [3, 2 ** 62],
        [0, 3],
      ]),
    );
    expect(g.nodes.map((n) => n.opType)).toEqual(['Split', 'Concat']);
    expect(g.nodes[0]).toMatchObject({
      name: 'slice0',
      inputs: ['x'],
      outputs: ['p1', 'p0'],
      attrs: { axis: 1, split: [3, 3] },
    });
    expect(coverageReport(g).ok).toBe(true);
    // Same values as the Slices: second half first.
    const y = runForward(g, { x }).get('y')!.data;
    expect(Array.from(y)).toEqual([
      ...Array.from({ length: 12 }, (_, i) => 12 + i),
      ...Array.from({ length: 12 }, (_, i) => i),
    ]);
  });

  it('three unequal pieces with negative indices become a Split', () => {
    const g = loadGraph(
      slices([
        [0, 1],
        [1, -2],
        [-2, 6],
      ]),
    );
    expect(g.nodes[0]).toMatchObject({ opType: 'Split', attrs: { split: [1, 3, 2] } });
  });

  it('leaves Slices with a gap, an overlap, a step or a single piece alone', () => {
    for (const ranges of [
      [
        [0, 2],
        [3, 6],
      ],
      [
        [0, 4],
        [3, 6],
      ],
      [
        [0, 6, 2],
        [1, 6, 2],
      ],
      [[1, 5]],
    ] as [number, number, number?][][]) {
      const g = loadGraph(slices(ranges));
      expect(g.nodes.filter((n) => n.opType === 'Slice')).toHaveLength(ranges.length);
      expect(coverageReport(g).ok).toBe(false);
    }
  });
});
