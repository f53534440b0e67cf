#!/usr/bin/env node
// Records the known answer that verifies a downloaded SqueezeNet 1.1: the ten largest logits of the
// project's model (../shared, sha256-checked) on the fixed synthetic input of setup-model.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { logitsOf } from './setup-model.mjs';

const bytes = readFileSync(new URL('../public/models/squeezenet1_1.onnx', import.meta.url));
const logits = await logitsOf(bytes);
const top = [...logits.keys()].sort((a, b) => logits[b] - logits[a]).slice(0, 10);
const known = { tolerance: 1e-2, logits: top.map((i) => [i, Number(logits[i].toFixed(6))]) };
writeFileSync(
  new URL('./squeezenet-known-answer.json', import.meta.url),
  JSON.stringify(known, null, 2) + '\n',
);
console.log(known);
