// The CPU engine's work on the default model (SqueezeNet 1.1, public/models, placed by
// scripts/setup-model.mjs) and a real photo: the compiled float32 chain behind CpuCompute gives every
// per-layer map (net, positive, negative, and the forward excitations) within 1e-3 of the float64 reference
// on the same onnxruntime forward values, for every rule.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../cli/image-io';
import { loadGraph } from '../core/onnx';
import type { IrGraph } from '../core/onnx/ir';
import { mapSize } from '../core/pane/maps';
import { fluxOutputs, isData } from '../core/pane/ops';
import type { Rule } from '../core/pane/options';
import { IMAGENET_PREPROCESS, preprocess } from '../core/preprocess';
import type { Tensor } from '../core/tensor';
import { createRunner } from '../runtime';
import { CpuCompute } from './cpu-compute';
import { referenceOn, relError } from '../../tests/support/ort-chain';
import type { MapKind } from './types';
import { pearson } from '../core/eval/correlation';
import { viewMap } from './views';
import { FINAL_MAP_NAMES, finalMap as finalMapFrom, layerChainsOf } from '../core/pane/final-maps';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = `${root}public/models/squeezenet1_1.onnx`;
const IMAGE = `${root}public/demo/chelsea.png`;
const KINDS: MapKind[] = ['net', 'positive', 'negative', 'excitation-positive', 'excitation-negative'];

// The unit project's global setup places the model (tests/global-setup.ts).
describe('CPU engine on SqueezeNet 1.1 and chelsea.png', () => {
  let bytes: Uint8Array;
  let graph: IrGraph;
  let input: Float32Array;
  let forward: Map<string, Tensor<Float32Array>>;
  const compute = new CpuCompute();

  beforeAll(async () => {
    bytes = new Uint8Array(readFileSync(MODEL));
    graph = loadGraph(bytes);
    input = preprocess(decodeImage(new Uint8Array(readFileSync(IMAGE)), 'chelsea.png'), IMAGENET_PREPROCESS);
    // Every value the reference reads; onnxruntime computes the ones CpuCompute feeds its chain the same way
    // (same model, optimisations off either way).
    const inputName = graph.inputs[0].name;
    const exposed = graph.nodes.flatMap((n) => fluxOutputs(n).filter((o) => isData(graph, o)));
    const runner = await createRunner(bytes, { backend: 'wasm', outputs: exposed });
    const dims = [...graph.shapes.get(inputName)!];
    forward = new Map([[inputName, { dims, data: input }]]);
    for (const [name, t] of await runner.run(input, dims))
      forward.set(name, { dims: t.dims, data: await t.getData() });
    runner.dispose();
    await compute.loadModel(bytes, 'squeezenet1_1.onnx');
    await compute.setInput(input);
  });
  afterAll(() => compute.dispose());

  for (const rule of ['sf', 'alphabeta', 'ebp'] as Rule[]) {
    it(`every layer map equals the reference within 1e-3 (rule ${rule})`, async () => {
      const summary = await compute.explain({ rule });
      const t0 = performance.now();
      const ref = referenceOn(graph, forward, { rule });
      const refMs = performance.now() - t0;
      expect(summary.target).toBe(285); // Egyptian cat
      expect(summary.target).toBe(ref.target);
      let worst = 0;
      let worstR = 1;
      for (const layer of summary.layers) {
        const dims = graph.shapes.get(layer.tensor)!;
        const { h, w } = mapSize(dims);
        const view = (kind: MapKind) => viewMap(graph, ref, layer.tensor, kind).data;
        // PE and NE on the scale of PE + NE: the NE of a layer without negative contributions is rounding.
        const ne = view('excitation-negative');
        const gross = view('excitation-positive').map((v, i) => v + ne[i]);
        for (const kind of KINDS) {
          const got = compute.readMap({ layer: layer.tensor, kind }, { width: w, height: h }).data;
          const want = view(kind);
          const err = relError(got, want, kind.startsWith('excitation') ? gross : want);
          expect(err, `${layer.tensor} ${kind}`).toBeLessThan(1e-3);
          worst = Math.max(worst, err);
          if (want.some((v) => v !== want[0])) worstR = Math.min(worstR, pearson(got, want) ?? 0);
        }
      }
      console.log(
        `${rule}: worst map error ${worst.toExponential(2)}, lowest Pearson r ${worstR.toFixed(7)}; ` +
          `compiled chain ${summary.timingsMs.chain.toFixed(0)} ms (compile ${summary.timingsMs.compile.toFixed(0)} ms), ` +
          `float64 reference chain ${refMs.toFixed(0)} ms`,
      );
    });
  }

  it('every final-map construction equals the reference with r >= 0.9999', async () => {
    await compute.explain({ rule: 'sf' });
    const { flux } = referenceOn(graph, forward, { rule: 'sf' });
    const ref = layerChainsOf(graph, (t) => flux.get(t));
    const inputName = graph.inputs[0].name;
    for (const finalMap of FINAL_MAP_NAMES) {
      const got = compute.readMap({ layer: inputName, kind: 'net', finalMap }).data;
      const want = finalMapFrom(finalMap, ref, 224, 224);
      expect(got.length).toBe(224 * 224);
      expect(pearson(got, want) ?? 0, finalMap).toBeGreaterThanOrEqual(0.9999);
      expect(relError(got, want, want), finalMap).toBeLessThan(1e-3);
    }
  }, 300_000);
});
