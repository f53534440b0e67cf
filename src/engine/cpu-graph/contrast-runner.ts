/**
 * Contrastive EB (core/baselines/chain-methods contrastiveEb) on onnxruntime, for the float32 maps of
 * `panescope evaluate`. Of its three steps, the first is the plain EB explanation (the compiled EB chain the
 * caller already ran); the other two are compiled EB chains (compile.ts) of a part of the graph, compiled
 * once per model:
 *
 * - the dual pass: the graph from the contrast layer C up, with the classifier layer's weights negated and C
 *   as its input, started from the same head flux as the EB explanation; its flux on C is the dual's;
 * - the pass down: the graph cut at C (C its output), whose head inputs (HEAD_T, HEAD_R) are then the flux on
 *   C: the signed difference of the two passes goes in as T = |delta|, R = delta. EB is linear in the mass
 *   it carries (alpha = 1, beta = 0: P and N never mix), so this is the reference's walk.
 */
import { clampedInputMap, contrastLayer } from '../../core/baselines/chain-methods';
import { findLogits, headFlux, headVector } from '../../core/pane/heads';
import type { IrGraph } from '../../core/onnx/ir';
import type { Flux, PaneResult } from '../../core/pane/types';
import { createRunner, type FeedTensor, type ModelRunner } from '../../runtime';
import { compileChain, HEAD_R, HEAD_T, type CompiledChain } from './compile';
import { forwardInputName } from './context';
import type { ForwardValues } from './head';

/** ContrastRunner.create could not compile the model's passes: its caller falls back to the float64 walk. */
export class ContrastRunnerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContrastRunnerError';
  }
}

/** A compiled EB chain and the session that runs it. */
interface EbPass {
  compiled: CompiledChain;
  runner: ModelRunner;
  /** The output holding T and R of the tensor the pass is run for. */
  T: string;
  R: string;
}

async function ebPass(g: IrGraph, tensor: string, backend: 'wasm' | 'native'): Promise<EbPass> {
  const compiled = compileChain(g, { rule: 'ebp' });
  const layer = compiled.layers.find((l) => l.tensor === tensor);
  if (!layer) throw new Error(`contrastive EB: no mass reaches '${tensor}'`);
  const runner = await createRunner(compiled.model, { backend, outputs: [] });
  return { compiled, runner, T: layer.T, R: layer.R };
}

/** Runs a pass from head flux `head` on a tensor of `dims`; T and R of the pass's tensor, in float64. */
async function runPass(pass: EbPass, forward: ForwardValues, head: Flux, dims: number[]): Promise<Flux> {
  const feeds: Record<string, FeedTensor> = {
    [HEAD_T]: { data: Float32Array.from(head.T), dims },
    [HEAD_R]: { data: Float32Array.from(head.R), dims },
  };
  for (const name of pass.compiled.forwardValues) {
    const t = forward.get(name);
    if (!t) throw new Error(`contrastive EB needs the forward value '${name}'`);
    feeds[forwardInputName(name)] = t;
  }
  const outputs = await pass.runner.runFeeds(feeds);
  const flux: Flux = { T: new Float64Array(0), R: new Float64Array(0) };
  for (const [name, t] of outputs) {
    if (name === pass.T) flux.T = Float64Array.from(await t.getData());
    if (name === pass.R) flux.R = Float64Array.from(await t.getData());
    t.dispose();
  }
  return flux;
}

export class ContrastRunner {
  private constructor(
    private readonly g: IrGraph,
    private readonly contrast: string,
    private readonly dual: EbPass,
    private readonly down: EbPass,
  ) {}

  /**
   * Compiles the two passes for `g`. Anything that stops it (a sub-graph compileChain refuses, no mass
   * reaching a tensor, a classifier weight the graph computes instead of holding as an initializer: it is
   * negated here once per model, without forward values) is a ContrastRunnerError, on which the caller keeps
   * the float64 walk (which reads such a weight among the forward values).
   */
  static async create(g: IrGraph, backend: 'wasm' | 'native'): Promise<ContrastRunner> {
    try {
      return await ContrastRunner.compile(g, backend);
    } catch (e) {
      if (e instanceof ContrastRunnerError) throw e;
      throw new ContrastRunnerError(e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  private static async compile(g: IrGraph, backend: 'wasm' | 'native'): Promise<ContrastRunner> {
    const { classifier, contrast, producer } = contrastLayer(g);
    const shape = g.shapes.get(contrast);
    if (!shape) throw new Error(`contrastive EB: no shape for the contrast layer '${contrast}'`);
    const weightName = classifier.inputs[1];
    const weight = g.initializers.get(weightName);
    if (!weight)
      throw new ContrastRunnerError(
        `contrastive EB: the classifier's weight '${weightName}' is computed in the graph, not an initializer`,
      );
    const dualGraph: IrGraph = {
      ...g,
      inputs: [{ name: contrast, elemType: 'float32', shape: [...shape] }],
      nodes: g.nodes.slice(producer + 1),
      initializers: new Map(g.initializers).set(weightName, {
        dims: weight.dims,
        data: weight.data.map((v) => -v),
      }),
    };
    const cut: IrGraph = {
      ...g,
      nodes: g.nodes.slice(0, producer + 1),
      outputs: [{ name: contrast, elemType: 'float32', shape: [...shape] }],
    };
    const dual = await ebPass(dualGraph, contrast, backend);
    try {
      const down = await ebPass(cut, g.inputs[0].name, backend);
      return new ContrastRunner(g, contrast, dual, down);
    } catch (e) {
      dual.runner.dispose();
      throw e;
    }
  }

  /**
   * contrastiveEb's map of the image with forward values `forward`, from its EB explanation `ebp` (target
   * and start mass as there).
   */
  async map(forward: ForwardValues, ebp: PaneResult): Promise<Float64Array> {
    const { g, contrast } = this;
    const { logits } = findLogits(g);
    const l = Float64Array.from(forward.get(logits)!.data);
    const logitDims = [...forward.get(logits)!.dims];
    const head = headFlux(l, headVector(l, ebp.target, 'logit'), ebp.mass);
    const dual = await runPass(this.dual, forward, head, logitDims);
    const pos = ebp.flux.get(contrast);
    if (!pos) throw new Error(`contrastive EB: no mass reached the contrast layer '${contrast}'`);
    // P = (T + R) / 2 of each pass, as the reference's positive().
    const delta = new Float64Array(pos.T.length);
    for (let i = 0; i < delta.length; i++) delta[i] = (pos.T[i] + pos.R[i]) / 2 - (dual.T[i] + dual.R[i]) / 2;
    const contrastDims = [...g.shapes.get(contrast)!];
    const down = await runPass(this.down, forward, { T: delta.map(Math.abs), R: delta }, contrastDims);
    return clampedInputMap(g, down.R);
  }

  dispose(): void {
    this.dual.runner.dispose();
    this.down.runner.dispose();
  }
}
