/**
 * Grad-CAM (Selvaraju et al. 2017): ReLU(sum_k alpha_k A^k) with alpha_k the spatial mean of
 * d logit_t / d A^k, at the last convolutional layer. The layer is found by op type (ARCHITECTURE.md:
 * never by name): the last Conv node with a spatial output larger than 1 x 1, taken after its ReLU when a
 * ReLU is its only consumer (Grad-CAM's feature maps are rectified).
 */
import type { IrGraph } from '../onnx/ir';
import { upsampleBilinear } from '../pane/maps';
import type { Tensor } from '../tensor';

/** The tensor Grad-CAM reads: see the module comment. */
export function lastConvLayer(g: IrGraph): string {
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    const dims = g.shapes.get(node.outputs[0]);
    if (node.opType !== 'Conv' || !dims || dims.length !== 4 || dims[2] * dims[3] <= 1) continue;
    const consumers = g.nodes.filter((n) => n.inputs.includes(node.outputs[0]));
    const relu = consumers.length === 1 && consumers[0].opType === 'Relu' ? consumers[0] : undefined;
    return relu ? relu.outputs[0] : node.outputs[0];
  }
  throw new Error('Grad-CAM: the model has no convolution with a spatial output');
}

/**
 * Grad-CAM of the feature tensor A (the value of lastConvLayer, or another layer), upsampled bilinearly to
 * the input's H x W; `grad` is d logit_t / d A (undefined where no gradient reaches A: an all-zero map).
 */
export function gradCam(g: IrGraph, A: Tensor, grad: ArrayLike<number> | undefined): Float64Array {
  if (A.dims.length !== 4) throw new Error('Grad-CAM: the feature tensor is not 4-D');
  const [, K, h, w] = A.dims;
  const plane = h * w;
  const cam = new Float64Array(plane);
  if (grad) {
    for (let k = 0; k < K; k++) {
      let alpha = 0;
      for (let p = 0; p < plane; p++) alpha += grad[k * plane + p];
      alpha /= plane;
      if (alpha === 0) continue;
      for (let p = 0; p < plane; p++) cam[p] += alpha * A.data[k * plane + p];
    }
  }
  for (let p = 0; p < plane; p++) cam[p] = Math.max(cam[p], 0);
  const input = g.shapes.get(g.inputs[0].name)!;
  return upsampleBilinear(cam, h, w, input[2], input[3]);
}
