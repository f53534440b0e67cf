/**
 * One IR node -> its kernel records, dispatched on op_type through the chain's op table (core/pane/ops),
 * so an op is either planned here or rejected with a message that names it.
 */
import type { IrNode } from '../../core/onnx/ir';
import { chainOpKind, ownEntry } from '../../core/pane/ops';
import { AFFINE_PLANNERS } from './affine';
import type { NodeKernels, PlanContext } from './context';
import { planGate, ROUTING_PLANNERS } from './routing';

export type { NodeKernels, PlanContext } from './context';

export function planNode(ctx: PlanContext, node: IrNode, reached: (name: string) => boolean): NodeKernels {
  const kind = chainOpKind(node);
  if (kind === 'terminal') {
    throw new Error(
      `${node.opType} '${node.name}' is only supported as the final node (the head sits on its input)`,
    );
  }
  if (kind === 'gate') return planGate(ctx, node);
  const affine = kind === 'affine' ? ownEntry(AFFINE_PLANNERS, node.opType) : undefined;
  if (affine) return affine(ctx, node);
  const routing = kind !== 'affine' ? ownEntry(ROUTING_PLANNERS, node.opType) : undefined;
  if (routing) return routing(ctx, node, reached);
  // Unreachable while the tables are typed with the op table (chainOpKind refuses unknown ops first).
  throw new Error(`the WebGPU engine has no kernels for ${node.opType} (node '${node.name}')`);
}
