/**
 * What prepareGraph makes of each exporter's patterns: folded shape arithmetic and BatchNorms, gates
 * recognised, MatMul + Add fused, the NHWC input detected, symbolic sizes and preprocessing from metadata.
 */
import { describe, expect, it } from 'vitest';
import { buildFamilies } from '../../scripts/fixtures/build-families';
import { loadGraph, preprocessHints } from '../../src/core/onnx';
import type { IrGraph } from '../../src/core/onnx/ir';
import { imageInput, tensorLayout } from '../../src/core/onnx/layout';
import { layerList } from '../../src/core/pane/layers';
import { chainOpKind, isChainOp } from '../../src/core/pane/ops';

const graphs = new Map(buildFamilies().map((f) => [f.name, loadGraph(f.bytes)]));
const graph = (name: string) => graphs.get(name)!;
const count = (g: IrGraph, op: string) => g.nodes.filter((n) => n.opType === op).length;
const gates = (g: IrGraph) => g.nodes.filter((n) => isChainOp(n) && chainOpKind(n) === 'gate');

describe('exporter patterns after prepareGraph', () => {
  it("PyTorch's Shape -> Gather -> Unsqueeze -> Concat -> Reshape flatten folds to one Reshape", () => {
    const g = graph('vgg');
    expect(['Shape', 'Gather', 'Unsqueeze', 'Concat'].map((op) => count(g, op))).toEqual([0, 0, 0, 0]);
    expect(g.nodes.find((n) => n.opType === 'Reshape')!.attrs.shape).toEqual([1, -1]);
  });

  it('folds every BN that follows a Conv alone and keeps pre-activation BNs as element-wise affine nodes', () => {
    expect(count(graph('resnet_v1'), 'BatchNormalization')).toBe(0);
    expect(count(graph('mobilenet_v2_opset11'), 'BatchNormalization')).toBe(0);
    // resnet_v2: the two BNs on residual streams and the final one; densenet: every BN after a Concat or pool.
    expect(count(graph('resnet_v2'), 'BatchNormalization')).toBe(3);
    expect(count(graph('densenet'), 'BatchNormalization')).toBe(7);
  });

  it('Clip bounds as attributes (opset 9) and as inputs (opset 11) give the same node', () => {
    for (const name of ['mobilenet_v2_opset9', 'mobilenet_v2_opset11']) {
      const clip = graph(name).nodes.find((n) => n.opType === 'Clip')!;
      expect(clip.inputs).toHaveLength(1);
      expect([clip.attrs.min, clip.attrs.max]).toEqual([0, 6]);
    }
  });

  it('recognises SiLU, squeeze-excitation and hard-swish gates; HardSwish ops are gates too', () => {
    // efficientnet: 5 SiLUs on the signal path, 2 inside SE branches, 2 SE gates.
    expect(gates(graph('efficientnet')).length).toBe(9);
    expect(
      gates(graph('mobilenet_v3_opset14'))
        .map((n) => n.opType)
        .sort(),
    ).toEqual([...Array(5).fill('HardSwish'), 'Mul', 'Mul']);
    expect(gates(graph('mobilenet_v3_opset13')).every((n) => n.opType === 'Mul')).toBe(true);
    expect(gates(graph('mobilenet_v3_opset13')).length).toBe(7);
    // Keras hard-swish x * relu6(x + 3) * (1/6): the bounded Clip is the gate.
    expect(gates(graph('tf_nhwc')).length).toBe(1);
  });

  it('fuses the Keras Dense MatMul + Add into a Gemm that keeps the Add output name', () => {
    const g = graph('tf_nhwc');
    expect(count(g, 'MatMul') + count(g, 'Add')).toBe(1); // the Add left is hard-swish's x + 3
    const gemm = g.nodes.find((n) => n.opType === 'Gemm')!;
    expect(gemm.outputs[0]).toBe('StatefulPartitionedCall/model/dense/Add:0');
    expect(gemm.name).toBe('StatefulPartitionedCall/model/dense/MatMul');
  });

  it('detects the NHWC input behind a rescaling Mul and lays out the maps of NHWC tensors', () => {
    const g = graph('tf_nhwc');
    const input = imageInput(g);
    expect(input).toMatchObject({ layout: 'NHWC', dims: [1, 32, 32, 3], channels: 3, height: 32, width: 32 });
    const layers = layerList(g);
    expect(layers.slice(0, 3).map((l) => [l.opType, l.layout])).toEqual([
      ['Input', 'NHWC'],
      ['Mul', 'NHWC'],
      ['Transpose', 'NCHW'],
    ]);
    expect(tensorLayout(g, g.outputs[0].name)).toBe('NCHW');
    expect(preprocessHints(g)).toEqual({ scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
  });

  it('fixes symbolic sizes from metadata and reads grey-image preprocessing hints', () => {
    const g = graph('lenet_gray');
    expect(imageInput(g).dims).toEqual([1, 1, 28, 28]);
    expect(preprocessHints(g)).toEqual({
      channels: 1,
      height: 28,
      width: 28,
      mean: [0.1307, 0.1307, 0.1307],
      std: [0.3081, 0.3081, 0.3081],
    });
  });

  it("a channel shuffle's 5-D tensors are layers with H x W maps", () => {
    const fiveD = layerList(graph('shufflenet')).filter((l) => l.dims.length === 5);
    expect(fiveD.map((l) => l.opType)).toEqual(['Reshape', 'Transpose', 'Reshape', 'Transpose']);
  });
});
