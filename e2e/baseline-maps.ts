/**
 * Baseline maps of the demo photo from the engine's float64 code in Node (core/baselines, as
 * `panescope evaluate` computes them), to check the app's method panes and grid against.
 */
import { readFileSync } from 'node:fs';
import { computeMethods, DEFAULT_METHOD_SETTINGS, type MethodId } from '../src/core/baselines/methods';
import { explainedImage } from '../src/core/eval/evaluate-image';
import { loadGraph } from '../src/core/onnx';
import { IMAGENET_PREPROCESS, preprocess } from '../src/core/preprocess';
import { decodeImage } from '../src/cli/image-io';

export async function baselineMaps(
  methods: readonly MethodId[],
  target: number,
): Promise<Map<MethodId, Float64Array>> {
  const g = loadGraph(new Uint8Array(readFileSync('public/models/squeezenet1_1.onnx')));
  const x = preprocess(
    decodeImage(new Uint8Array(readFileSync('public/demo/chelsea.png')), 'chelsea.png'),
    IMAGENET_PREPROCESS,
  );
  const img = explainedImage(
    g,
    { dims: [1, 3, 224, 224], data: Float64Array.from(x) },
    IMAGENET_PREPROCESS,
    1,
    target,
  );
  const out = await computeMethods(methods, img, DEFAULT_METHOD_SETTINGS);
  return new Map(methods.map((m) => [m, out.get(m)!.maps[0]]));
}
