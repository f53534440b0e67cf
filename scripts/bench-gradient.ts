/**
 * How long one input gradient d logit_t / d x of SqueezeNet takes: the float64 baselines (core/baselines
 * backprop.ts) against the compiled float32 gradient graph on onnxruntime's wasm backend (Node, this
 * machine). Median of 3 runs after a warm-up; the backward pass alone (on the same forward values) and
 * forward + backward, as Integrated Gradients and SmoothGrad pay it per point. Also prints the gradient's
 * error against float64.
 *
 *   npx tsx scripts/bench-gradient.ts [model.onnx] [image]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { decodeImage } from '../src/cli/image-io';
import { backward, logitSeed } from '../src/core/baselines/backprop';
import { loadGraph } from '../src/core/onnx';
import { argmax } from '../src/core/pane/heads';
import { IMAGENET_PREPROCESS, preprocess } from '../src/core/preprocess';
import { runForward } from '../src/core/reference/forward';
import type { Tensor } from '../src/core/tensor';
import { GradientRunner } from '../src/engine/cpu-graph/gradient-runner';

const modelPath = process.argv[2] ?? 'public/models/squeezenet1_1.onnx';
const imagePath = process.argv[3] ?? 'public/demo/chelsea.png';
const RUNS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(f: () => unknown): Promise<number> {
  await f();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return d / scale;
}

const bytes = new Uint8Array(readFileSync(modelPath));
const g = loadGraph(bytes);
const inputName = g.inputs[0].name;
const input = preprocess(
  decodeImage(new Uint8Array(readFileSync(imagePath)), imagePath),
  IMAGENET_PREPROCESS,
);
const x = { dims: g.shapes.get(inputName)!, data: Float64Array.from(input) };

const t = performance.now();
const runner = await GradientRunner.create(g, { backend: 'wasm', model: bytes });
const createMs = performance.now() - t;
try {
  const forward = await runner.forward(input);
  const target = argmax(Float64Array.from(forward.get(runner.compiled.logits)!.data));
  // The float64 backward on onnxruntime's forward values, so both take the same ReLU and max pool decisions.
  const values = runForward(g, { [inputName]: x }) as Map<string, Tensor>;
  for (const [k, v] of forward) values.set(k, { dims: v.dims, data: Float64Array.from(v.data) });
  const seed = logitSeed(g, values, target);

  const f64Backward = await timed(() => backward(g, values, seed));
  const f64Both = await timed(() => {
    const v = runForward(g, { [inputName]: x });
    return backward(g, v, logitSeed(g, v, target));
  });
  const wasmBackward = await timed(() => runner.inputGradient(forward, target));
  const wasmBoth = await timed(() => runner.inputGradientAt(input, target));

  const ref = backward(g, values, seed);
  const got = await runner.gradients(forward, Float32Array.from(seed.values().next().value!));
  const errors = [...got].map(([name, v]) => `${name} ${relError(v, ref.get(name)!).toExponential(2)}`);

  console.log(
    `input gradient, ${modelPath}, ${imagePath}, class ${target}; Node ${process.version}, ${cpus()[0].model}, ${cpus().length} cores`,
  );
  console.log(
    `median of ${RUNS} runs after a warm-up; compiling + creating the wasm sessions took ${createMs.toFixed(0)} ms\n`,
  );
  console.log('| implementation | backward (ms) | forward + backward (ms) |');
  console.log('| --- | ---: | ---: |');
  console.log(`| float64 (core/baselines) | ${f64Backward.toFixed(0)} | ${f64Both.toFixed(0)} |`);
  console.log(`| float32 graph, onnxruntime wasm | ${wasmBackward.toFixed(0)} | ${wasmBoth.toFixed(0)} |`);
  console.log(`\nmax |wasm - float64| / max |float64|: ${errors.join(', ')}`);
} finally {
  runner.dispose();
}
