/**
 * Light and dark themes (the system's preference, then the toggle) and the figure exports: PNG at 1x and
 * 2x on a white or transparent background, and the SVG figure, opened and checked.
 */
import type { Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { colormapLut } from '../src/core/colormap';
import { expect, newAppPage, openApp, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser, backend }) => {
  page = (await newAppPage(browser)).page;
  await page.emulateMedia({ colorScheme: 'light' });
  await openApp(page, backend);
});

test.afterAll(async () => {
  await page?.context().close();
});

const background = (p: Page) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);

test('follows the light system preference, and the toggle switches and remembers the theme', async () => {
  expect(await background(page)).toBe('rgb(246, 247, 249)');
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme-toggle').click();
  expect(await background(page)).toBe('rgb(14, 17, 22)');
  await page.reload();
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).toBe('rgb(14, 17, 22)');
  await page.getByTestId('theme-toggle').click();
  expect(await background(page)).toBe('rgb(246, 247, 249)');
  await page.waitForFunction(() => window.__panescope?.snapshot().main?.info, null, { timeout: 240_000 });
});

async function download(p: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([p.waitForEvent('download'), p.getByTestId(testId).click()]);
  const chunks: Buffer[] = [];
  for await (const c of await file.createReadStream()) chunks.push(c as Buffer);
  return { name: file.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

test('PNG figures at 1x and 2x on white and transparent backgrounds, with the colour bar', async () => {
  await page.getByTestId('export-background').selectOption('white');
  await page.getByTestId('export-scale').selectOption('1');
  const one = PNG.sync.read((await download(page, 'export-png')).bytes);
  // The 224-pixel input with 16-pixel margins; white outside the picture.
  expect(one.width).toBe(224 + 32);
  expect(Array.from(one.data.subarray(0, 4))).toEqual([255, 255, 255, 255]);
  // The colour bar sits 16 pixels under the picture, full width: its ends are the table's ends.
  const info = (await page.evaluate(() => window.__panescope!.snapshot().main!.info))!;
  const lut = colormapLut(info.colormap);
  const barRow = 16 + 224 + 16 + 7;
  const px = (img: PNG, x: number, y: number) =>
    Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 3));
  expect(px(one, 16, barRow)).toEqual(Array.from(lut.subarray(0, 3)));
  expect(px(one, 16 + 223, barRow)).toEqual(Array.from(lut.subarray(4 * 255, 4 * 255 + 3)));
  // Caption text is drawn in dark ink somewhere below the bar.
  let ink = 0;
  for (let y = barRow + 10; y < one.height; y++)
    for (let x = 0; x < one.width; x++) if (px(one, x, y).every((v) => v < 100)) ink++;
  expect(ink).toBeGreaterThan(50);

  await page.getByTestId('export-scale').selectOption('2');
  const two = PNG.sync.read((await download(page, 'export-png')).bytes);
  expect([two.width, two.height]).toEqual([2 * one.width, 2 * one.height]);
  // The 1x picture at twice the size (nearest-neighbour; blending may round one level apart).
  for (const [x, y] of [
    [40, 40],
    [128, 100],
    [200, 230],
  ]) {
    const [a, b] = [px(two, 2 * x + 1, 2 * y + 1), px(one, x, y)];
    for (let c = 0; c < 3; c++) expect(Math.abs(a[c] - b[c]), `(${x}, ${y})`).toBeLessThanOrEqual(2);
  }

  await page.getByTestId('export-background').selectOption('transparent');
  const clear = PNG.sync.read((await download(page, 'export-png')).bytes);
  expect(clear.data[3]).toBe(0);
  expect(clear.data[4 * (40 * clear.width + 40) + 3]).toBe(255);
});

test('the SVG figure embeds the picture and the map, a 256-stop colour bar and the caption', async () => {
  await page.getByTestId('export-background').selectOption('white');
  await page.getByTestId('export-scale').selectOption('1');
  const { name, bytes } = await download(page, 'export-svg');
  expect(name).toMatch(/\.svg$/);
  const svg = bytes.toString('utf8');
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="256" height="\d+"/);
  const images = [...svg.matchAll(/<image id="(\w+)"[^>]*href="data:image\/png;base64,([^"]+)"/g)];
  expect(images.map((m) => m[1])).toEqual(['picture', 'map']);
  for (const [, , data] of images) {
    const png = PNG.sync.read(Buffer.from(data, 'base64'));
    expect([png.width, png.height]).toEqual([224, 224]);
  }
  const info = (await page.evaluate(() => window.__panescope!.snapshot().main!.info))!;
  const lut = colormapLut(info.colormap);
  const stops = [...svg.matchAll(/<stop offset="[\d.]+" stop-color="#([0-9a-f]{6})"\/>/g)].map((m) => m[1]);
  expect(stops).toHaveLength(256);
  const hex = (i: number) => [0, 1, 2].map((c) => lut[4 * i + c].toString(16).padStart(2, '0')).join('');
  expect([stops[0], stops[128], stops[255]]).toEqual([hex(0), hex(128), hex(255)]);
  expect(svg).toContain('fill="url(#colour-bar)"');
  expect(svg).toMatch(/<text[^>]*>SqueezeNet[^<]*class \d+ &#34;/);
  // The page opens it: an <img> decodes the SVG at its size.
  const size = await page.evaluate(async (text) => {
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  }, svg);
  expect(size[0]).toBe(256);
});
