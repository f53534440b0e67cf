/**
 * How long the float64 CPU reference takes for one SqueezeNet explanation (Node, this machine).
 * Prints a Markdown table: median of 3 runs per rule (after one warm-up), forward and chain separately.
 *
 *   npx tsx scripts/bench-reference.ts [model.onnx] [image]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { loadGraph } from '../src/core/onnx';
import { runForward } from '../src/core/reference/forward';
import { explain } from '../src/core/reference/chain';
import { IMAGENET_PREPROCESS, preprocess } from '../src/core/preprocess';
import { decodeImage } from '../src/cli/image-io';
import type { Rule } from '../src/core/pane/options';

const modelPath = process.argv[2] ?? 'public/models/squeezenet1_1.onnx';
const imagePath = process.argv[3] ?? 'public/demo/chelsea.png';
const RUNS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

const bytes = new Uint8Array(readFileSync(modelPath));
let graph = loadGraph(bytes);
const loadMs = median(Array.from({ length: RUNS }, () => time(() => (graph = loadGraph(bytes)))));
const img = decodeImage(new Uint8Array(readFileSync(imagePath)), imagePath);
const [, C, H, W] = graph.shapes.get(graph.inputs[0].name)!;
const x = { dims: [1, C, H, W], data: Float64Array.from(preprocess(img, IMAGENET_PREPROCESS)) };

let values = runForward(graph, { [graph.inputs[0].name]: x });
const forwardMs = median(
  Array.from({ length: RUNS }, () => time(() => (values = runForward(graph, { [graph.inputs[0].name]: x })))),
);

console.log(
  `float64 reference, ${modelPath}, ${imagePath}; Node ${process.version}, ${cpus()[0].model}, ${cpus().length} cores`,
);
console.log(`median of ${RUNS} runs after a warm-up\n`);
console.log(
  '| rule | parse + prepare (ms) | forward (ms) | double chain (ms) | explanation = forward + chain (ms) |',
);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const rule of ['sf', 'alphabeta', 'ebp'] as Rule[]) {
  explain(graph, values, { rule });
  const chainMs = median(Array.from({ length: RUNS }, () => time(() => explain(graph, values, { rule }))));
  console.log(
    `| ${rule} | ${loadMs.toFixed(0)} | ${forwardMs.toFixed(0)} | ${chainMs.toFixed(0)} | ${(forwardMs + chainMs).toFixed(0)} |`,
  );
}
