/**
 * The visualizer end to end, once per engine (projects 'webgpu' and 'ort' in playwright.config.ts). The
 * tests share one page and run in order, so each full explanation (seconds on SwiftShader) is paid once.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { applyContrast } from '../src/core/colormap';
import {
  canvasPixels,
  dropFiles,
  expect,
  pasteFile,
  lastError,
  newAppPage,
  openApp,
  pixelDigest,
  snapshot,
  test,
  waitForView,
  waitIdle,
  type Backend,
  type Pixels,
  type Snapshot,
} from './fixtures';
import { blackPng, brokenModel, denseModel, bilinearCnnModel } from './files';
import { DEFAULT_FINAL_MAP, finalMapSigned } from '../src/core/pane/final-maps';
import { cliCurves } from './cli-curves';
import { expectPixel, probePoints } from './probes';

test.describe.configure({ mode: 'serial' });

let page: Page;
let view: Snapshot;

test.beforeAll(async ({ browser, backend }) => {
  page = (await newAppPage(browser)).page;
  view = await openApp(page, backend);
});

test.afterAll(async () => {
  await page?.context().close();
});

test('opens on the default model and a demo image and explains it without a click', async ({ backend }) => {
  await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('status')).toContainText(/Ready.*explanation/);
  await expect(page.getByTestId('top-classes').locator('li')).toHaveCount(5);
  await expect(page.getByTestId('top-classes').locator('li').first()).toContainText(/cat/i);
  await expect(page.getByTestId('engine-backend')).toHaveAttribute('data-backend', backend);
  const map = await canvasPixels(page, 'saliency-canvas');
  expect([map.width, map.height]).toEqual([224, 224]);
  // The opening view is the default final map at the input (docs/final-maps.md): 'detail' is non-negative.
  expect(view.main?.info?.signed).toBe(finalMapSigned(DEFAULT_FINAL_MAP));
  // The caption names the construction, and no view toggle claims to be what is shown.
  await expect(page.locator('.map-pane[data-slot="main"] figcaption')).toContainText(
    `Final map ${DEFAULT_FINAL_MAP}:`,
  );
  await expect(page.getByTestId('chain-net')).toHaveAttribute('aria-pressed', 'false');
  // Every layer of the strip got its small map; the chart shows the per-layer numbers.
  await expect(page.getByTestId('layer-strip').locator('[data-ready="true"]')).toHaveCount(
    view.layers.length,
  );
  await expect(page.getByTestId('chain-chart')).toBeVisible();
  await expect(page.getByTestId('coverage')).toHaveAttribute('data-ok', 'true');
  // The README's picture, refreshed on request only (timings in the status line differ on every run):
  // PANESCOPE_SCREENSHOT=1 npx playwright test --project=webgpu -g "opens on"
  // It shows the opening view: the final map at the input.
  if (process.env.PANESCOPE_SCREENSHOT === '1') {
    mkdirSync('docs', { recursive: true });
    writeFileSync('docs/screenshot.png', await page.screenshot());
  }
});

test('exports the view as PNG, .npy and JSON', async () => {
  const png = await download(page, 'export-png');
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe((224 + 32) * 2); // width: the 1x figure (input plus margins) at 2x
  const npy = await download(page, 'export-npy');
  expect(npy.subarray(1, 6).toString('ascii')).toBe('NUMPY');
  expect(npy.toString('latin1', 10, 80)).toContain("'shape': (224, 224)");
  expect(npy.length).toBeGreaterThan(224 * 224 * 4);
  const summary = JSON.parse((await download(page, 'export-json')).toString('utf8'));
  expect(summary.model.name).toMatch(/SqueezeNet/);
  expect(summary.top5).toHaveLength(5);
  expect(summary.layers).toHaveLength(view.layers.length);
  expect(summary.view.layer).toBe(view.layer);
});

test('the Evaluate panel scores deletion, insertion and LeRF curves of the map on screen, as the CLI does', async () => {
  await page.getByTestId('evaluate-details').locator('summary').click();
  const panel = page.getByTestId('evaluate-panel');
  await panel.getByRole('checkbox', { name: 'Centre bias' }).check();
  await panel.getByLabel('Steps per curve').selectOption('10');
  await panel.getByRole('button', { name: 'Compute curves' }).click();
  const auc = async (kind: string, id: string) => {
    const el = page.getByTestId(`auc-${kind}-${id}`);
    await expect(el).toHaveAttribute('data-done', 'true', { timeout: 240_000 });
    return Number(await el.getAttribute('data-auc'));
  };
  // The same map, image and class through the CLI's metric code in Node (onnxruntime wasm there too).
  const input = view.layers[0];
  const paneMap = Float64Array.from((await readMap(page, input, 'net')).data);
  const expected = await cliCurves(paneMap, view.target!, 10);
  for (const id of ['pane', 'centre', 'gradient'] as const) {
    for (const kind of ['deletion', 'insertion', 'lerf'] as const) {
      expect(Math.abs((await auc(kind, id)) - expected[id][kind].auc)).toBeLessThan(2e-3);
    }
  }
  // The slider: nothing removed is the clean image at the engine's probability; everything removed is the
  // dataset-mean colour.
  const probability = async () =>
    Number((await page.getByTestId('evaluate-probability').textContent())!.split('=')[1]);
  const slider = page.getByTestId('evaluate-slider');
  await slider.fill('0');
  await expect.poll(probability, { timeout: 60_000 }).toBeCloseTo(view.targetProbability!, 2);
  await slider.fill('1');
  await expect
    .poll(probability, { timeout: 60_000 })
    .toBeCloseTo(expected.pane.deletion.scores[expected.pane.deletion.scores.length - 1], 2);
  const gone = await canvasPixels(page, 'evaluate-image');
  const mean = [0.485, 0.456, 0.406].map((m) => Math.round(m * 255));
  for (let i = 0; i < gone.data.length; i += 4 * 97)
    for (let c = 0; c < 3; c++) expect(Math.abs(gone.data[i + c] - mean[c])).toBeLessThanOrEqual(1);
  await page.getByTestId('evaluate-details').locator('summary').click();
});

test('scrubs to three layers, by slider, arrow key and strip, and the canvas changes each time', async () => {
  const digests = new Set([pixelDigest(await canvasPixels(page, 'saliency-canvas'))]);
  const n = view.layers.length;

  await page.getByTestId('layer-slider').fill(String(Math.floor(n / 2)));
  view = await waitForView(page, view.main!.key);
  expect(view.layer).toBe(view.layers[Math.floor(n / 2)]);
  await expect(page.getByTestId('layer-readout')).toContainText(view.layer!);
  digests.add(pixelDigest(await canvasPixels(page, 'saliency-canvas')));

  await page.getByTestId('layer-slider').focus();
  await page.keyboard.press('ArrowLeft');
  view = await waitForView(page, view.main!.key);
  expect(view.layer).toBe(view.layers[Math.floor(n / 2) - 1]);
  digests.add(pixelDigest(await canvasPixels(page, 'saliency-canvas')));

  await page.getByTestId('layer-strip').locator('[data-layer="conv1"]').click();
  view = await waitForView(page, view.main!.key);
  expect(view.layer).toBe('conv1');
  digests.add(pixelDigest(await canvasPixels(page, 'saliency-canvas')));

  expect(digests.size).toBe(4);
});

test('toggles the chains and the rendered pixels match the engine numbers at probe points', async () => {
  await page.getByTestId('layer-slider').fill('0');
  view = await waitForView(page, view.main!.key);
  // The exact definitions first: scale by the maximum, linear colours (the display starts clipped at the
  // 99.5th percentile and at contrast |v|^0.5).
  expect([view.gamma, await page.getByTestId('clip-toggle').isChecked()]).toEqual([0.5, true]);
  await page.getByTestId('clip-toggle').uncheck();
  view = await waitForView(page, view.main!.key);
  await page.getByTestId('contrast-select').selectOption('1');
  view = await waitForView(page, view.main!.key);
  const toggles = [
    ['chain-positive', 'positive'],
    ['chain-negative', 'negative'],
    ['chain-net', 'net'],
  ] as const;
  for (const [testId, kind] of toggles) {
    await page.getByTestId(testId).click();
    view = await waitForView(page, view.main!.key);
    expect(view.kind).toBe(kind);
    await expect(page.getByTestId(testId)).toHaveAttribute('aria-pressed', 'true');
    await checkProbes(page, view, { exactScale: true });
  }

  // The forward excitations of a convolution, and a shared scale for the two chains.
  await page.getByTestId('layer-strip').locator('[data-layer="conv10_relu"]').click();
  view = await waitForView(page, view.main!.key);
  for (const testId of ['view-excitation-positive', 'view-excitation-negative']) {
    await page.getByTestId(testId).click();
    view = await waitForView(page, view.main!.key);
    expect(view.main?.info?.signed).toBe(false);
    await checkProbes(page, view, { exactScale: false });
  }

  await page.getByTestId('layer-slider').fill('0');
  view = await waitForView(page, view.main!.key);
  await page.getByTestId('chain-positive').click();
  view = await waitForView(page, view.main!.key);
  await page.getByTestId('normalization-select').selectOption('shared');
  view = await waitForView(page, view.main!.key);
  const p = await readMap(page, view.layer!, 'positive');
  const nmap = await readMap(page, view.layer!, 'negative');
  expectRelative(view.main!.info!.scale, Math.max(maxAbs(p.data), maxAbs(nmap.data)));
  await checkProbes(page, view, { exactScale: false });
  await page.getByTestId('normalization-select').selectOption('layer');
  await page.getByTestId('chain-net').click();
  view = await waitForView(page, view.main!.key);

  // A contrast exponent lifts the weak evidence of the pixel-level map: colours follow sign(v) |v|^0.5.
  const linear = await canvasPixels(page, 'saliency-canvas');
  await page.getByTestId('contrast-select').selectOption('0.5');
  view = await waitForView(page, view.main!.key);
  expect(view.gamma).toBe(0.5);
  await checkProbes(page, view, { exactScale: true });
  const lifted = await canvasPixels(page, 'saliency-canvas');
  const coverage = (p: Pixels) => p.data.filter((v, i) => i % 4 === 3 && v > 25).length;
  expect(coverage(lifted)).toBeGreaterThan(coverage(linear));
  // Back to the defaults: clipped, so the scale is below the peak and the strongest pixels saturate.
  await page.getByTestId('clip-toggle').check();
  view = await waitForView(page, view.main!.key);
  const peak = maxAbs((await readMap(page, view.layer!, view.kind)).data);
  expect(view.main!.info!.scale).toBeLessThan(peak);
});

test('copies a link that reproduces the view pixel for pixel in a fresh page', async ({
  browser,
  backend,
}) => {
  test.setTimeout(600_000);
  // The demo image with a moved crop, another class and rule (one forward pass and one explanation: the
  // requests made while the forward pass runs are served together), and non-default view settings.
  const second = page.getByTestId('top-classes').locator('li button').nth(1);
  const secondClass = Number(await second.getAttribute('data-class'));
  const cropBefore = await page.locator('.crop-editor figcaption').textContent();
  await page.getByTestId('rule-select').selectOption('ebp');
  await second.click();
  await page.getByTestId('crop-editor').focus();
  await page.keyboard.press('ArrowRight');
  view = await waitForView(page, view.main!.key, ['"rule":"ebp"', `"target":${secondClass}`]);
  await expect(page.locator('.crop-editor figcaption')).not.toHaveText(cropBefore!);
  expect(view.target).toBe(secondClass);
  expect(view.main!.key).toContain('"rule":"ebp"');
  await page.getByTestId('layer-slider').fill(String(view.layers.indexOf('fire2')));
  view = await waitForView(page, view.main!.key);
  await page.getByTestId('chain-negative').click();
  view = await waitForView(page, view.main!.key);
  await page.getByTestId('colormap-select').selectOption('gray');
  view = await waitForView(page, view.main!.key);
  await page.getByTestId('opacity').fill('0.45');
  await compareThroughLink(browser, backend);
});

test('drops images and gets their map; several images become a strip', async () => {
  // The net view (the link test left the negative chain of ebp, which is zero everywhere).
  await page.getByTestId('chain-net').click();
  view = await waitForView(page, view.main!.key);
  const before = pixelDigest(await canvasPixels(page, 'saliency-canvas'));
  const inputBefore = pixelDigest(await canvasPixels(page, 'input-canvas'));
  await dropFiles(page, [
    { name: 'my coffee.png', type: 'image/png', url: 'demo/coffee.png' },
    { name: 'launch.jpg', type: 'image/jpeg', url: 'demo/rocket.jpg' },
  ]);
  view = await waitForView(page, view.main!.key);
  await expect(page.getByTestId('crop-editor')).toBeVisible();
  await expect(page.locator('.image-strip button')).toHaveCount(3);
  await expect(page.locator('.crop-editor figcaption')).toContainText('my coffee.png');
  await expect(page.getByTestId('top-classes').locator('li').first()).not.toContainText(/cat/i);
  expect(pixelDigest(await canvasPixels(page, 'input-canvas'))).not.toBe(inputBefore);
  expect(pixelDigest(await canvasPixels(page, 'saliency-canvas'))).not.toBe(before);
});

test("a user's own image travels inside the link and reproduces pixel for pixel", async ({
  browser,
  backend,
}) => {
  test.setTimeout(600_000);
  await expect(page.locator('.share-export .hint')).toContainText(/inside the link/);
  await compareThroughLink(browser, backend, /travels in the link/);
});

test('compares two views side by side, and a labels file renames the classes', async () => {
  view = await snapshot(page);
  const main = pixelDigest(await canvasPixels(page, 'saliency-canvas'));
  const waitCompare = async (previous: string | null) => {
    await page.waitForFunction(
      (prev) => {
        const s = window.__panescope?.snapshot();
        return !!s && s.phase === 'ready' && !!s.compare?.info && s.compare.key !== prev;
      },
      previous,
      { timeout: 240_000, polling: 200 },
    );
    return snapshot(page);
  };
  await page.getByTestId('compare-toggle').check();
  let shown = await waitCompare(null);
  expect(shown.compare!.layer).toBe(view.layer);
  // The main pane's own view, drawn in the compare pane, is the same picture.
  await page.getByTestId('compare-view').selectOption(view.kind);
  shown = await waitCompare(shown.compare!.key);
  expect(pixelDigest(await canvasPixels(page, 'compare-canvas'))).toBe(main);
  // Another rule borrows the engine for the compare pane; the main pane keeps its picture and its view.
  await page.getByTestId('compare-rule').selectOption('alphabeta');
  shown = await waitCompare(shown.compare!.key);
  expect(pixelDigest(await canvasPixels(page, 'compare-canvas'))).not.toBe(main);
  expect(shown.main!.key).toBe(view.main!.key);
  expect(pixelDigest(await canvasPixels(page, 'saliency-canvas'))).toBe(main);
  await page.getByTestId('compare-toggle').uncheck();
  await expect(page.getByTestId('compare-canvas')).toHaveCount(0);

  // A labels file (one name per line) renames the classes of the prediction.
  const names = Array.from({ length: 1000 }, (_, i) => `label ${i}`).join('\n');
  await page
    .getByTestId('labels-input')
    .setInputFiles({ name: 'labels.txt', mimeType: 'text/plain', buffer: Buffer.from(names) });
  await expect(page.getByTestId('top-classes').locator('li .class-name')).toHaveText(
    shown.top.map((i) => `label ${i}`),
  );
  view = await waitIdle(page);
});

test('a bad file, a huge image, a broken model and a non-CNN model leave the view usable', async () => {
  const before = pixelDigest(await canvasPixels(page, 'saliency-canvas'));
  const modelName = await page.locator('.model-name').textContent();

  const text = Buffer.from('just text, not pixels');
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: text });
  await expect.poll(() => lastError(page)).toMatch(/notes\.png is not an image/);
  await pasteFile(page, { name: 'pasted.jpg', type: 'image/jpeg', base64: text.toString('base64') });
  await expect.poll(() => lastError(page)).toMatch(/pasted\.jpg is not an image/);

  const huge = await blackPng(10000, 10000);
  await dropFiles(page, [{ name: 'huge.png', type: 'image/png', base64: huge.toString('base64') }]);
  expect(await lastError(page)).toMatch(/10000 x 10000 \(100 megapixels\)/);

  await page
    .getByTestId('model-input')
    .setInputFiles({ name: 'broken.onnx', mimeType: '', buffer: brokenModel() });
  await expect.poll(() => lastError(page)).toMatch(/broken\.onnx could not be loaded/);
  await waitIdle(page);

  await page
    .getByTestId('model-input')
    .setInputFiles({ name: 'dense.onnx', mimeType: '', buffer: denseModel() });
  await expect.poll(() => lastError(page)).toMatch(/dense\.onnx.*(not an image CNN|image classifier|input)/);
  view = await waitIdle(page);

  await expect(page.locator('.model-name')).toHaveText(modelName!);
  expect(pixelDigest(await canvasPixels(page, 'saliency-canvas'))).toBe(before);
  // Still usable: the next layer draws.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowLeft');
  view = await waitForView(page, view.main!.key);
  expect(pixelDigest(await canvasPixels(page, 'saliency-canvas'))).not.toBe(before);
});

test('a model the chain cannot traverse still classifies, with the unsupported nodes named', async () => {
  await page
    .getByTestId('model-input')
    .setInputFiles({ name: 'bilinear.onnx', mimeType: '', buffer: bilinearCnnModel() });
  view = await waitForView(page, view.main!.key);
  await expect(page.locator('.model-name')).toHaveText('bilinear.onnx');
  await expect(page.getByTestId('top-classes').locator('li')).toHaveCount(4);
  await expect(page.getByTestId('coverage')).toHaveAttribute('data-ok', 'false');
  await expect(page.getByTestId('coverage')).toContainText('bilinear');
  await expect(page.locator('.map-message')).toContainText(/cannot traverse/);
});

async function download(p: Page, testId: string): Promise<Buffer> {
  const [file] = await Promise.all([p.waitForEvent('download'), p.getByTestId(testId).click()]);
  const stream = await file.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function readMap(p: Page, layer: string, kind: string) {
  return p.evaluate(([l, k]) => window.__panescope!.readMap(l, k as never), [layer, kind] as const);
}

/** Equal up to float32 rounding (maps come back as float32). */
function expectRelative(actual: number, expected: number) {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(1e-5);
}

function maxAbs(data: number[]): number {
  return data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/**
 * The canvas against the engine's own numbers: at the strongest points and a spread of others, the pixel
 * is the colormap entry of value / scale, with alpha |value| / scale (the overlay fades where the map is 0).
 */
async function checkProbes(p: Page, shown: Snapshot, opts: { exactScale: boolean }) {
  const info = shown.main!.info!;
  const map = await readMap(p, shown.layer!, shown.kind);
  const pixels = await canvasPixels(p, 'saliency-canvas');
  expect([map.width, map.height]).toEqual([pixels.width, pixels.height]);
  expect(map.signed).toBe(info.signed);
  const peak = maxAbs(map.data);
  expect(peak).toBeGreaterThan(0);
  if (opts.exactScale) expectRelative(info.scale, peak);
  else expect(info.scale).toBeGreaterThanOrEqual(peak * (1 - 1e-5));
  const probes = probePoints(map.data, info.scale);
  expect(probes.length).toBeGreaterThanOrEqual(6);
  for (const i of probes)
    expectPixel(pixels, i, applyContrast(map.data[i] / info.scale, shown.gamma), info.signed, info.colormap);
}

/** Copies the link, opens it in a fresh page and compares the two views pixel for pixel. */
async function compareThroughLink(
  browser: import('@playwright/test').Browser,
  backend: Backend,
  note?: RegExp,
) {
  await page.getByTestId('copy-link').click();
  const field = page.getByTestId('share-url');
  await expect(field).toBeVisible();
  if (note) {
    await expect(page.locator('.share-export .hint')).toContainText(note);
    view = await waitForView(page, view.main!.key); // the sender now shows the copy the link carries
  }
  const link = await field.inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  const url = new URL(link);
  const here = await snapshot(page);
  const { page: other, dialogs } = await newAppPage(browser);
  const there = await openApp(other, backend, url.hash);
  expect({ layer: there.layer, kind: there.kind, target: there.target }).toEqual({
    layer: here.layer,
    kind: here.kind,
    target: here.target,
  });
  expect(there.main!.info).toEqual(here.main!.info);
  for (const id of ['input-canvas', 'saliency-canvas']) {
    const a = await canvasPixels(page, id);
    const b = await canvasPixels(other, id);
    expect(pixelDigest(b), id).toBe(pixelDigest(a));
  }
  await expect(other.getByTestId('opacity')).toHaveValue(await page.getByTestId('opacity').inputValue());
  await expect(other.getByTestId('colormap-select')).toHaveValue(
    await page.getByTestId('colormap-select').inputValue(),
  );
  expect(dialogs).toEqual([]);
  await other.context().close();
}
