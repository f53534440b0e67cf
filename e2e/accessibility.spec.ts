/**
 * Accessibility (issue 13 item 7): axe-core finds no serious or critical violations on the main view with a
 * model and an image loaded, the compare pane and the side panels open, in the dark and the light theme;
 * the drop zone works from the keyboard; with reduced motion, Play shows the final map without animating.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { expect, newAppPage, openApp, snapshot, test, waitForView, waitIdle } from './fixtures';

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser, backend }) => {
  page = (await newAppPage(browser)).page;
  await page.emulateMedia({ reducedMotion: 'reduce', colorScheme: 'dark' });
  await openApp(page, backend);
});

test.afterAll(async () => {
  await page?.context().close();
});

/** axe's serious and critical findings, one line each: rule, impact and the elements it names. */
async function seriousViolations(): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('axe reports no serious violations with the compare pane and the panels open, in both themes', async () => {
  const before = await snapshot(page);
  await page.getByTestId('compare-toggle').check();
  // The compare pane drawn: axe checks what a user sees beside the main view.
  await page.waitForFunction(() => window.__panescope!.snapshot().compare !== null, null, {
    timeout: 240_000,
  });
  expect((await waitIdle(page)).errors).toEqual(before.errors);
  // Every collapsed panel open, so that axe sees its controls.
  const closed = page.locator('details:not([open]) > summary');
  for (let n = await closed.count(); n > 0; n = await closed.count()) await closed.first().click();
  await expect(page.locator('details:not([open])')).toHaveCount(0);
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme', 'dark');
  expect(await seriousViolations()).toEqual([]);
  await page.getByTestId('theme-toggle').click();
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme', 'light');
  expect(await seriousViolations()).toEqual([]);
});

test('the drop zone opens a file picker from the keyboard, and the chosen image is explained', async () => {
  const before = await snapshot(page);
  const target = page.getByTestId('drop-target');
  await target.focus();
  await expect(target).toBeFocused();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
  expect(chooser.isMultiple()).toBe(true);
  await chooser.setFiles({
    name: 'coffee-by-keyboard.png',
    mimeType: 'image/png',
    buffer: readFileSync('public/demo/coffee.png'),
  });
  // A new image (its own id): a new view of it is drawn.
  const after = await waitForView(page, before.main!.key);
  expect(after.image).toBe('user');
  expect(after.errors).toEqual(before.errors);
});

test('with reduced motion, Play shows the final map at once instead of animating', async () => {
  const s = await snapshot(page);
  const first = s.layers[0];
  const last = s.layers[s.layers.length - 1];
  expect(s.layers.length).toBeGreaterThan(2);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('End');
  await page.waitForFunction((l) => window.__panescope!.snapshot().layer === l, last);
  // Every layer the view passes through after Play, sampled each frame.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { layersSeen: string[] }).layersSeen = seen;
    const sample = () => {
      const layer = window.__panescope!.snapshot().layer;
      if (layer && seen.at(-1) !== layer) seen.push(layer);
      requestAnimationFrame(sample);
    };
    sample();
  });
  await page.getByRole('button', { name: /Play/ }).click();
  await page.waitForFunction((l) => window.__panescope!.snapshot().layer === l, first);
  await expect(page.getByRole('button', { name: /Play/ })).toHaveAttribute('aria-pressed', 'false');
  // Straight from the logits to the input: no layer in between was shown.
  const seen = await page.evaluate(() => (window as unknown as { layersSeen: string[] }).layersSeen);
  expect(seen).toEqual([last, first]);
});
