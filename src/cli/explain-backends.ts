/**
 * What `panescope explain` computes with, behind one small interface so that the files it writes come from
 * the same code whichever backend ran, each named after what it is: 'ort' the float32 chain graph on
 * onnxruntime (src/cli/explain-ort.ts, the default), 'reference' the float64 reference (forward pass and
 * double chain, the oracle), 'webgpu' the WGSL engine (src/cli/explain-webgpu.ts).
 */
import type { IrGraph } from '../core/onnx/ir';
import { findLogits } from '../core/pane/heads';
import type { PaneOptions } from '../core/pane/options';
import type { Flux } from '../core/pane/types';
import { explain } from '../core/reference/chain';
import { runForward } from '../core/reference/forward';
import type { Tensor } from '../core/tensor';

export const EXPLAIN_BACKENDS = ['ort', 'webgpu', 'reference'] as const;
export type ExplainBackendName = (typeof EXPLAIN_BACKENDS)[number];

/** One explanation, as far as the CLI's files need it. */
export interface ChainRun {
  target: number;
  mass: number;
  /** Mass absorbed by every node's sink (bias and eps shares, padding, saturated Clip, dead units). */
  sinks: number;
  /** Every tensor that carries chain mass (what `--layers all` writes). */
  tensors: string[];
  flux(tensor: string): Promise<Flux | undefined>;
}

export interface ExplainBackend {
  /** What ran, in words (summary.json's runtime). */
  readonly runtime: string;
  /** The forward pass on the model input (in the model's layout); returns the logits. */
  forward(input: Tensor): Promise<ArrayLike<number>>;
  chain(options: PaneOptions): Promise<ChainRun>;
  dispose(): void;
}

/** The float64 reference: runForward and explain of src/core/reference. */
export function referenceBackend(graph: IrGraph, inputName: string): ExplainBackend {
  let values: ReturnType<typeof runForward> | undefined;
  return {
    runtime: 'float64 reference (TypeScript)',
    async forward(input) {
      values = runForward(graph, { [inputName]: input });
      return values.get(findLogits(graph).logits)!.data;
    },
    async chain(options) {
      if (!values) throw new Error('chain before forward');
      const result = explain(graph, values, options);
      let sinks = 0;
      for (const s of result.sinks.values()) sinks += s.T;
      return {
        target: result.target,
        mass: result.mass,
        sinks,
        tensors: [...result.flux.keys()],
        flux: async (tensor) => result.flux.get(tensor),
      };
    },
    dispose() {
      values = undefined;
    },
  };
}
