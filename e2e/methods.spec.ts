/**
 * Every method's map in the app: baselines in the compare pane beside PANE, and the all-methods grid, each
 * checked against the engine's numbers (the float64 baselines in Node, the engine's own PANE map) at probe
 * points of the canvas.
 */
import type { Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { applyContrast } from '../src/core/colormap';
import { percentile } from '../src/core/pane/maps';
import type { MethodId } from '../src/core/baselines/methods';
import type { DisplayMethod } from '../src/state/methods';
import { baselineMaps } from './baseline-maps';
import {
  canvasPixels,
  expect,
  newAppPage,
  openApp,
  pixelDigest,
  snapshot,
  test,
  type Snapshot,
} from './fixtures';
import { expectPixel, probePoints } from './probes';

test.describe.configure({ mode: 'serial' });

let page: Page;
let view: Snapshot;
let expected: Map<MethodId, Float64Array>;

test.beforeAll(async ({ browser, backend }) => {
  page = (await newAppPage(browser)).page;
  view = await openApp(page, backend);
  expected = await baselineMaps(['gradcam', 'gradient_x_input', 'lrp_epsilon'], view.target!);
});

test.afterAll(async () => {
  await page?.context().close();
});

test('Grad-CAM and gradient x input in the compare pane beside PANE, at the engine numbers', async () => {
  const main = pixelDigest(await canvasPixels(page, 'saliency-canvas'));
  await page.getByTestId('compare-toggle').check();
  for (const method of ['gradcam', 'gradient_x_input'] as const) {
    await page.getByTestId('compare-method').selectOption(method);
    await page.waitForFunction(
      (m) => {
        const v = window.__panescope?.snapshot().methodViews.compare;
        return v?.method === m && v.status === 'ready';
      },
      method,
      { timeout: 240_000, polling: 200 },
    );
    const shown = await snapshot(page);
    const info = shown.methodViews.compare!.info!;
    expect(info.signed).toBe(method === 'gradient_x_input');
    await expect(page.locator('[data-slot="compare"] figcaption')).toContainText(
      method === 'gradcam' ? 'Grad-CAM' : 'Gradient × input',
    );
    // The caption names the backend that computed the map: the worker on a software adapter (SwiftShader,
    // where onnxruntime's webgpu gradient is far slower than wasm) or without WebGPU, else WebGPU.
    const onGpu = await usesGpuGradients(page, shown.backend);
    expect(shown.methodViews.compare!.source?.backend).toBe(onGpu ? 'webgpu' : 'worker');
    await expect(page.getByTestId('compare-method-backend')).toHaveText(onGpu ? 'WebGPU' : 'worker');
    await checkMethod(page, method, 'compare-method-canvas', info, expected.get(method)!);
    // The main pane keeps PANE's view and its pixels.
    expect(shown.main!.key).toBe(view.main!.key);
    expect(pixelDigest(await canvasPixels(page, 'saliency-canvas'))).toBe(main);
  }
  await page.getByTestId('compare-toggle').uncheck();
});

test('the all-methods grid shows every map, each at the engine numbers, and exports one figure', async () => {
  test.setTimeout(600_000);
  await page.getByTestId('methods-details').locator('summary').click();
  await expect(page.getByTestId('method-grid-progress')).toHaveAttribute('data-done', '10', {
    timeout: 540_000,
  });
  const gamma = (await snapshot(page)).gamma;
  const scaleOf = async (m: string) =>
    Number(await page.getByTestId(`grid-scale-${m}`).getAttribute('data-scale'));
  // PANE's cell is the engine's final map (the view's construction at the input layer).
  const pane = await page.evaluate((l) => window.__panescope!.readMap(l, 'net'), view.layers[0]);
  const paneScale = await scaleOf('pane');
  expect(
    Math.abs(paneScale - percentile(Float64Array.from(pane.data, Math.abs), 99.5)) / paneScale,
  ).toBeLessThan(1e-6);
  const pixels = await canvasPixels(page, 'grid-canvas-pane');
  for (const i of probePoints(pane.data, paneScale))
    expectPixel(
      pixels,
      i,
      applyContrast(pane.data[i] / paneScale, gamma),
      pane.signed,
      pane.signed ? 'diverging' : 'sequential',
    );
  for (const method of ['gradcam', 'gradient_x_input', 'lrp_epsilon'] as const) {
    const scale = await scaleOf(method);
    const signed = method !== 'gradcam';
    const info = { scale, signed, colormap: signed ? ('diverging' as const) : ('sequential' as const) };
    await checkMethod(page, method, `grid-canvas-${method}`, info, expected.get(method)!);
  }
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-grid').click()]);
  expect(file.suggestedFilename()).toMatch(/all-methods\.png$/);
  const chunks: Buffer[] = [];
  for await (const c of await file.createReadStream()) chunks.push(c as Buffer);
  const png = PNG.sync.read(Buffer.concat(chunks));
  // Five tiles of 224 pixels and 12-pixel gaps to a row, two rows; a white background.
  expect(png.width).toBe(12 + 5 * (224 + 12));
  expect(png.height).toBeGreaterThan(2 * 224);
  expect(Array.from(png.data.subarray(0, 4))).toEqual([255, 255, 255, 255]);
});

/** Whether the app computes the gradient maps on WebGPU here (state/map-placement.ts, 'auto'). */
async function usesGpuGradients(p: Page, backend: string | null): Promise<boolean> {
  if (backend !== 'webgpu') return false;
  const software = await p.evaluate(async () => {
    const adapter = await navigator.gpu.requestAdapter();
    return (adapter?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined)
      ?.isFallbackAdapter;
  });
  return software !== true;
}

/**
 * The page's map of `method` equals the float64 one within float32 gradient rounding, its scale is the
 * 99.5th percentile of |map|, and the canvas has the colour of map / scale at the probe points.
 */
async function checkMethod(
  p: Page,
  method: DisplayMethod,
  canvas: string,
  info: { scale: number; signed: boolean; colormap: 'diverging' | 'sequential' | 'gray' },
  want: Float64Array,
) {
  const map = await p.evaluate((m) => window.__panescope!.methodMap(m), method);
  expect([map.width, map.height]).toEqual([224, 224]);
  expect(map.signed).toBe(info.signed);
  const peak = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expect(peak).toBeGreaterThan(0);
  const err = map.data.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
  expect(err / peak, `${method} against the float64 engine`).toBeLessThan(1e-4);
  const scale = percentile(Float64Array.from(map.data, Math.abs), 99.5);
  expect(Math.abs(info.scale - scale) / scale).toBeLessThan(1e-6);
  const gamma = (await snapshot(p)).gamma;
  const pixels = await canvasPixels(p, canvas);
  const probes = probePoints(map.data, info.scale);
  expect(probes.length).toBeGreaterThanOrEqual(6);
  for (const i of probes)
    expectPixel(pixels, i, applyContrast(map.data[i] / info.scale, gamma), info.signed, info.colormap);
}
