/**
 * Dropout from opset 12 on has no kernel in onnxruntime-web's builds once graph optimisations are off (as
 * every runner with exposed tensors runs); the runner writes it as Identity, the inference semantics.
 */
import { describe, expect, it } from 'vitest';
import { buildModel, type BuildNode } from '../core/onnx/build';
import { onnx } from '../core/onnx/proto';
import { createRunner } from './index';
import { dropoutAsIdentity } from './inference-graph';

function model(dropout: BuildNode, extraOutputs: string[] = []): Uint8Array {
  return buildModel({
    opset: 13,
    inputs: [{ name: 'x', shape: [1, 4] }],
    outputs: [{ name: 'y' }, ...extraOutputs.map((name) => ({ name }))],
    initializers: { ratio: { dims: [], data: [0.2] } },
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['h'] },
      dropout,
      { op: 'Neg', inputs: ['d'], outputs: ['y'] },
    ],
  });
}

const ops = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);

describe('dropoutAsIdentity', () => {
  it('writes an inference Dropout (ratio input, unused mask) as Identity of its data input', () => {
    const bytes = dropoutAsIdentity(model({ op: 'Dropout', inputs: ['h', 'ratio'], outputs: ['d', 'mask'] }));
    const node = onnx.ModelProto.decode(bytes).graph!.node![1];
    expect(node.opType).toBe('Identity');
    expect(node.input).toEqual(['h']);
    expect(node.output).toEqual(['d']);
  });

  it('keeps a Dropout whose mask is read, and returns a model without Dropout unchanged', () => {
    const masked = model({ op: 'Dropout', inputs: ['h'], outputs: ['d', 'mask'] }, ['mask']);
    expect(ops(dropoutAsIdentity(masked))).toEqual(['Relu', 'Dropout', 'Neg']);
    const plain = model({ op: 'Identity', inputs: ['h'], outputs: ['d'] });
    expect(dropoutAsIdentity(plain)).toBe(plain);
  });

  it('lets onnxruntime run an opset 13 Dropout with its output exposed', async () => {
    const bytes = model({ op: 'Dropout', inputs: ['h', 'ratio'], outputs: ['d'] });
    const runner = await createRunner(bytes, { backend: 'wasm', outputs: ['d'] });
    try {
      const out = await runner.run(Float32Array.of(1, -2, 3, -4), [1, 4]);
      expect([...(await out.get('d')!.getData())]).toEqual([1, 0, 3, 0]);
      expect([...(await out.get('y')!.getData())]).toEqual([-1, -0, -3, -0]);
    } finally {
      runner.dispose();
    }
  });
});
