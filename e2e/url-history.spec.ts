/**
 * The address bar follows the view (issue 13): every change rewrites the entry, a new image makes a new
 * one, and Back and Forward walk through three images, each time showing the view that was left there,
 * pixel for pixel.
 */
import type { Page } from '@playwright/test';
import {
  canvasPixels,
  expect,
  newAppPage,
  openApp,
  pixelDigest,
  test,
  waitForView,
  type Snapshot,
} from './fixtures';

test.describe.configure({ mode: 'serial' });

let page: Page;

test.afterAll(async () => {
  await page?.context().close();
});

const fragmentOf = (page: Page) => new URLSearchParams(new URL(page.url()).hash.slice(1));

/** What a history entry must bring back: the image, the view settings and the pixels. */
interface Visit {
  image: string;
  kind: string;
  gamma: number;
  digest: string;
}

async function visitOf(page: Page, view: Snapshot): Promise<Visit> {
  return {
    image: view.image!,
    kind: view.kind,
    gamma: view.gamma,
    digest: pixelDigest(await canvasPixels(page, 'saliency-canvas')),
  };
}

/** Waits until the address bar names this image and view (the rewrite is debounced). */
async function expectAddress(page: Page, visit: Omit<Visit, 'digest'>) {
  await expect
    .poll(() => {
      const p = fragmentOf(page);
      return { image: p.get('img'), kind: p.get('view'), gamma: Number(p.get('gamma')) };
    })
    .toEqual({ image: visit.image, kind: visit.kind, gamma: visit.gamma });
}

test('Back and Forward walk across three images, each showing the view left there', async ({
  browser,
  backend,
}) => {
  test.setTimeout(600_000);
  page = (await newAppPage(browser)).page;
  let view = await openApp(page, backend);
  const startLength = await page.evaluate(() => history.length);
  const visits: Visit[] = [await visitOf(page, view)];
  expect(visits[0].image).toBe('demo:chelsea');
  await expectAddress(page, visits[0]);

  // Second image, with the negative chain and linear contrast: changes of the view rewrite its entry.
  await page.locator('[data-demo="coffee"]').click();
  view = await waitForView(page, view.main!.key);
  await page.getByTestId('chain-negative').click();
  view = await waitForView(page, view.main!.key);
  await page.getByTestId('contrast-select').selectOption('1');
  view = await waitForView(page, view.main!.key);
  visits.push(await visitOf(page, view));
  expect(visits[1]).toMatchObject({ image: 'demo:coffee', kind: 'negative', gamma: 1 });
  await expectAddress(page, visits[1]);

  // Third image: the view settings stay as they were.
  await page.locator('[data-demo="rocket"]').click();
  view = await waitForView(page, view.main!.key);
  visits.push(await visitOf(page, view));
  expect(visits[2]).toMatchObject({ image: 'demo:rocket', kind: 'negative', gamma: 1 });
  await expectAddress(page, visits[2]);
  // One entry per image, however many settings changed.
  expect(await page.evaluate(() => history.length)).toBe(startLength + 2);

  for (const [move, index] of [
    ['back', 1],
    ['back', 0],
    ['forward', 1],
    ['forward', 2],
  ] as const) {
    if (move === 'back') await page.goBack();
    else await page.goForward();
    view = await waitForView(page, view.main!.key);
    const visit = await visitOf(page, view);
    expect(visit, `${move} to ${visits[index].image}`).toEqual(visits[index]);
    await expectAddress(page, visits[index]);
    expect(view.errors).toEqual([]);
  }
  // Walking rewrote nothing and added nothing.
  expect(await page.evaluate(() => history.length)).toBe(startLength + 2);
});
