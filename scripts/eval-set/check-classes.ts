/**
 * SqueezeNet's top-5 for each photo of a folder, with the same preprocessing as `panescope evaluate`
 * (resize 256, centre crop 224, ImageNet mean/std), scored by onnxruntime (wasm). With sources.json's
 * `class` (an ImageNet class index) recorded for a photo, it also says whether that class is in the top 5,
 * and exits with status 1 when one is not: the check that each photo's subject is a class the model
 * recognises.
 *
 *   npx tsx scripts/eval-set/check-classes.ts [DIR]   (default data/eval-set)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { decodeImage } from '../../src/cli/image-io';
import { IMAGENET_CLASSES, shortLabel } from '../../src/core/labels';
import { loadGraph } from '../../src/core/onnx';
import { IMAGENET_PREPROCESS, preprocess } from '../../src/core/preprocess';
import { createLogitPredictor } from '../../src/runtime/predictor';

const root = new URL('../../', import.meta.url).pathname;
const dir = process.argv[2] ?? join(root, 'data/eval-set');
const recorded = new Map(
  (
    JSON.parse(readFileSync(join(root, 'scripts/eval-set/sources.json'), 'utf8')) as {
      images: { id: string; class?: number }[];
    }
  ).images.map((s) => [s.id, s.class]),
);

const bytes = new Uint8Array(readFileSync(join(root, 'public/models/squeezenet1_1.onnx')));
const g = loadGraph(bytes);
const { runner, predict } = await createLogitPredictor(bytes, g, 1, 1);
const spec = { ...IMAGENET_PREPROCESS, width: 224, height: 224, channels: 3 as const };
let missed = 0;
for (const file of readdirSync(dir)
  .filter((f) => /\.(png|jpe?g)$/i.test(f))
  .sort()) {
  const x = Float32Array.from(
    preprocess(decodeImage(new Uint8Array(readFileSync(join(dir, file))), file), spec),
  );
  const [logits] = await predict([x]);
  const max = Math.max(...logits);
  const exp = logits.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  const top = [...exp.keys()].sort((a, b) => exp[b] - exp[a]).slice(0, 5);
  const want = recorded.get(basename(file, extname(file)));
  const verdict = want === undefined ? '' : top.includes(want) ? `ok (${want})` : `MISSED ${want}`;
  if (want !== undefined && !top.includes(want)) missed++;
  const list = top.map((k) => `${k} ${shortLabel(IMAGENET_CLASSES[k])} ${(exp[k] / sum).toFixed(2)}`);
  console.log(`${file}\t${verdict}\t${list.join(' | ')}`);
}
runner.dispose();
if (missed) {
  console.error(`${missed} photo(s) whose recorded class is not in SqueezeNet's top 5`);
  process.exitCode = 1;
}
