/**
 * Seeded fuzzing of the model loader and `panescope explain` (issue 12, item 6, the model half):
 * corrupted copies of SqueezeNet and crafted graphs. Every case must end in success or a clean refusal:
 * the call returns (no crash, no hang), a refusal is one line without control characters, and no
 * JavaScript error text (`Cannot read properties...`, `Invalid typed array length...`,
 * `index out of range...`) reaches the user. The seed is fixed, so a failure names a reproducible case.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { coverageReport, describeModelProblem, loadGraph } from '../../src/core/onnx';
import { buildModel, type BuildNode, type ModelSpec } from '../../src/core/onnx/build';
import { checkMemoryBudget } from '../../src/core/onnx/memory';
import { onnx } from '../../src/core/onnx/proto';
import { encodeNpy } from '../../src/core/npy';
import { mulberry32 } from '../../src/core/random';
import { oneLine } from '../../src/core/text';
import { readBytes, SQUEEZENET_ONNX } from '../paths';

const SEED = 0x5eed12;

/** Text of JavaScript's own errors, which must never be what a user reads. */
const INTERNAL = [
  /Cannot read propert/i,
  /Invalid typed array length/i,
  /index out of range/i,
  /is not a function/,
  /is not iterable/,
  /Maximum call stack/i,
  /Array buffer allocation failed/i,
  /Invalid array length/i,
  /\bundefined\b/,
  /\bNaN\b.*\[/,
  /RangeError|TypeError|ReferenceError/,
  /at .*\.ts:\d+/,
];

/** A refusal as the user sees it: one line, no control characters, no internal text. */
function expectClean(message: string, what: string): void {
  expect(message.split('\n'), `${what}: one line`).toHaveLength(1);
  // eslint-disable-next-line no-control-regex
  expect(message, `${what}: control characters`).not.toMatch(/[\u0000-\u001f\u007f]/);
  for (const re of INTERNAL) expect(message, `${what}: internal message`).not.toMatch(re);
}

/**
 * The loader path of the CLI and the app: parse, validate, fold, infer, check coverage and memory. The
 * refusal is returned as both print it (through oneLine, which escapes what a name from the file carries).
 */
function load(bytes: Uint8Array): string | null {
  try {
    const g = loadGraph(bytes);
    describeModelProblem(g);
    coverageReport(g);
    checkMemoryBudget(g, 'reference', 8 * 1024 ** 3);
    return null;
  } catch (e) {
    expect(e, 'refusals are Errors').toBeInstanceOf(Error);
    return oneLine((e as Error).message);
  }
}

describe('corrupted SqueezeNet through the loader', () => {
  const original = readBytes(SQUEEZENET_ONNX);
  const rng = mulberry32(SEED);
  const int = (n: number) => Math.floor(rng() * n);
  // The graph and its small tensors sit in the first and last few kilobytes; most flips there hit structure.
  const position = () => (rng() < 0.7 ? int(4096) : original.length - 1 - int(4096));

  const cases: [string, () => Uint8Array][] = [];
  for (let i = 0; i < 60; i++) {
    const at = Array.from({ length: 1 + int(4) }, position);
    cases.push([
      `byte flips at ${at.join(',')}`,
      () => {
        const b = original.slice();
        for (const p of at) b[p] ^= 1 + int(255);
        return b;
      },
    ]);
  }
  for (let i = 0; i < 30; i++) {
    const end = i < 10 ? int(64) : int(original.length);
    cases.push([`truncated to ${end} bytes`, () => original.slice(0, end)]);
  }
  for (let i = 0; i < 30; i++) {
    const [a, b, len] = [position(), int(original.length), 1 + int(512)];
    cases.push([
      `splice of ${len} bytes from ${b} at ${a}`,
      () => {
        const out = original.slice();
        out.set(original.subarray(b, b + len).subarray(0, out.length - a), a);
        return out;
      },
    ]);
  }

  it.each(cases)('%s: loads or is refused cleanly', (what, make) => {
    const message = load(make());
    if (message !== null) expectClean(message, what);
  });
});

const sin = (n: number, phase = 0) => Array.from({ length: n }, (_, i) => Math.sin(i + phase));

/** x [1, 3, 16, 16] -> Conv 'conv' -> Relu -> GAP -> Flatten -> Gemm 'fc' -> y [1, 5]. */
function cnn(edit: (s: ModelSpec) => void = () => {}): ModelSpec {
  const spec: ModelSpec = {
    opset: 13,
    inputs: [{ name: 'x', shape: [1, 3, 16, 16] }],
    outputs: [{ name: 'y' }],
    initializers: { w: { dims: [4, 3, 3, 3], data: sin(108) }, fc: { dims: [5, 4], data: sin(20, 1) } },
    nodes: [
      { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['r'], outputs: ['p'] },
      { op: 'Flatten', name: 'flatten', inputs: ['p'], outputs: ['f'] },
      { op: 'Gemm', name: 'fc', inputs: ['f', 'fc'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  };
  edit(spec);
  return spec;
}

const replaceNode = (i: number, node: BuildNode) => (s: ModelSpec) => void (s.nodes[i] = node);

/** A ModelProto edited after encoding, for what buildModel cannot write. */
function rawModel(edit: (m: ReturnType<typeof onnx.ModelProto.decode>) => void): Uint8Array {
  const m = onnx.ModelProto.decode(buildModel(cnn()));
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}

function withInitializer(t: Record<string, unknown>): Uint8Array {
  return rawModel((m) => {
    m.graph!.initializer = [
      ...m.graph!.initializer!.filter((i) => i.name !== t.name),
      onnx.TensorProto.fromObject(t),
    ];
  });
}

/** A length-delimited field (graph, 7) declaring 2^31 - 1 bytes that are not there. */
function lengthBomb(): Uint8Array {
  const header = buildModel(cnn()).subarray(0, 8);
  return Uint8Array.from([...header, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 2, 3]);
}

const CRAFTED: [string, () => Uint8Array][] = [
  [
    'a cycle',
    () => buildModel(cnn(replaceNode(1, { op: 'Relu', name: 'relu', inputs: ['f'], outputs: ['r'] }))),
  ],
  [
    'a missing producer',
    () => buildModel(cnn(replaceNode(1, { op: 'Relu', name: 'relu', inputs: ['ghost'], outputs: ['r'] }))),
  ],
  [
    'a duplicate producer',
    () => buildModel(cnn((s) => s.nodes.splice(2, 0, { op: 'Relu', inputs: ['c'], outputs: ['r'] }))),
  ],
  [
    'an unknown op',
    () => buildModel(cnn(replaceNode(1, { op: 'FooBar', name: 'foo', inputs: ['c'], outputs: ['r'] }))),
  ],
  [
    'an unknown domain',
    () =>
      buildModel(
        cnn(replaceNode(1, { op: 'Relu', domain: 'com.evil', name: 'evil', inputs: ['c'], outputs: ['r'] })),
      ),
  ],
  ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map((op): [string, () => Uint8Array] => [
    `an op named ${op}`,
    () => buildModel(cnn(replaceNode(1, { op, name: op, inputs: ['c'], outputs: ['r'] }))),
  ]),
  [
    'an attribute named __proto__',
    () =>
      buildModel(
        cnn(
          replaceNode(1, {
            op: 'Relu',
            name: 'relu',
            inputs: ['c'],
            outputs: ['r'],
            attrs: Object.fromEntries([['__proto__', 3]]),
          }),
        ),
      ),
  ],
  [
    'a subgraph',
    () =>
      buildModel(
        cnn(
          replaceNode(1, {
            op: 'If',
            name: 'branch',
            inputs: ['c'],
            outputs: ['r'],
            attrs: { then_branch: { graph: { inputs: [], outputs: [{ name: 'c' }], nodes: [] } } },
          }),
        ),
      ),
  ],
  [
    'a string tensor',
    () => withInitializer({ name: 'w', dims: [1], dataType: 8, stringData: [Buffer.from('hi')] }),
  ],
  [
    'float16 weights',
    () =>
      withInitializer({ name: 'w', dims: [4, 3, 3, 3], dataType: 10, int32Data: sin(108).map(() => 0x3c00) }),
  ],
  [
    'int8 weights',
    () =>
      withInitializer({
        name: 'w',
        dims: [4, 3, 3, 3],
        dataType: 3,
        int32Data: sin(108).map((v) => Math.round(v * 100)),
      }),
  ],
  ...['/etc/passwd', '../x'].map((location): [string, () => Uint8Array] => [
    `external data at ${location}`,
    () =>
      withInitializer({
        name: 'w',
        dims: [4, 3, 3, 3],
        dataType: 1,
        dataLocation: 1,
        externalData: [{ key: 'location', value: location }],
      }),
  ]),
  [
    'a wrong initializer size',
    () => withInitializer({ name: 'w', dims: [4, 3, 3, 3], dataType: 1, rawData: new Uint8Array(12) }),
  ],
  [
    'a negative initializer dim',
    () => withInitializer({ name: 'w', dims: [-8192, 3, 3, 3], dataType: 1, floatData: [] }),
  ],
  ...[2 ** 31, 1e12, 2 ** 53, -1, 0].map((d): [string, () => Uint8Array] => [
    `input dim ${d}`,
    () => buildModel(cnn((s) => (s.inputs[0] = { name: 'x', shape: [1, 3, d, 16] }))),
  ]),
  [
    'a 1e9-element input',
    () => buildModel(cnn((s) => (s.inputs[0] = { name: 'x', shape: [1, 3, 18258, 18258] }))),
  ],
  [
    'zero strides',
    () =>
      buildModel(
        cnn(
          replaceNode(0, {
            op: 'Conv',
            name: 'conv',
            inputs: ['x', 'w'],
            outputs: ['c'],
            attrs: { strides: [0, 0] },
          }),
        ),
      ),
  ],
  [
    'a ConstantOfShape of 9e8',
    () =>
      buildModel(
        cnn((s) => {
          s.initializers!.big = { dims: [4], data: [1, 4, 30000, 30000], elemType: 'int64' };
          s.nodes.splice(1, 0, { op: 'ConstantOfShape', name: 'fill', inputs: ['big'], outputs: ['z'] });
          s.nodes[2] = { op: 'Add', name: 'relu', inputs: ['c', 'z'], outputs: ['r'] };
        }),
      ),
  ],
  ['a protobuf length bomb', lengthBomb],
  ['opset 999', () => buildModel(cnn((s) => (s.opset = 999)))],
  [
    'NaN weights',
    () =>
      buildModel(
        cnn(
          (s) =>
            (s.initializers!.w = { dims: [4, 3, 3, 3], data: sin(108).map((v, i) => (i === 5 ? NaN : v)) }),
        ),
      ),
  ],
  ['an empty file', () => new Uint8Array(0)],
  ['a text file', () => new TextEncoder().encode('{"this": "is json"}\n')],
  [
    'a node name with an escape sequence',
    () =>
      buildModel(
        cnn(
          replaceNode(1, {
            op: 'Erf',
            name: '\u001b]0;owned\u0007\u001b[2K\r\u001b[32mexplained class 285',
            inputs: ['c'],
            outputs: ['r'],
          }),
        ),
      ),
  ],
];

describe('crafted models through panescope explain', () => {
  let stderr: string[] = [];
  let dir: string;
  let image: string;
  beforeAll(() => {
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    dir = mkdtempSync(join(tmpdir(), 'panescope-fuzz-'));
    image = join(dir, 'x.npy');
    writeFileSync(image, encodeNpy({ dims: [1, 3, 16, 16], data: Float32Array.from(sin(768)) }, 'float32'));
  });
  afterEach(() => {
    stderr = [];
  });

  it.each(CRAFTED.map(([what, make], i) => [what, make, i] as const))(
    '%s: explained or refused in one clean line, nothing written outside --out',
    async (what, make, i) => {
      const model = join(dir, `m${i}.onnx`);
      writeFileSync(model, make());
      const out = join(dir, `out${i}`);
      const code = await main(['explain', '--model', model, '--image', image, '--out', out]);
      expect([0, 1], `${what}: exit code`).toContain(code);
      if (code === 1) {
        expect(stderr, what).toHaveLength(1);
        expectClean(stderr[0], what);
      }
      const stray = readdirSync(dir).filter((f) => !/^(x\.npy|m\d+\.onnx|out\d+)$/.test(f));
      expect(stray, `${what}: files outside --out`).toEqual([]);
    },
  );
});
