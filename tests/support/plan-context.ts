/**
 * A PlanContext without a GPU: buffer slices of the right sizes over a dummy buffer and constants kept on
 * the host, so the planners can be asked for any node in Node (the kernel records are checked, not run).
 */
import type { IrGraph } from '../../src/core/onnx/ir';
import type { BufferSlice } from '../../src/gpu/kernel';
import type { PlanContext } from '../../src/gpu/plan/context';
import { numelOf } from '../../src/gpu/plan/host-arrays';
import { RULE_LAYOUT } from '../../src/gpu/plan/rule';

export function hostPlanContext(
  g: IrGraph,
  maxBindingBytes = 1 << 30,
): PlanContext & { constants: Map<string, Float32Array> } {
  const slice = (size: number): BufferSlice => ({ buffer: {} as GPUBuffer, size });
  const constants = new Map<string, Float32Array>();
  const dims = (name: string) => {
    const d = g.shapes.get(name);
    if (!d) throw new Error(`no shape for ${name}`);
    return d;
  };
  return {
    g,
    dims,
    value: (name) => slice(numelOf(dims(name)) * 4),
    flux: (name) => slice(numelOf(dims(name)) * 8),
    excitation: (name) => slice(numelOf(dims(name)) * 16),
    scratch: (n) => slice(n * 16),
    constant: (key, make) => {
      if (!constants.has(key)) constants.set(key, make());
      return slice(constants.get(key)!.byteLength);
    },
    rule: slice(RULE_LAYOUT.size),
    maxBindingBytes,
    constants,
  };
}
