/**
 * The generic rule of an affine node (PANE-SPEC 4.2) on top of an AffineView, for the rules 'sf' and
 * 'alphabeta' ('ebp' arrives here as alphabeta 1, 0 with biases ignored, via effectiveOptions).
 *
 * Both rules say how much mass one unit of |c_ij| carries to input i, per output j, separately for
 * positive and negative contributions and separately for T and R:
 *
 *   sf:  T: T/G for both signs                 R: sigma R/G for c > 0, -sigma R/G for c < 0
 *   ab:  agreeing (sigma c > 0): T: alpha T/A,  R: alpha R/A
 *        opposing (sigma c < 0): T: beta T/O,   R: -beta R/O
 *
 * For sf this is one absolute and one signed adjoint, T_X = |X| Lin*(T/G; |W|) and
 * R_X = X Lin*(sigma R/G; W); for ab it is the phi/psi form of the spec (view.adjoint). The constant part
 * b_j and eps take their share like a contribution and go to the node's sink.
 */
import type { PaneOptions } from '../pane/options';
import type { Excitation, Flux } from '../pane/types';
import type { AffineView } from './affine-views';

export interface NodeFlux {
  /** inputs[k] is the flux of node.inputs[k]; null for constants, arguments and omitted inputs. */
  inputs: (Flux | null)[];
  sinkT: number;
  sinkR: number;
}

/**
 * Forward PANE (spec 3): G = sum |c| + |b| from one pass of the op's linear map, and E+ = (G + z)/2,
 * E- = (G - z)/2 from the forward value z = sum c + b (so z = E+ - E- up to rounding of G). This costs a
 * single pass where the exact sign split costs two; the split itself is used only by the alphabeta rule.
 */
export function excitationFromView(view: AffineView, z: Float64Array): Excitation {
  const n = view.gross.length;
  const Epos = new Float64Array(n);
  const Eneg = new Float64Array(n);
  const G = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const g = view.gross[j] + (view.bias ? Math.abs(view.bias[j]) : 0);
    const p = Math.min(g, Math.max(0, (g + z[j]) / 2));
    G[j] = g;
    Epos[j] = p;
    Eneg[j] = g - p;
  }
  return { Epos, Eneg, G };
}

/**
 * The denominator the rule divides by at every output (G of spec 3 under biasMode, plus eps). The
 * 'excitation' start mass uses it so that the layer below the logit carries exactly c+ and c- (spec 4.4).
 */
export function ruleGross(view: AffineView, opts: PaneOptions): Float64Array {
  const absorb = opts.biasMode === 'absorb' && view.bias !== null;
  return view.gross.map((g, j) => g + (absorb ? Math.abs(view.bias![j]) : 0) + opts.eps);
}

/** sigma_j = +1 when z_j >= 0 (spec 2). */
function sigma(z: number): number {
  return z >= 0 ? 1 : -1;
}

/**
 * Signed flux: T_X = sum_j |c_ij| T_j/G_j, R_X = sum_j c_ij sigma_j R_j/G_j. Mass arriving at a unit with
 * G = 0 (no data contribution, no bias, eps = 0) has nowhere to go and is recorded as sink (spec 5.3), so
 * sum T_in + sinkT = sum T_out holds exactly.
 */
function signedFlux(view: AffineView, z: Float64Array, out: Flux, opts: PaneOptions): NodeFlux {
  const n = view.gross.length;
  const kT = new Float64Array(n);
  const kR = new Float64Array(n);
  const absorb = opts.biasMode === 'absorb' && view.bias !== null;
  const eps = opts.eps;
  let sinkT = 0;
  let sinkR = 0;
  for (let j = 0; j < n; j++) {
    const T = out.T[j];
    const R = out.R[j];
    const b = absorb ? view.bias![j] : 0;
    const G = view.gross[j] + Math.abs(b) + eps;
    if (!(G > 0)) {
      sinkT += T;
      sinkR += R;
      continue;
    }
    const s = sigma(z[j]);
    kT[j] = T / G;
    kR[j] = (s * R) / G;
    // The bias is a contribution like any other (it agrees when sigma b > 0); eps counts as agreeing.
    sinkT += (Math.abs(b) + eps) * kT[j];
    sinkR += ((s * b + eps) * R) / G;
  }
  return zipFlux(view.absAdjoint(kT), view.signedAdjoint(kR), sinkT, sinkR);
}

function zipFlux(
  T: (Float64Array | null)[],
  R: (Float64Array | null)[],
  sinkT: number,
  sinkR: number,
): NodeFlux {
  return { inputs: T.map((t, i) => (t ? { T: t, R: R[i]! } : null)), sinkT, sinkR };
}

/**
 * Alpha-beta: agreeing contributions share alpha times the mass in proportion to A_j, opposing ones beta
 * times the mass in proportion to O_j, and opposing ones change chain. The bias joins A or O by its own
 * agreement; eps is added to both. A share whose denominator is 0 goes to the sink, so that
 * sum T_in + sinkT = (alpha + beta) sum T_out.
 */
function alphaBeta(view: AffineView, z: Float64Array, out: Flux, opts: PaneOptions): NodeFlux {
  const { pos, neg } = view.split();
  const n = pos.length;
  const kPosT = new Float64Array(n);
  const kNegT = new Float64Array(n);
  const kPosR = new Float64Array(n);
  const kNegR = new Float64Array(n);
  const absorb = opts.biasMode === 'absorb' && view.bias !== null;
  const { alpha, beta, eps } = opts;
  let sinkT = 0;
  let sinkR = 0;
  for (let j = 0; j < n; j++) {
    const T = out.T[j];
    const R = out.R[j];
    const s = sigma(z[j]);
    const b = absorb ? view.bias![j] : 0;
    const bAgree = s * b > 0 ? Math.abs(b) : 0;
    const bOppose = s * b < 0 ? Math.abs(b) : 0;
    const A = (s > 0 ? pos[j] : neg[j]) + bAgree + eps;
    const O = (s > 0 ? neg[j] : pos[j]) + bOppose + eps;
    const a = A > 0 ? alpha / A : 0;
    const o = O > 0 ? beta / O : 0;
    const agreeT = a * T;
    const agreeR = a * R;
    const opposeT = o * T;
    const opposeR = -o * R;
    if (s > 0) {
      kPosT[j] = agreeT;
      kPosR[j] = agreeR;
      kNegT[j] = opposeT;
      kNegR[j] = opposeR;
    } else {
      kPosT[j] = opposeT;
      kPosR[j] = opposeR;
      kNegT[j] = agreeT;
      kNegR[j] = agreeR;
    }
    sinkT += (bAgree + eps) * agreeT + (bOppose + eps) * opposeT;
    sinkR += (bAgree + eps) * agreeR + (bOppose + eps) * opposeR;
    if (!(A > 0)) {
      sinkT += alpha * T;
      sinkR += alpha * R;
    }
    if (!(O > 0)) {
      sinkT += beta * T;
      sinkR -= beta * R;
    }
  }
  return zipFlux(view.adjoint(kPosT, kNegT), view.adjoint(kPosR, kNegR), sinkT, sinkR);
}

/** Mass on the inputs of an affine node given the mass `out` on its output and its forward value z. */
export function affineFlux(view: AffineView, z: Float64Array, out: Flux, opts: PaneOptions): NodeFlux {
  if (z.length !== view.gross.length || out.T.length !== z.length || out.R.length !== z.length) {
    throw new Error(`affine rule: output flux of ${out.T.length} elements for ${view.gross.length} outputs`);
  }
  return opts.rule === 'sf' ? signedFlux(view, z, out, opts) : alphaBeta(view, z, out, opts);
}
