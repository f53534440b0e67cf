/**
 * The rule of a gate node (kind 'gate' in pane/ops; docs/bring-your-own-model.md "Gating products"):
 * y = g * x, with the gate g (a Sigmoid, HardSigmoid, ... of other data) taken as a fixed coefficient of
 * the forward pass. Each output then has a single contribution c_j = g_j x_idx(j) = y_j and no bias, and the
 * generic rule of PANE-SPEC 4.2 gives, whatever the sign of g:
 *   T_x = |c| T / G = T,   R_x = c sigma R / G = R      (G_j = |y_j|, sigma_j c_j = |y_j|)
 * so (T, R) pass to the signal unchanged where y != 0; where y = 0 (G = 0) the mass sinks (spec 5.3). The
 * gate operand receives nothing: it is a coefficient, not a contribution, so it has no share at all (it is
 * neither traversed nor a sink).
 * This is the rule for every chain rule: a gate is an activation (ReLU is the gate 1[x > 0], and is
 * pass-through in spec 4.3), not a unit that sums contributions, so alphabeta's alpha and the eps
 * stabiliser, which act on sums of contributions, do not apply. A broadcast signal (one x feeding several
 * outputs) receives the sum of their mass.
 */
import type { IrGraph, IrNode } from '../onnx/ir';
import { gateSignalInput } from '../pane/ops';
import type { Flux } from '../pane/types';
import type { Tensor } from '../tensor';
import type { NodeFlux } from './affine-rule';
import { broadcastIndex } from '../onnx/broadcast';
import { describe, inputValue, outputValue } from './node-values';

export function gateFlux(
  _g: IrGraph,
  node: IrNode,
  values: ReadonlyMap<string, Tensor>,
  out: Flux,
): NodeFlux {
  const k = gateSignalInput(node);
  const x = inputValue(values, node, k);
  const y = outputValue(values, node);
  if (out.T.length !== y.data.length) {
    throw new Error(`${describe(node)}: ${out.T.length} flux values for ${y.data.length} outputs`);
  }
  const index = broadcastIndex(x.dims, y.dims);
  const T = new Float64Array(x.data.length);
  const R = new Float64Array(x.data.length);
  let sinkT = 0;
  let sinkR = 0;
  for (let j = 0; j < y.data.length; j++) {
    if (y.data[j] === 0) {
      sinkT += out.T[j];
      sinkR += out.R[j];
      continue;
    }
    const i = index ? index[j] : j;
    T[i] += out.T[j];
    R[i] += out.R[j];
  }
  const inputs = new Array<Flux | null>(node.inputs.length).fill(null);
  inputs[k] = { T, R };
  return { inputs, sinkT, sinkR };
}
