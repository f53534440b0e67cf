/**
 * The maps of `panescope evaluate --maps float32` (the default): every method's map of one image from the
 * float32 path instead of the float64 reference.
 *
 * - The forward pass runs on onnxruntime with every data value exposed.
 * - PANE's rules (sf, alphabeta, ebp) run on the engine's compiled float32 chain (cpu-graph/chain-runner,
 *   the graph the app's ort engine runs), compiled once per rule and model.
 * - The gradient-type baselines and FGSM's loss gradient run on the compiled float32 gradient graph
 *   (cpu-graph/gradient-runner), unless --gradients float64 asks for the float64 adjoints.
 * - Contrastive EB runs its dual pass and its pass down from the contrast layer on compiled EB chains of
 *   parts of the graph (cpu-graph/contrast-runner).
 * - LRP-epsilon runs as a compiled relevance graph (cpu-graph/gradient.ts with lrpEpsilon).
 *
 * The evaluation code (core/eval/evaluate-image) is the same for both paths; it only receives the image,
 * its explanations and its gradients prepared here.
 */
import {
  paneFinalMap,
  type ExplainedImage,
  type GradientProvider,
  type MethodId,
  type MethodSettings,
} from '../core/baselines/methods';
import { SharedWork } from '../core/baselines/methods';
import type { PreparedImage } from '../core/eval/evaluate-image';
import type { InputScaling } from '../core/eval/substrate';
import { blackImage } from '../core/eval/substrate';
import type { MetricId, MetricSettings } from '../core/eval/settings';
import { argmax, findLogits, softmax } from '../core/pane/heads';
import type { IrGraph } from '../core/onnx/ir';
import { isData } from '../core/pane/ops';
import type { Rule } from '../core/pane/options';
import type { PaneResult } from '../core/pane/types';
import { runForward } from '../core/reference/forward';
import type { Tensor } from '../core/tensor';
import { createRunner, type ModelRunner } from '../runtime';
import { ChainRunner } from '../engine/cpu-graph/chain-runner';
import { ContrastRunner, ContrastRunnerError } from '../engine/cpu-graph/contrast-runner';
import { GradientRunner } from '../engine/cpu-graph/gradient-runner';
import { GradientGraphError } from '../engine/cpu-graph/gradient';
import type { ForwardValues } from '../engine/cpu-graph/head';
import { CompiledGradients } from '../engine/eval-gradients';

const PANE_RULES: readonly Rule[] = ['sf', 'alphabeta', 'ebp'];

/** The rules whose explanation an image needs: its PANE methods, EB for contrastive EB, sf for correlation. */
function rulesNeeded(methods: readonly MethodId[], metrics: readonly MetricId[]): Rule[] {
  const rules = new Set<Rule>();
  for (const m of methods) if ((PANE_RULES as readonly string[]).includes(m)) rules.add(m as Rule);
  // PANE's final maps are built from the chain of sf.
  if (methods.some((m) => paneFinalMap(m) !== null)) rules.add('sf');
  if (methods.includes('ceb')) rules.add('ebp');
  if (metrics.includes('correlation')) rules.add('sf');
  return PANE_RULES.filter((r) => rules.has(r));
}

/** What PreparedWork computes on onnxruntime instead of the float64 steps. */
interface CompiledSteps {
  contrastiveEb(ebp: PaneResult): Promise<Float64Array>;
  lrpEpsilonRelevance(): Promise<Float64Array>;
}

/**
 * SharedWork whose explanations were computed on the compiled chain before the methods ran, and whose
 * contrastive EB and LRP-epsilon run on compiled graphs.
 */
export class PreparedWork extends SharedWork {
  constructor(
    img: ExplainedImage,
    settings: MethodSettings,
    private readonly explained: ReadonlyMap<Rule, PaneResult>,
    private readonly compiled: CompiledSteps,
  ) {
    super(img, settings);
  }

  override async contrastiveEb(): Promise<Float64Array> {
    try {
      return await this.compiled.contrastiveEb(this.pane('ebp'));
    } catch (e) {
      // A model whose passes the compiled chain cannot build keeps the float64 walk, as LRP-epsilon does.
      if (e instanceof ContrastRunnerError) return super.contrastiveEb();
      throw e;
    }
  }

  override async lrpEpsilonRelevance(): Promise<Float64Array> {
    try {
      return await this.compiled.lrpEpsilonRelevance();
    } catch (e) {
      // A model with an op the relevance graph cannot write keeps the float64 steps.
      if (e instanceof GradientGraphError) return super.lrpEpsilonRelevance();
      throw e;
    }
  }

  override pane(rule: Rule): PaneResult {
    const r = this.explained.get(rule);
    if (!r) throw new Error(`float32 maps: the rule '${rule}' was not explained for this image`);
    return r;
  }
}

export interface Float32MapsConfig {
  methods: readonly MethodId[];
  metrics: readonly MetricId[];
  methodSettings: MethodSettings;
  metricSettings: MetricSettings;
  norm: InputScaling;
}

export class Float32Maps {
  private readonly chains = new Map<Rule, Promise<ChainRunner>>();
  private contrast?: Promise<ContrastRunner>;
  private lrp?: Promise<GradientRunner>;

  private constructor(
    private readonly g: IrGraph,
    private readonly forwardRunner: ModelRunner,
    /** The compiled gradient graph; null = gradients from the float64 adjoints (--gradients float64). */
    private readonly gradients: GradientRunner | null,
    private readonly config: Float32MapsConfig,
    private readonly backend: 'native' | 'wasm',
  ) {}

  /**
   * `gradients`: the compiled gradient runner (created with the model bytes), or null for float64;
   * `backend`: where onnxruntime runs the forward pass and the compiled chains.
   */
  static async create(
    g: IrGraph,
    bytes: Uint8Array,
    gradients: GradientRunner | null,
    config: Float32MapsConfig,
    backend: 'native' | 'wasm',
  ): Promise<Float32Maps> {
    const input = g.inputs[0].name;
    // Every data value: the compiled chain reads some, the reference steps of cEB and LRP-epsilon others.
    const exposed = g.nodes.flatMap((n) => n.outputs).filter((name) => name !== input && isData(g, name));
    const forwardRunner = await createRunner(bytes, { backend, outputs: exposed });
    return new Float32Maps(g, forwardRunner, gradients, config, backend);
  }

  /**
   * The image, its explanations under the rules the methods need, its gradients and its attack direction;
   * `explainMs`: the time of each rule's explanation (the map time of the method that first needs it).
   */
  async prepare(
    x: Float64Array,
    seed: number,
    target?: number,
  ): Promise<{ prepared: PreparedImage; explainMs: Map<Rule, number> }> {
    const { g, config } = this;
    const inputName = g.inputs[0].name;
    const dims = g.shapes.get(inputName)!;
    const [, C, H, W] = dims;
    const input32 = Float32Array.from(x);
    const forward = new Map<string, Tensor<Float32Array>>([[inputName, { dims, data: input32 }]]);
    const outputs = await this.forwardRunner.run(input32, [...dims]);
    for (const [name, t] of outputs) {
      forward.set(name, { dims: t.dims, data: await t.getData() });
      t.dispose();
    }
    // The reference's steps read float64 values and the constants, as runForward returns them.
    const values = new Map<string, Tensor>(g.initializers);
    for (const [name, t] of forward) values.set(name, { dims: t.dims, data: Float64Array.from(t.data) });
    const logits = Float64Array.from(forward.get(findLogits(g).logits)!.data);
    const xt: Tensor = { dims, data: x };
    const img: ExplainedImage = {
      g,
      x: xt,
      values,
      target: target ?? argmax(logits),
      baseline: { dims, data: blackImage({ C, H, W }, config.norm) },
      // Only PGD evaluates other points without a gradient provider: it keeps the float64 forward pass.
      forward: (t: Tensor) => runForward(g, { [inputName]: t }),
      seed,
    };
    const explained = new Map<Rule, PaneResult>();
    const explainMs = new Map<Rule, number>();
    for (const rule of rulesNeeded(config.methods, config.metrics)) {
      const t0 = performance.now();
      const options = {
        rule,
        alpha: config.methodSettings.alpha,
        beta: config.methodSettings.beta,
        target: img.target,
      };
      explained.set(rule, await (await this.chain(rule)).explain(forward as ForwardValues, options));
      explainMs.set(rule, performance.now() - t0);
    }
    const shared = new PreparedWork(img, config.methodSettings, explained, {
      contrastiveEb: async (ebp) => (await this.contrastRunner()).map(forward as ForwardValues, ebp),
      lrpEpsilonRelevance: async () => {
        // R = l_t e_t on the logits (core/baselines/methods lrpSeed).
        const seed = new Float64Array(logits.length);
        seed[img.target] = logits[img.target];
        const r = await (await this.lrpRunner()).gradients(forward as ForwardValues, seed);
        return Float64Array.from(r.get(inputName)!);
      },
    });
    const grads: GradientProvider = this.gradients
      ? new CompiledGradients(this.gradients, input32, img.target, values, forward as ForwardValues)
      : shared;
    const ms = config.metricSettings;
    let attackGradient: Float64Array | undefined;
    if (config.metrics.includes('adversarial') && ms.attack === 'fgsm' && this.gradients) {
      // d CE / d logits = softmax(l) - e_t (core/baselines/backprop lossSeed), through the compiled graph.
      const seedVector = softmax(logits);
      seedVector[img.target] -= 1;
      const at = await this.gradients.gradients(forward, seedVector);
      attackGradient = Float64Array.from(at.get(inputName)!);
    }
    return { prepared: { img, shared, grads, attackGradient }, explainMs };
  }

  dispose(): void {
    this.forwardRunner.dispose();
    for (const chain of this.chains.values())
      void chain.then(
        (c) => c.dispose(),
        () => undefined,
      );
    this.chains.clear();
    void this.contrast?.then(
      (c) => c.dispose(),
      () => undefined,
    );
    this.contrast = undefined;
    void this.lrp?.then(
      (r) => r.dispose(),
      () => undefined,
    );
    this.lrp = undefined;
  }

  /** LRP-epsilon's relevance as a compiled graph (cpu-graph/gradient.ts), compiled on first use. */
  private lrpRunner(): Promise<GradientRunner> {
    return (this.lrp ??= GradientRunner.create(this.g, {
      backend: this.backend,
      tensors: [this.g.inputs[0].name],
      lrpEpsilon: this.config.methodSettings.lrpEpsilon,
    }));
  }

  /** Contrastive EB's compiled pass, compiled on first use (once per model). */
  private contrastRunner(): Promise<ContrastRunner> {
    return (this.contrast ??= ContrastRunner.create(this.g, this.backend));
  }

  private chain(rule: Rule): Promise<ChainRunner> {
    let c = this.chains.get(rule);
    if (!c) {
      const { alpha, beta } = this.config.methodSettings;
      c = ChainRunner.create(this.g, { rule, alpha, beta }, this.backend);
      this.chains.set(rule, c);
    }
    return c;
  }
}
