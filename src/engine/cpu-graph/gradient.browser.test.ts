/**
 * The compiled gradient (gradient.ts) on onnxruntime-web's webgpu backend in headless Chromium
 * (SwiftShader): the forward pass and the gradient graph both on our device, for a few fixture families
 * (ReLU masks, max pooling, Concat, residual Add, BN, Gemm, an NHWC model with a product of two data
 * tensors) and SqueezeNet 1.1, against the float64 baselines on the same forward values.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { families } from '../../../scripts/fixtures/families';
import { backward, logitSeed } from '../../core/baselines/backprop';
import { lastConvLayer } from '../../core/baselines/gradcam';
import { loadGraph } from '../../core/onnx';
import { buildModel } from '../../core/onnx/build';
import { imageInput } from '../../core/onnx/layout';
import { argmax } from '../../core/pane/heads';
import { mulberry32, normalArray } from '../../core/random';
import { runForward } from '../../core/reference/forward';
import type { Tensor } from '../../core/tensor';
import { GpuContext } from '../../gpu/context';
import { GradientRunner } from './gradient-runner';
import { relError } from '../../../tests/support/ort-chain';

const TOLERANCE = 1e-5;
const FAMILIES = ['vgg', 'resnet_v1', 'densenet', 'tf_nhwc'];

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await GpuContext.acquire();
  console.log(`[gpu] ${JSON.stringify(gpu.adapter)}`);
});
afterAll(() => gpu?.dispose());

/** Gradients at the input and at Grad-CAM's feature tensor for the predicted class, against float64. */
async function errorsOn(bytes: Uint8Array, x: Float32Array): Promise<{ input: number; feature: number }> {
  const g = loadGraph(bytes);
  const runner = await GradientRunner.create(g, { backend: 'webgpu', device: gpu.device, model: bytes });
  try {
    const forward = await runner.forward(x);
    const target = argmax(Float64Array.from(forward.get(runner.compiled.logits)!.data));
    // float64 on the webgpu forward values: the same ReLU masks and max pooling winners.
    const input = g.inputs[0].name;
    const dims = g.shapes.get(input)!;
    const values = runForward(g, { [input]: { dims, data: Float64Array.from(x) } }) as Map<string, Tensor>;
    for (const [k, t] of forward) values.set(k, { dims: t.dims, data: Float64Array.from(t.data) });
    const ref = backward(g, values, logitSeed(g, values, target));
    const layer = lastConvLayer(g);
    const errors = {
      input: relError(await runner.inputGradient(forward, target), ref.get(input)!),
      feature: relError(await runner.featureGradient(forward, target), ref.get(layer)!),
    };
    console.log(
      `[gradient] input ${errors.input.toExponential(2)}, ${layer} ${errors.feature.toExponential(2)}`,
    );
    return errors;
  } finally {
    runner.dispose();
  }
}

describe.each(families().filter((f) => FAMILIES.includes(f.name)))('$name', (family) => {
  test('webgpu input and Grad-CAM feature gradients equal float64', async () => {
    const bytes = buildModel(family.spec);
    const { dims } = imageInput(loadGraph(bytes));
    const x = Float32Array.from(
      normalArray(
        mulberry32(7),
        dims.reduce((a, b) => a * b, 1),
      ),
    );
    const errors = await errorsOn(bytes, x);
    expect(errors.input).toBeLessThan(TOLERANCE);
    expect(errors.feature).toBeLessThan(TOLERANCE);
  });
});

test('SqueezeNet 1.1: webgpu input and Grad-CAM feature gradients equal float64', async () => {
  const res = await fetch('/models/squeezenet1_1.onnx');
  if (!res.ok)
    throw new Error(`GET /models/squeezenet1_1.onnx: ${res.status} (npm run setup places the model)`);
  // A smooth deterministic input in the normalised range (as gpu-engine.browser.test.ts).
  const x = new Float32Array(3 * 224 * 224);
  for (let i = 0; i < x.length; i++) x[i] = 1.5 * Math.sin(i * 0.0137) * Math.cos(i * 0.00071);
  const errors = await errorsOn(new Uint8Array(await res.arrayBuffer()), x);
  expect(errors.input).toBeLessThan(TOLERANCE);
  expect(errors.feature).toBeLessThan(TOLERANCE);
});
