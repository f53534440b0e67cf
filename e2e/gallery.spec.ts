/**
 * Models by URL, as the gallery loads them (issue 13 item 4): a local server serves a small fixture CNN in
 * slow chunks and counts requests; the app shows the download's progress, explains the model, keeps it in
 * Cache Storage and, after a reload, loads it again with no request. A 404, a broken file and a model that
 * is no image CNN are each said plainly and the loaded model stays; forgetting the downloads empties the
 * cache, and the model is downloaded again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, lastError, newAppPage, openApp, snapshot, test, waitForView, waitIdle } from './fixtures';
import { brokenModel, denseModel, tinyCnnModel } from './files';

test.describe.configure({ mode: 'serial' });

const model = tinyCnnModel();
/** Paths the server was asked for, in order. */
const requests: string[] = [];
let server: Server;
let base: string;
let page: Page;
/** The fixture's chain layers, as the app lists them once it has loaded the model. */
let tinyLayers: string[];

const CHUNKS = 4;

test.beforeAll(async ({ browser, backend }) => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const cors = { 'access-control-allow-origin': '*' };
    const fixed = new Map([
      ['/broken.onnx', brokenModel()],
      ['/dense.onnx', denseModel()],
    ]).get(req.url ?? '');
    if (fixed) {
      res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream' }).end(fixed);
      return;
    }
    if (req.url !== '/tiny-cnn.onnx' && req.url !== '/tiny-cnn-copy.onnx') {
      res.writeHead(404, cors).end('not here');
      return;
    }
    res.writeHead(200, {
      ...cors,
      'content-type': 'application/octet-stream',
      'content-length': model.length,
    });
    // A few chunks a fifth of a second apart: the page sees the download grow.
    const part = Math.ceil(model.length / CHUNKS);
    let k = 0;
    const send = () => {
      res.write(model.subarray(k * part, (k + 1) * part));
      if (++k < CHUNKS) setTimeout(send, 200);
      else res.end();
    };
    send();
  });
  // Every interface, so that `localhost` reaches it whether Chromium tries ::1 or 127.0.0.1 first. Share
  // links accept http:// for localhost only (link-url.ts), and the address bar carries this model's URL.
  await new Promise<void>((resolve) => server.listen(0, resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  page = (await newAppPage(browser)).page;
  await openApp(page, backend);
});

test.afterAll(async () => {
  await page?.context().close();
  await new Promise((resolve) => server?.close(resolve));
});

async function loadUrl(url: string) {
  await page.getByLabel('Model URL').fill(url);
  await page.getByLabel('Model URL').press('Enter');
}

const modelName = () => page.evaluate(() => window.__panescope!.snapshot().modelName);
const fetchesOf = (path: string) => requests.filter((r) => r === path).length;
/** The Cache Storage entries the app keeps, read in the page. */
const keptUrls = () =>
  page.evaluate(async () => (await (await caches.open('panescope-models-v1')).keys()).map((r) => r.url));

async function openGallery() {
  const gallery = page.getByTestId('model-gallery');
  if (!(await gallery.isVisible())) await page.getByText('Model gallery').click();
  await expect(gallery).toBeVisible();
}

test('the gallery lists the zoo models with their size and preprocessing', async () => {
  await openGallery();
  const items = page.getByTestId('model-gallery').locator('li');
  await expect(items).toHaveCount(7);
  await expect(items.filter({ hasText: 'GoogLeNet' })).toContainText(
    '[0, 255] BGR, mean 103.939/116.779/123.68',
  );
  await expect(page.getByTestId('gallery-load-resnet50')).toHaveText('Load');
  await expect(page.getByTestId('gallery-load-resnet50')).toHaveAttribute(
    'title',
    'Download 97.8 MB and load',
  );
  await expect(items.filter({ hasText: 'ResNet-50' })).toContainText('97.8 MB');
  // Each row's name and button share one line, the name uncut, at the app's usual widths.
  for (const width of [1440, 1100]) {
    await page.setViewportSize({ width, height: 900 });
    const rows = await page.$$eval('.model-gallery li > .row', (els) =>
      els.map((e) => {
        const name = e.querySelector('strong')!;
        const button = e.querySelector('button')!;
        const top = (x: Element) => x.getBoundingClientRect().top;
        return { cut: name.scrollWidth > name.clientWidth, oneLine: Math.abs(top(name) - top(button)) < 12 };
      }),
    );
    expect(rows, `at ${width} px`).toEqual(rows.map(() => ({ cut: false, oneLine: true })));
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(items.filter({ hasText: 'EfficientNet-Lite4' })).toContainText(
    '[0, 255] RGB, mean 127/127/127, std 128/128/128',
  );
  await expect(page.getByTestId('model-cache-count')).toHaveAttribute('data-count', '0');
});

test('downloads a model by URL with a progress bar, explains it and keeps it', async () => {
  // Every value and maximum the bar shows, as the page sees them.
  await page.evaluate(() => {
    const seen: { value: number; max: number }[] = [];
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector<HTMLProgressElement>('[data-testid="download-progress"]');
      if (bar && bar.hasAttribute('value') && seen.at(-1)?.value !== bar.value)
        seen.push({ value: bar.value, max: bar.max });
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  const before = await snapshot(page);
  await loadUrl(`${base}/tiny-cnn.onnx`);
  const view = await waitForView(page, before.main!.key);
  expect(view.modelName).toBe('tiny-cnn.onnx');
  expect(view.layers.length).toBeGreaterThan(1);
  tinyLayers = view.layers;
  expect(view.errors).toEqual(before.errors);
  const seen = await page.evaluate(
    () => (window as unknown as { progressSeen: { value: number; max: number }[] }).progressSeen,
  );
  // The bar grew in steps against the server's Content-Length, up to the whole file.
  expect(seen.length).toBeGreaterThanOrEqual(2);
  expect(seen.every((s) => s.max === model.length)).toBe(true);
  expect(seen.map((s) => s.value)).toEqual([...seen.map((s) => s.value)].sort((a, b) => a - b));
  expect(seen.at(-1)!.value).toBe(model.length);
  await expect(page.getByTestId('download-progress')).toHaveCount(0);
  expect(fetchesOf('/tiny-cnn.onnx')).toBe(1);
  await expect(page.getByTestId('model-cache-count')).toHaveAttribute('data-count', '1');
  expect(await keptUrls()).toEqual([`${base}/tiny-cnn.onnx`]);
});

test('a 404, a broken file and a model that is no image CNN are said plainly; the model stays', async () => {
  await loadUrl(`${base}/missing.onnx`);
  await expect.poll(() => lastError(page)).toMatch(/missing\.onnx could not be fetched \(HTTP 404\)/);
  await waitIdle(page);
  await loadUrl(`${base}/broken.onnx`);
  await expect.poll(() => lastError(page)).toMatch(/The model broken\.onnx could not be loaded/);
  await waitIdle(page);
  await loadUrl(`${base}/dense.onnx`);
  await expect.poll(() => lastError(page)).toMatch(/dense\.onnx is not an image classifier/);
  const s = await waitIdle(page);
  expect(s.modelName).toBe('tiny-cnn.onnx');
  expect(s.phase).toBe('ready');
  // Nothing refused is kept.
  expect(await keptUrls()).toEqual([`${base}/tiny-cnn.onnx`]);
});

test('after a reload, the link in the address bar loads the model from the cache with no request', async () => {
  // The address bar follows the view: it names the model by URL, so the reload asks before loading it.
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain(`model=${base}/tiny-cnn.onnx`);
  await page.reload();
  // Confirmed at once: the default model the page starts with need not be explained first.
  await expect(page.getByTestId('link-confirm-model')).toContainText('localhost');
  await page.getByTestId('link-confirm-load').click();
  await expect.poll(modelName, { timeout: 240_000 }).toBe('tiny-cnn.onnx');
  const view = await waitForView(page);
  expect(view.layers).toEqual(tinyLayers);
  expect(fetchesOf('/tiny-cnn.onnx')).toBe(1);
});

test('forgetting the downloads empties the cache, and the model is downloaded again', async () => {
  // A second address of the same file, kept beside the first.
  const before = await snapshot(page);
  await loadUrl(`${base}/tiny-cnn-copy.onnx`);
  await expect.poll(modelName).toBe('tiny-cnn-copy.onnx');
  await waitForView(page, before.main!.key);
  await openGallery();
  await expect(page.getByTestId('model-cache-count')).toHaveAttribute('data-count', '2');
  await page.getByTestId('evict-models').click();
  await expect(page.getByTestId('model-cache-count')).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('evict-models')).toBeDisabled();
  expect(await keptUrls()).toEqual([]);
  // Back to the first address: nothing kept, so it is fetched (and kept) again.
  await loadUrl(`${base}/tiny-cnn.onnx`);
  await expect.poll(modelName).toBe('tiny-cnn.onnx');
  await waitIdle(page);
  expect(fetchesOf('/tiny-cnn.onnx')).toBe(2);
  await expect(page.getByTestId('model-cache-count')).toHaveAttribute('data-count', '1');
});
