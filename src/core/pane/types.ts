/**
 * Result types of the double chain (PANE-SPEC 3-4), shared by the float64 reference, the GPU engine and the
 * map helpers. Every array is flat, in the row-major layout of the tensor it belongs to.
 */

/** The two chains of one tensor in (T, R) form (spec 4.1): T = P + N >= 0, R = P - N, |R| <= T. */
export interface Flux {
  T: Float64Array;
  R: Float64Array;
}

/** Forward PANE of an affine node's output (spec 3): z = Epos - Eneg, G = Epos + Eneg. */
export interface Excitation {
  Epos: Float64Array;
  Eneg: Float64Array;
  G: Float64Array;
}

export interface PaneResult {
  /** Explained class (index into the flattened logits). */
  target: number;
  /** Name of the logits tensor (input of a final Softmax/LogSoftmax/Sigmoid, else the graph output). */
  logits: string;
  /** Virtual head weights (spec 4.4). */
  u: Float64Array;
  /** Start mass m. */
  mass: number;
  /** Every data value that received mass, including the graph input and the logits. */
  flux: Map<string, Flux>;
  /** Mass absorbed per node name (bias / eps shares, padding, saturated Clip, dead units). */
  sinks: Map<string, { T: number; R: number }>;
  /** Forward PANE per affine node output tensor name. */
  excitation: ReadonlyMap<string, Excitation>;
}
