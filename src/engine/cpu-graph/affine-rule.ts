/**
 * The generic rule of an affine node (PANE-SPEC 4.2) and its forward PANE (spec 3) as chain-graph ops on
 * top of a GraphAffineView; the float32 counterpart of core/reference/affine-rule.ts.
 *
 *   sf:        T_X = |X| Lin*(T/G; |W|),  R_X = X Lin*(sigma R/G; W),  G = gross (+ |b| when absorbed) + eps
 *   alphabeta: per side of the contributions' sign, the phi / psi coefficients of spec 4.2
 *                 fPos = (sigma > 0 ? alpha : beta) / E+,   fNeg = (sigma > 0 ? beta : alpha) / E-
 *                 T: kPos = fPos T, kNeg = fNeg T;   R: kPos = fPos sigma R, kNeg = -fNeg sigma R
 *              with E+ / E- the sign-split sums, the bias joining the side of its sign, eps added to both;
 *   ebp:       alphabeta 1, 0 with the bias ignored (effectiveOptions).
 * Divisions are safe (ratio 0 where the denominator is <= 1e-30); the bias and eps shares, and mass at
 * units without contributions, are not propagated (they are the node's sink).
 */
import type { IrNode } from '../../core/onnx/ir';
import type { Tensor } from '../../core/tensor';
import { ownEntry, type AffineOp, type OpTable } from '../../core/pane/ops';
import type { GraphAffineView, GraphViewFactory } from './affine-view';
import { sumOf, zeros } from './affine-view';
import { BILINEAR_VIEWS } from './bilinear';
import type { CompileContext, FluxValues, NodeStep } from './context';
import { describe } from './context';
import { ELEMENTWISE_VIEWS } from './elementwise';

/** Every affine op's view; typed with the op table, so an affine op without a view does not compile. */
export const GRAPH_AFFINE_VIEWS: OpTable<AffineOp, GraphViewFactory> = {
  ...BILINEAR_VIEWS,
  ...ELEMENTWISE_VIEWS,
};

function constantOf(ctx: CompileContext, t: Tensor, f: (v: number) => number): string {
  return ctx.b.floats(t.dims, t.data.map(f));
}

/** G = gross + |b|, the forward PANE's gross excitation (spec 3; the bias always included). */
function excitationGross(ctx: CompileContext, view: GraphAffineView, gross: string): string {
  return view.bias ? ctx.b.add(gross, constantOf(ctx, view.bias, Math.abs)) : gross;
}

/** sigma R: R where the output is >= 0, -R elsewhere (spec 2, sigma_j = +1 iff z_j >= 0). */
function signedR(ctx: CompileContext, agree: string, R: string): string {
  return ctx.b.where(agree, R, ctx.b.neg(R));
}

/** sf, dividing by the rule's G (ruleDenominator). */
function signedFlux(ctx: CompileContext, view: GraphAffineView, G: string, agree: string, out: FluxValues) {
  const { b } = ctx;
  const inv = b.safeInverse(G);
  return zipFlux(
    view.absAdjoint(b.mul(out.T, inv)),
    view.signedAdjoint(b.mul(signedR(ctx, agree, out.R), inv)),
  );
}

function alphaBeta(
  ctx: CompileContext,
  view: GraphAffineView,
  { pos, neg }: { pos: string | null; neg: string | null },
  agree: string,
  out: FluxValues,
) {
  const { b, opts } = ctx;
  const absorb = opts.biasMode === 'absorb' && view.bias !== null;
  const eps = opts.eps > 0 ? b.scalar(opts.eps) : null;
  // 1 / (E+ or E-) times the rule's weight of that side: alpha where it agrees with sigma, beta where not.
  const factor = (
    sum: string | null,
    bias: (v: number) => number,
    ifPositive: number,
    ifNegative: number,
  ) => {
    const denominator = sumOf(b, [sum, absorb ? constantOf(ctx, view.bias!, bias) : null, eps]);
    if (denominator === null) return null;
    return b.mul(b.safeInverse(denominator), b.where(agree, b.scalar(ifPositive), b.scalar(ifNegative)));
  };
  const fPos = factor(pos, (v) => Math.max(v, 0), opts.alpha, opts.beta);
  const fNeg = factor(neg, (v) => Math.max(-v, 0), opts.beta, opts.alpha);
  const sR = signedR(ctx, agree, out.R);
  const T = view.adjoint(fPos && b.mul(fPos, out.T), fNeg && b.mul(fNeg, out.T));
  const R = view.adjoint(fPos && b.mul(fPos, sR), fNeg && b.neg(b.mul(fNeg, sR)));
  return zipFlux(T, R);
}

function zipFlux(T: (string | null)[], R: (string | null)[]): (FluxValues | null)[] {
  return T.map((t, i) => (t === null ? null : { T: t, R: R[i]! }));
}

/**
 * G under the rule: the gross plus the bias when it is absorbed, plus eps (spec 3 and 4.2). `excited` is the
 * gross excitation with the bias.
 */
function ruleDenominator(ctx: CompileContext, gross: string, excited: string): string {
  const { b, opts } = ctx;
  return sumOf(b, [opts.biasMode === 'absorb' ? excited : gross, opts.eps > 0 ? b.scalar(opts.eps) : null])!;
}

/**
 * Mass on the inputs of an affine node, and the gross excitation of its output; with `withRuleGross`, also
 * the rule's G (the 'excitation' start mass at the logits' producer).
 */
export function affineStep(
  ctx: CompileContext,
  node: IrNode,
  out: FluxValues,
  withRuleGross = false,
): NodeStep {
  const make = ownEntry(GRAPH_AFFINE_VIEWS, node.opType);
  if (!make) throw new Error(`${describe(node)}: the float32 chain has no affine rule for ${node.opType}`);
  const view = make(ctx, node);
  const agree = ctx.b.op('GreaterOrEqual', [ctx.forward(node.outputs[0]), ctx.b.scalar(0)]);
  if (ctx.opts.rule === 'sf') {
    const gross = view.gross();
    const excited = excitationGross(ctx, view, gross);
    const G = ruleDenominator(ctx, gross, excited);
    return {
      inputs: signedFlux(ctx, view, G, agree, out),
      gross: excited,
      ruleGross: withRuleGross ? G : undefined,
    };
  }
  // alphabeta needs the sign split; its sum is the gross excitation, so no separate |X| |W| pass.
  const split = view.split();
  const gross = sumOf(ctx.b, [split.pos, split.neg]) ?? zeros(ctx.b, ctx.dims(node.outputs[0]));
  const excited = excitationGross(ctx, view, gross);
  const ruleGross = withRuleGross ? ruleDenominator(ctx, gross, excited) : undefined;
  return { inputs: alphaBeta(ctx, view, split, agree, out), gross: excited, ruleGross };
}
