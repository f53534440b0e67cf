#!/usr/bin/env node
// Places the embedded default model (SqueezeNet 1.1) at public/models/squeezenet1_1.onnx, where the app,
// the CLI and the tests load it.
//
// 1. Already there with the known sha256: nothing to do.
// 2. ../shared/models/squeezenet1.1/squeezenet1_1.onnx (the project's shared folder): copy, verify sha256.
// 3. Otherwise download the same weights from the ONNX Model Zoo (squeezenet1.1-7.onnx) and verify them by a
//    known answer: its logits on a fixed synthetic input must match ours (scripts/squeezenet-known-answer.json).
// 4. Otherwise say so in one line and exit non-zero.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'public', 'models', 'squeezenet1_1.onnx');
const shared = resolve(root, '..', 'shared', 'models', 'squeezenet1.1', 'squeezenet1_1.onnx');
const SHA256 = '0fd0995dc9ad121c6b154fd21939d5be3642d03e10365c59482ef1116218fd0b';
const ZOO_URL =
  'https://github.com/onnx/models/raw/main/validated/vision/classification/squeezenet/model/squeezenet1.1-7.onnx';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function place(bytes) {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target + '.tmp', bytes);
  renameSync(target + '.tmp', target);
}

/** The fixed synthetic input of the known-answer check: smooth, deterministic, in the normalised range. */
export function knownAnswerInput() {
  const x = new Float32Array(3 * 224 * 224);
  for (let i = 0; i < x.length; i++) x[i] = 1.5 * Math.sin(i * 0.0137) * Math.cos(i * 0.00071);
  return x;
}

export async function logitsOf(bytes) {
  const ort = await import('onnxruntime-web');
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', knownAnswerInput(), [1, 3, 224, 224]) };
  const out = await session.run(feeds);
  const logits = Float32Array.from(out[session.outputNames[0]].data);
  await session.release();
  return logits;
}

async function verifyByKnownAnswer(bytes) {
  const known = JSON.parse(readFileSync(join(root, 'scripts', 'squeezenet-known-answer.json'), 'utf8'));
  const logits = await logitsOf(bytes);
  if (logits.length !== 1000) throw new Error(`expected 1000 logits, got ${logits.length}`);
  let worst = 0;
  for (const [index, value] of known.logits) worst = Math.max(worst, Math.abs(logits[index] - value));
  if (worst > known.tolerance) throw new Error(`logits differ from the known answer by ${worst}`);
}

/** Places the model (steps 1-4 above); throws with the reason when it cannot. */
export async function placeModel() {
  if (existsSync(target) && sha256(readFileSync(target)) === SHA256) return;
  if (existsSync(target)) {
    // A model that passed the known-answer check earlier (the Model Zoo file) has another hash.
    try {
      await verifyByKnownAnswer(readFileSync(target));
      return;
    } catch {
      /* replace it below */
    }
  }
  if (existsSync(shared)) {
    const bytes = readFileSync(shared);
    if (sha256(bytes) !== SHA256) throw new Error(`${shared} has the wrong sha256`);
    place(bytes);
    console.log(`setup-model: copied SqueezeNet 1.1 from ${shared}`);
    return;
  }
  let bytes;
  try {
    const res = await fetch(ZOO_URL, { redirect: 'follow' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new Error(
      `../shared/models is missing and the download from the ONNX Model Zoo failed (${e.message})`,
    );
  }
  await verifyByKnownAnswer(bytes);
  place(bytes);
  console.log(
    'setup-model: downloaded SqueezeNet 1.1 from the ONNX Model Zoo and verified it by a known answer',
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  placeModel().catch((e) => {
    console.error(`setup-model: cannot provide the default model: ${e.message}`);
    process.exit(1);
  });
}
