/**
 * The deletion and insertion curves the CLI's metric code (core/eval/map-metrics, onnxruntime wasm in
 * Node) gives for the demo photo, to check the app's Evaluate panel against.
 */
import { readFileSync } from 'node:fs';
import { centreMap } from '../src/core/baselines/controls';
import { computeMethods, DEFAULT_METHOD_SETTINGS } from '../src/core/baselines/methods';
import { explainedImage } from '../src/core/eval/evaluate-image';
import type { Curve } from '../src/core/eval/curves';
import { evaluateMap } from '../src/core/eval/map-metrics';
import { DEFAULT_METRIC_SETTINGS } from '../src/core/eval/settings';
import { loadGraph } from '../src/core/onnx';
import { IMAGENET_PREPROCESS, preprocess } from '../src/core/preprocess';
import { decodeImage } from '../src/cli/image-io';
import { createLogitPredictor } from '../src/runtime/predictor';

type Curves = { deletion: Curve; insertion: Curve; lerf: Curve };

export async function cliCurves(
  paneMap: Float64Array,
  target: number,
  steps: number,
): Promise<{ pane: Curves; centre: Curves; gradient: Curves }> {
  const bytes = new Uint8Array(readFileSync('public/models/squeezenet1_1.onnx'));
  const g = loadGraph(bytes);
  const { runner, predict } = await createLogitPredictor(bytes, g, 4);
  try {
    const x = preprocess(
      decodeImage(new Uint8Array(readFileSync('public/demo/chelsea.png')), 'chelsea.png'),
      IMAGENET_PREPROCESS,
    );
    const geo = { C: 3, H: 224, W: 224 };
    const under = { x: Float64Array.from(x), geo, norm: IMAGENET_PREPROCESS, target };
    const settings = { ...DEFAULT_METRIC_SETTINGS, stepPixels: Math.ceil((geo.H * geo.W) / steps) };
    const curves = async (map: Float64Array): Promise<Curves> => {
      const m = await evaluateMap(map, under, ['deletion', 'insertion', 'lerf'], settings, predict);
      return { deletion: m.deletion!, insertion: m.insertion!, lerf: m.lerf! };
    };
    // The gradient baseline from the float64 adjoints (the panel's worker uses the float32 graph).
    const img = explainedImage(g, { dims: [1, 3, 224, 224], data: under.x }, IMAGENET_PREPROCESS, 1, target);
    const gradient = (await computeMethods(['gradient'], img, DEFAULT_METHOD_SETTINGS)).get('gradient')!;
    return {
      pane: await curves(paneMap),
      centre: await curves(centreMap(geo.H, geo.W, DEFAULT_METHOD_SETTINGS.centreSigma)),
      gradient: await curves(gradient.maps[0]),
    };
  } finally {
    runner.dispose();
  }
}
