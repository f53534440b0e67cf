/**
 * docs/evaluation.md (and docs/evaluation/*.svg) from the report.json of a `panescope evaluate` run, so
 * the document always shows measured numbers with the settings that produced them.
 *
 *   npx tsx scripts/eval-set/write-doc.ts out/eval-squeezenet/report.json [command line used] [timing note]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationReport } from '../../src/cli/evaluate';
import { curveSvgs } from '../../src/cli/evaluate-report';
import { METHOD_LABELS } from '../../src/core/baselines/methods';
import { markdownReport } from '../../src/core/eval/markdown';
import { wilcoxonSignedRank } from '../../src/core/eval/stats';

const [reportPath, command = '', timingNote = ''] = process.argv.slice(2);
if (!reportPath) throw new Error('usage: write-doc.ts REPORT.json [COMMAND] [NOTE ON TIMING]');
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as EvaluationReport;
const root = new URL('../../', import.meta.url).pathname;
const svgDir = join(root, 'docs/evaluation');
mkdirSync(svgDir, { recursive: true });

const { summary, settings } = report;
const ms = settings.metricSettings;
const xs = settings.methodSettings;
for (const [kind, svg] of curveSvgs(
  summary,
  (kind) => `${kind}: SqueezeNet 1.1, mean over ${summary.images} images`,
))
  writeFileSync(join(svgDir, `${kind}.svg`), svg);

/** Deletion AUC of sf against alphabeta, image by image (PANE-SPEC 9.1's decision). */
function ruleDecision(): string {
  const pairs = report.records.flatMap((r) => {
    const a = r.methods.sf?.metrics.deletion?.auc;
    const b = r.methods.alphabeta?.metrics.deletion?.auc;
    return a !== undefined && b !== undefined ? [[a, b] as const] : [];
  });
  if (!pairs.length) return 'The run has no deletion AUC for both sf and alphabeta.';
  const sf = summary.table.sf!.deletion_auc;
  const ab = summary.table.alphabeta!.deletion_auc;
  const w = wilcoxonSignedRank(
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
  );
  const sfWins = pairs.filter(([a, b]) => a < b).length;
  const winner = sf.mean < ab.mean ? 'sf' : 'alphabeta';
  const significant = w.p < 0.05;
  return (
    `Mean deletion AUC (lower is better): **sf ${sf.mean.toFixed(4)}**, **alphabeta ${ab.mean.toFixed(4)}**; ` +
    `sf is lower on ${sfWins} of ${pairs.length} images (Wilcoxon signed-rank, two-sided, ${w.method}: ` +
    `p = ${w.p.toPrecision(3)}). ` +
    (winner === 'sf'
      ? `**sf wins deletion AUC${significant ? '' : ' (not significantly)'}, so the default rule stays sf** (PANE-SPEC 9.1: switch to alphabeta only if sf loses).`
      : significant
        ? `**alphabeta wins deletion AUC significantly: by PANE-SPEC 9.1 the default rule should switch to alphabeta (α = 2, β = 1), with sf kept as an option.**`
        : `**alphabeta has the lower mean deletion AUC (by ${(sf.mean - ab.mean).toFixed(4)}), but not significantly.** ` +
          `Read literally, PANE-SPEC 9.1 (switch the default when sf loses on deletion AUC) says: switch to alphabeta. ` +
          `The measurement shows no real difference on deletion; ${insertionNote()}`)
  );
}

/** sf against alphabeta on insertion AUC, from the paired comparisons. */
function insertionNote(): string {
  const c = summary.comparisons.find((x) => x.method === 'alphabeta' && x.metric === 'insertion_auc');
  if (!c) return 'insertion AUC was not measured.';
  return (
    `on insertion AUC sf is better on ${c.sfBetter} of ${c.sfBetter + c.sfWorse} images ` +
    `(p = ${c.wilcoxon.p.toPrecision(2)}).`
  );
}

const timing = report.timing;
const doc = `# Faithfulness evaluation on SqueezeNet 1.1

Measured with \`panescope evaluate\` (the float64 reference for every map, onnxruntime-web wasm for every perturbed
image) on the ${summary.images} ${report.images.split === 'dev' ? 'development ' : report.images.split === 'test' ? 'test ' : ''}photos of [data/eval-set](../data/eval-set/SOURCES.md)${
  report.images.skipped.length ? ` (skipped: ${report.images.skipped.map((s) => s.file).join(', ')})` : ''
}. Every method explains the same model, image, preprocessing and class (the top-1 class of the clean image).
Definitions: PANE-SPEC.md sections 6 and 7; the methods are described [below](#methods).
${report.complete ? '' : `\n**Partial run: ${summary.images} images were finished when this file was written.**\n`}
**Which rule wins deletion AUC (PANE-SPEC 9.1).** ${ruleDecision()}

**Time.** The whole set with all methods and metrics took **${(timing.totalSeconds / 60).toFixed(1)} min**
(${timing.perImageSeconds.toFixed(0)} s per image of wall time, ${settings.jobs} worker threads) on the project's
2-core machine, which other jobs were sharing during the run. The float64 maps dominate: the mean time of each
method's map is in the last column of the table (per worker, under that load).${timingNote ? ` ${timingNote}` : ''}

Command:

\`\`\`
${command || 'npx panescope evaluate --model public/models/squeezenet1_1.onnx --images data/eval-set --out out/eval-squeezenet ...'}
\`\`\`

## Results

${markdownReport(summary, settings.methods, ms)}
Mean curves: [deletion](evaluation/deletion.svg), [insertion](evaluation/insertion.svg),
[least-salient removal](evaluation/lerf.svg).

![deletion curves](evaluation/deletion.svg)

## Settings

- Preprocessing: ${settings.preprocess}. Maps are 224 x 224 (pixel-level methods) or upsampled bilinearly
  (Grad-CAM). Ranking is stable: by key, then by flat pixel index.
- Deletion (MoRF): pixels ranked by S descending, replaced (all channels) by the \`${ms.deletionSubstrate}\` substrate
  (zero of the normalised tensor = the mean colour); ${ms.stepPixels} pixels per step
  (${((ms.stepPixels / 50176) * 100).toFixed(2)} % of the image, ${Math.ceil(50176 / ms.stepPixels)} steps; RISE uses 224).
  AUC = normalised trapezoid of p(class) (RISE). Confidence drop and top-1 flip at ${ms.deletionPercents.join(', ')} %.
- Insertion: the same order, from the \`${ms.insertionSubstrate}\` substrate (Gaussian ${ms.blurKernel} x ${ms.blurKernel},
  sigma ${ms.blurSigma}, zero padding in the normalised space, as RISE).
- Least-salient removal (LeRF): pixels ranked by |S| ascending, \`${ms.lerfSubstrate}\` substrate; AFOC_k =
  |p(x_k) - p(x)| / p(x) at ${ms.lerfPercents.join(', ')} %, and the LeRF AUC.
- Adversarial guidance: ${ms.attack.toUpperCase()} on the cross-entropy of the class, L-inf budget
  epsilon = ${ms.epsilon.toFixed(5)} (${(ms.epsilon * 255).toFixed(2)}/255) in [0, 1] pixel space, confined to the top-k %
  pixels by S for k in {${ms.attackPercents.join(', ')}}; success = the top-1 class changes. k* = the smallest k of the
  grid that succeeds (median over images; "none" when the median image never succeeds). PSNR, SSIM
  (Gaussian window 11, sigma 1.5) and L2 against the clean image.
  Why not 8/255 (PANE-SPEC 6.3's default): on a 5-image pilot SqueezeNet flipped on 80-100 % of images at k = 2-3 %
  for every map including random ones at 2/255 already, so the success rates could not separate the methods;
  1/255 keeps them apart. PGD (\`--attack pgd\`) is implemented but needs a float64 gradient per iteration
  (seconds each on SqueezeNet), so the committed run uses single-step FGSM (PANE-SPEC 6.3's fast variant).
- Correlation (PANE-SPEC 6.4): per layer and image, Pearson and Spearman of the forward maps PE / NE over positions
  and of E+ / E- over all units, of the chains S_P / S_N over positions, the mean purity kappa and |ΣR| / ΣT, all
  under the rule sf; averaged over images.
- Paired comparisons: Wilcoxon signed-rank, two-sided, zero differences dropped; exact null distribution when
  n <= 50 and no |differences| tie, else the normal approximation with the tie correction and no continuity
  correction (scipy.stats.wilcoxon's defaults).
- Seeds: seed ${settings.seed}; every image's draws (SmoothGrad noise, random maps) come from mulberry32 seeded by a hash
  of the seed and the file name, so the run is deterministic and independent of the number of workers.

## Methods

All maps come from the project's float64 engine: the double chain (\`src/core/reference/chain.ts\`) or the
gradient engine (\`src/core/baselines\`), which walks the graph backwards with the same linear adjoints
(\`src/core/reference/linear.ts\`), the chain's MaxPool routing and pass-through moves, and ReLU masks.

| method | map |
| --- | --- |
| ${METHOD_LABELS.sf} | rule sf, head logit, unit start mass: S = Σ_c R at the input |
| ${METHOD_LABELS.alphabeta} | rule alphabeta (α = ${xs.alpha}, β = ${xs.beta}): the net chain is LRP-αβ; S = Σ_c R at the input |
| ${METHOD_LABELS.ebp} | rule ebp (α = 1, β = 0, biases ignored) = Excitation Backprop; S = Σ_c R at the input |
| ${METHOD_LABELS.ceb} | TorchRay's contrastive EB: EB of the class minus EB of the dual (classifier weights negated) at the classifier's input (\`fire7\`), carried to the input by EB, Σ_c, clamped at 0 |
| ${METHOD_LABELS.gradient} | max_c abs(d logit / d x) (Simonyan et al.) |
| ${METHOD_LABELS.gradient_x_input} | Σ_c x · d logit / d x (normalised input) |
| ${METHOD_LABELS.integrated_gradients} | black baseline (preprocessed zero pixels), ${xs.igSteps} gradients by the midpoint rule, Σ_c |
| ${METHOD_LABELS.smoothgrad} | mean gradient over ${xs.smoothGradSamples} noisy copies, sigma = ${xs.smoothGradNoise} x (max x - min x), then max_c abs |
| ${METHOD_LABELS.gradcam} | last Conv by op type (SqueezeNet: the classifier conv \`conv25\`, after its ReLU), so Grad-CAM is the class activation map |
| ${METHOD_LABELS.lrp_epsilon} | LRP-ε on the same adjoints, ε = ${xs.lrpEpsilon} (absolute) in every affine layer including the first, R starts at the logit, max pooling winner-take-all, biases absorb their share |
| ${METHOD_LABELS.random} | uniform noise, metrics averaged over ${xs.randomSeeds} seeds |
| ${METHOD_LABELS.centre} | Gaussian centred on the image, sigma = ${xs.centreSigma} x 224 |

The IG completeness gap (Σ attribution - (l(x) - l(baseline))) with ${xs.igSteps} steps averaged
${igGap()} in absolute value over the images (logit units): IG at this step count is a coarse quadrature, chosen
for the time budget (\`--ig-steps\` raises it).

Raw numbers: \`report.json\` of the run (per image, per method: curves, AUCs, attack results, timings; per layer:
correlations). Reproduce: \`npx tsx scripts/eval-set/build.ts\` (photos; already committed) and the command above,
then \`npx tsx scripts/eval-set/write-doc.ts out/eval-squeezenet/report.json "<command>"\`.
`;

function igGap(): string {
  const gaps = report.records
    .map((r) => r.methods.integrated_gradients?.diagnostics.completenessGap)
    .filter((v): v is number => typeof v === 'number');
  return gaps.length ? (gaps.reduce((s, v) => s + Math.abs(v), 0) / gaps.length).toFixed(2) : 'n/a';
}

writeFileSync(join(root, 'docs/evaluation.md'), doc);
console.error(`docs/evaluation.md from ${summary.images} images`);
