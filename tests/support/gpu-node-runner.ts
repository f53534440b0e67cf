/**
 * Runs batches of single-node cases through the engine's planners on the GPU (one command buffer, one
 * submit for the whole batch) and compares every excitation and every input flux with the float64
 * reference: max |gpu - ref| <= tolerance * max |ref| per tensor (E+ and E- against max G; the tolerance is the
 * corpus entry's), no NaN or Inf.
 */
import type { PaneOptions } from '../../src/core/pane/options';
import { excitationOf, propagateNode } from '../../src/core/reference/chain';
import { effectiveOptions } from '../../src/core/pane/options';
import { numel } from '../../src/core/tensor';
import type { GpuContext } from '../../src/gpu/context';
import { planNode } from '../../src/gpu/plan';
import type { PendingRead } from '../../src/gpu/readback';
import { concatenatedIncoming, type NodeCase } from '../corpus/forms';
import { fluxInputs } from '../../src/core/pane/ops';
import { compare, NodeBench, unpackExcitation, unpackFlux } from './gpu-harness';

export interface Mismatch {
  label: string;
  tensor: string;
  err: number;
  scale: number;
}

export interface BatchReport {
  /** Worst err / scale over all compared tensors (0 when every reference tensor is 0 and matched). */
  worst: number;
  compared: number;
  failures: Mismatch[];
}

interface Pending {
  c: NodeCase;
  opts: Partial<PaneOptions>;
  exc?: PendingRead;
  inputs: { name: string; read: PendingRead }[];
}

/** Every case under every rule variant, in one submission; `maxBindingBytes` forces weight chunking. */
export async function runNodeCases(
  gpu: GpuContext,
  cases: readonly NodeCase[],
  variants: readonly Partial<PaneOptions>[],
  tolerance: number,
  maxBindingBytes?: number,
): Promise<BatchReport> {
  const benches: NodeBench[] = [];
  const pending: Pending[] = [];
  const encoder = gpu.device.createCommandEncoder({ label: 'node cases' });
  const pass = encoder.beginComputePass({ label: 'node cases' });
  const prepared = [];
  for (const c of cases) {
    for (const opts of variants) {
      const bench = new NodeBench(gpu, c.g, c.values, c.incoming, opts, maxBindingBytes);
      benches.push(bench);
      const kernels = planNode(bench, c.node, () => true);
      for (const k of [...kernels.excite, ...kernels.chain]) {
        const p = gpu.pipelines.prepare(k);
        p.record(pass);
        prepared.push(p);
      }
      pending.push({ c, opts, inputs: [] });
    }
  }
  pass.end();
  let at = 0;
  for (const c of cases) {
    for (let v = 0; v < variants.length; v++, at++) {
      const bench = benches[at];
      const p = pending[at];
      if (excitationOf(c.g, c.node, c.values, effectiveOptions(p.opts)))
        p.exc = bench.stage(encoder, 'exc', c.node.outputs[0]);
      p.inputs = fluxInputs(c.g, c.node).map((k) => {
        const name = c.node.inputs[k];
        return { name, read: bench.stage(encoder, 'flux', name) };
      });
    }
  }
  gpu.submit(encoder.finish());

  const report: BatchReport = { worst: 0, compared: 0, failures: [] };
  const check = (
    label: string,
    tensor: string,
    g: ArrayLike<number>,
    r: ArrayLike<number>,
    scaleOf: ArrayLike<number> = r,
  ) => {
    const { err, scale } = compare(g, r, scaleOf);
    report.compared++;
    const ratio = scale > 0 ? err / scale : err > 1e-30 ? Infinity : 0;
    report.worst = Math.max(report.worst, ratio);
    if (!(ratio <= tolerance)) report.failures.push({ label, tensor, err, scale });
  };
  try {
    for (const p of pending) {
      const { c, opts } = p;
      const label = `${c.label} ${JSON.stringify(opts)}`;
      if (p.exc) {
        const n = numel(c.values.get(c.node.outputs[0])!.dims);
        const gpuExc = unpackExcitation(await p.exc.read(), n);
        const ref = excitationOf(c.g, c.node, c.values, effectiveOptions(opts))!;
        // E- = (G - z) / 2 of a unit without negative contributions is rounding in either implementation,
        // so its own maximum is no scale: E+ and E- are measured against max G (as for the float32 graph).
        check(label, 'E+', gpuExc.Epos, ref.Epos, ref.G);
        check(label, 'E-', gpuExc.Eneg, ref.Eneg, ref.G);
        check(label, 'G', gpuExc.G, ref.G);
      }
      // The reference's incoming flux for Split is the concatenation of its outputs' flux.
      const outFlux = concatenatedIncoming(c);
      const step = propagateNode(c.g, c.node, c.values, outFlux, opts as PaneOptions);
      for (const { name, read } of p.inputs) {
        const n = numel(c.values.get(name)!.dims);
        const gpuFlux = unpackFlux(await read.read(), n);
        const T = new Float64Array(n);
        const R = new Float64Array(n);
        c.node.inputs.forEach((input, k) => {
          const f = step.inputs[k];
          if (input !== name || !f) return;
          for (let i = 0; i < n; i++) {
            T[i] += f.T[i];
            R[i] += f.R[i];
          }
        });
        check(label, `T(${name})`, gpuFlux.T, T);
        check(label, `R(${name})`, gpuFlux.R, R);
      }
    }
  } finally {
    for (const p of prepared) p.destroy();
    for (const b of benches) b.destroy();
  }
  return report;
}
