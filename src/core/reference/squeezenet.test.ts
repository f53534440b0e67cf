// The float64 chain on the project's default model (SqueezeNet 1.1 from ../shared): flux conservation and
// bounds on a real network, the layer list, and the budget of one explanation (< 10 s of CPU time).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../npy';
import { loadGraph } from '../onnx';
import { layerList } from '../pane/layers';
import { explain } from './chain';
import { runForward } from './forward';
import { sum } from '../../../tests/support/testkit';

const dir = fileURLToPath(new URL('../../../../shared/models/squeezenet1.1/', import.meta.url));
// Like its siblings (onnx/squeezenet.test.ts), it fails rather than skips where ../shared is missing.
describe('SqueezeNet 1.1', () => {
  it('explains one image within the time budget, conserving flux and keeping the bounds', () => {
    const g = loadGraph(new Uint8Array(readFileSync(`${dir}squeezenet1_1.onnx`)));
    const x = parseNpy(new Uint8Array(readFileSync(`${dir}test_data_set/0/input_0.npy`)));
    const values = runForward(g, { [g.inputs[0].name]: x });
    // CPU time rather than wall time: the budget is about the work, not about other processes on the machine.
    const cpu = process.cpuUsage();
    const r = explain(g, values);
    const used = process.cpuUsage(cpu);
    const seconds = (used.user + used.system) / 1e6;
    expect(seconds).toBeLessThan(10);

    const input = r.flux.get(g.inputs[0].name)!;
    const sinks = [...r.sinks.values()].reduce((s, v) => s + v.T, 0);
    expect(sum(input.T) + sinks).toBeCloseTo(1, 10);
    let violations = 0;
    for (const f of r.flux.values()) {
      for (let i = 0; i < f.T.length; i++)
        if (!(f.T[i] >= 0 && Math.abs(f.R[i]) <= f.T[i] * (1 + 1e-12))) violations++;
    }
    expect(violations).toBe(0);
    expect(
      layerList(g)
        .map((l) => l.tensor)
        .sort(),
    ).toEqual([...r.flux.keys()].sort());
    expect(r.excitation.size).toBe(
      g.nodes.filter((n) => n.opType === 'Conv' || n.opType.endsWith('AveragePool')).length,
    );
  });
});
