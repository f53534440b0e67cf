/**
 * A compiled chain on onnxruntime's wasm backend: compile once per graph and rule options (compileKey),
 * then every explanation feeds the forward values and the head's flux and reads back a PaneResult.
 */
import type { IrGraph } from '../../core/onnx/ir';
import { effectiveOptions, type PaneOptions } from '../../core/pane/options';
import type { PaneResult } from '../../core/pane/types';
import { createRunner, type FeedTensor, type ModelRunner } from '../../runtime';
import { compileChain, compileKey, HEAD_R, HEAD_T, type CompiledChain } from './compile';
import { forwardInputName } from './context';
import { headStart, type ForwardValues } from './head';
import { paneResult } from './result';

export class ChainRunner {
  private constructor(
    private readonly g: IrGraph,
    private readonly compiled: CompiledChain,
    private readonly key: string,
    private readonly runner: ModelRunner,
  ) {}

  /** `backend`: 'wasm' in the app; the CLI runs it on 'native' (onnxruntime-node) where that loads. */
  static async create(
    g: IrGraph,
    options: Partial<PaneOptions>,
    backend: 'wasm' | 'native' = 'wasm',
  ): Promise<ChainRunner> {
    const compiled = compileChain(g, options);
    const runner = await createRunner(compiled.model, { backend, outputs: [] });
    return new ChainRunner(g, compiled, compileKey(options), runner);
  }

  /** Size of the compiled model (its weights, mostly): what keeping this chain costs. */
  get modelBytes(): number {
    return this.compiled.model.length;
  }

  /** Explains one image; `options` may differ from the compiled ones only in head, target and start mass. */
  async explain(forward: ForwardValues, options: Partial<PaneOptions>): Promise<PaneResult> {
    if (compileKey(options) !== this.key) throw new Error('ChainRunner: options need another compiled chain');
    const head = headStart(this.g, forward, effectiveOptions(options), this.compiled.massGross);
    const logitDims = forward.get(head.logits)!.dims;
    const feeds: Record<string, FeedTensor> = {
      [HEAD_T]: { data: Float32Array.from(head.flux.T), dims: logitDims },
      [HEAD_R]: { data: Float32Array.from(head.flux.R), dims: logitDims },
    };
    for (const name of this.compiled.forwardValues) {
      const t = forward.get(name);
      if (!t) throw new Error(`the compiled chain needs the forward value '${name}'`);
      feeds[forwardInputName(name)] = t;
    }
    const outputs = await this.runner.runFeeds(feeds);
    const arrays = new Map<string, Float32Array>();
    for (const [name, t] of outputs) {
      arrays.set(name, await t.getData());
      t.dispose();
    }
    return paneResult(this.compiled, head, forward, arrays);
  }

  dispose(): void {
    this.runner.dispose();
  }
}
