/**
 * Files for the CLI's tests (explain over a folder, evaluate's shards): a tiny ONNX classifier and a folder
 * of random PNG photos in a fresh temporary directory.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../src/cli/image-io';
import { buildModel } from '../../src/core/onnx';
import { mulberry32, normalArray } from '../../src/core/random';

/**
 * Conv 3x3 (4 channels) -> Relu -> GlobalAveragePool -> Flatten -> Gemm: input `input` [batch, 3, size,
 * size], output `logits` [batch, classes]. A symbolic batch ('N') lets onnxruntime score images in batches.
 */
export function tinyClassifier(opts: {
  seed: number;
  size: number;
  classes: number;
  batch: 1 | 'N';
}): Uint8Array {
  const rng = mulberry32(opts.seed);
  return buildModel({
    inputs: [{ name: 'input', shape: [opts.batch, 3, opts.size, opts.size] }],
    outputs: [{ name: 'logits', shape: [opts.batch, opts.classes] }],
    initializers: {
      w1: { dims: [4, 3, 3, 3], data: normalArray(rng, 108, 0.3) },
      fc: { dims: [opts.classes, 4], data: normalArray(rng, 4 * opts.classes, 0.5) },
    },
    nodes: [
      {
        op: 'Conv',
        inputs: ['input', 'w1'],
        outputs: ['c1'],
        attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { op: 'GlobalAveragePool', inputs: ['r1'], outputs: ['gap'] },
      { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] },
      { op: 'Gemm', inputs: ['flat', 'fc'], outputs: ['logits'], attrs: { transB: 1 } },
    ],
  });
}

/** Writes `NAME.png` of random opaque pixels, width x height, for each name into a new folder `images`. */
export function writeRandomPngs(
  images: string,
  names: readonly string[],
  width: number,
  height: number,
  seed: number,
): void {
  const rng = mulberry32(seed);
  mkdirSync(images);
  for (const name of names) {
    const rgba = new Uint8Array(width * height * 4).map((_, i) =>
      i % 4 === 3 ? 255 : Math.floor(rng() * 256),
    );
    writeFileSync(join(images, `${name}.png`), encodePng(width, height, rgba));
  }
}

/** A fresh temporary directory holding `tiny.onnx` (the model's bytes) and an `images` folder to fill. */
export function cliWorkspace(
  prefix: string,
  model: Uint8Array,
): { dir: string; model: string; images: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, 'tiny.onnx');
  writeFileSync(path, model);
  return { dir, model: path, images: join(dir, 'images') };
}
