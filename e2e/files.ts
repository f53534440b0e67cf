/**
 * Test inputs built on the fly (no opaque blobs): a huge PNG, a file that only pretends to be an image,
 * a broken model, a model that is no image CNN, and a CNN the double chain cannot traverse.
 */
import { createDeflate } from 'node:zlib';
import { buildModel } from '../src/core/onnx/build';

/** A real width x height black RGB PNG, deflated row by row (a 10000 x 10000 one is about 300 KB). */
export async function blackPng(width: number, height: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const row = Buffer.alloc(1 + 3 * width); // filter byte 0 + black pixels
  for (let y = 0; y < height; y++) {
    if (!deflate.write(row)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.concat(chunks)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** Bytes that are no ONNX model at all. */
export function brokenModel(): Buffer {
  return Buffer.from('this is not a protobuf, just text with an .onnx name\n'.repeat(20));
}

/** A valid ONNX model that is no image classifier: a dense layer on a vector input. */
export function denseModel(): Buffer {
  const w = Array.from({ length: 30 }, (_, i) => ((i * 7) % 11) / 10 - 0.5);
  return Buffer.from(
    buildModel({
      inputs: [{ name: 'x', shape: [1, 10] }],
      outputs: [{ name: 'y', shape: [1, 3] }],
      initializers: { W: { dims: [10, 3], data: w } },
      nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'], name: 'dense' }],
    }),
  );
}

/**
 * A small CNN whose two convolutions are multiplied (a bilinear product of two data tensors, no gate): it
 * classifies, and the double chain has no rule to traverse the product.
 */
export function bilinearCnnModel(): Buffer {
  const weights = (seed: number) => Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.sin(i * seed) * 0.3);
  const conv = (name: string, w: string) => ({
    op: 'Conv',
    inputs: ['image', w],
    outputs: [name],
    name,
    attrs: { pads: [1, 1, 1, 1] },
  });
  return Buffer.from(
    buildModel({
      inputs: [{ name: 'image', shape: [1, 3, 32, 32] }],
      outputs: [{ name: 'logits', shape: [1, 4] }],
      initializers: {
        W1: { dims: [4, 3, 3, 3], data: weights(1.7) },
        W2: { dims: [4, 3, 3, 3], data: weights(0.9) },
      },
      nodes: [
        conv('conv_a', 'W1'),
        conv('conv_b', 'W2'),
        { op: 'Mul', inputs: ['conv_a', 'conv_b'], outputs: ['product'], name: 'bilinear' },
        { op: 'GlobalAveragePool', inputs: ['product'], outputs: ['pooled'], name: 'pool' },
        { op: 'Flatten', inputs: ['pooled'], outputs: ['logits'], name: 'flatten' },
      ],
    }),
  );
}

/**
 * A small CNN the double chain traverses (convolution, ReLU, global average pooling, a dense layer): the
 * gallery's fixture model, served by a local server in e2e/gallery.spec.ts.
 */
export function tinyCnnModel(): Buffer {
  const conv = Array.from({ length: 8 * 3 * 3 * 3 }, (_, i) => Math.sin(i * 1.3) * 0.4);
  const dense = Array.from({ length: 8 * 5 }, (_, i) => Math.cos(i * 0.7) * 0.5);
  return Buffer.from(
    buildModel({
      inputs: [{ name: 'image', shape: [1, 3, 32, 32] }],
      outputs: [{ name: 'logits', shape: [1, 5] }],
      initializers: { W: { dims: [8, 3, 3, 3], data: conv }, D: { dims: [8, 5], data: dense } },
      nodes: [
        {
          op: 'Conv',
          inputs: ['image', 'W'],
          outputs: ['conv'],
          name: 'conv',
          attrs: { pads: [1, 1, 1, 1] },
        },
        { op: 'Relu', inputs: ['conv'], outputs: ['relu'], name: 'relu' },
        { op: 'GlobalAveragePool', inputs: ['relu'], outputs: ['pooled'], name: 'pool' },
        { op: 'Flatten', inputs: ['pooled'], outputs: ['flat'], name: 'flatten' },
        { op: 'MatMul', inputs: ['flat', 'D'], outputs: ['logits'], name: 'dense' },
      ],
    }),
  );
}
