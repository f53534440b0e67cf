/**
 * Shared pieces of the end-to-end tests: the backend option of each project, opening the app and waiting
 * for a view, reading canvas pixels, and dropping files onto the page the way a browser does.
 */
import { test as base, expect, type Browser, type Page } from '@playwright/test';
import type { Backend } from '../src/engine/types';
import type { TestHook } from './support/test-hook';

export type { Backend };

export interface AppTestOptions {
  backend: Backend;
}

export const test = base.extend<object, AppTestOptions>({
  backend: ['webgpu', { option: true, scope: 'worker' }],
});

export { expect };

export type Snapshot = ReturnType<TestHook['snapshot']>;

/** Waits this long for a view: the first one on SwiftShader compiles every shader. */
const VIEW_TIMEOUT_MS = 240_000;

export function appPath(backend: Backend, fragment = ''): string {
  return `./${backend === 'ort' ? '?backend=ort' : ''}${fragment ? `#${fragment.replace(/^#/, '')}` : ''}`;
}

/** A fresh page whose dialogs are recorded (a link must never open one). */
export async function newAppPage(browser: Browser): Promise<{ page: Page; dialogs: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, dialogs };
}

/** Opens the app (optionally at a link fragment) and waits for the first drawn view. */
export async function openApp(page: Page, backend: Backend, fragment = ''): Promise<Snapshot> {
  await page.goto(appPath(backend, fragment));
  const view = await waitForView(page);
  expect(view.backend, 'engine in use').toBe(backend);
  return view;
}

export async function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => window.__panescope!.snapshot());
}

/**
 * Waits until the app is idle with a drawn main view whose key differs from `previousKey` (the view an
 * action started from) and contains every string of `contains` (for actions that take several steps), and
 * returns the app's state.
 */
export async function waitForView(
  page: Page,
  previousKey: string | null = null,
  contains: string[] = [],
): Promise<Snapshot> {
  await page.waitForFunction(
    ([prev, parts]) => {
      const s = window.__panescope?.snapshot();
      return (
        !!s &&
        s.phase === 'ready' &&
        !!s.main &&
        (s.main.info !== null || s.main.message !== null) &&
        s.main.key !== prev &&
        parts.every((p) => s.main!.key.includes(p))
      );
    },
    [previousKey, contains] as const,
    { timeout: VIEW_TIMEOUT_MS, polling: 200 },
  );
  return snapshot(page);
}

/** Waits until nothing is pending (no new view expected). */
export async function waitIdle(page: Page): Promise<Snapshot> {
  await page.waitForFunction(() => window.__panescope?.snapshot().phase === 'ready', null, {
    timeout: VIEW_TIMEOUT_MS,
    polling: 200,
  });
  return snapshot(page);
}

export interface Pixels {
  width: number;
  height: number;
  data: number[];
}

/** A canvas's pixels as a 2-D canvas sees them (works for 2-D and WebGPU canvases alike). */
export async function canvasPixels(page: Page, testId: string): Promise<Pixels> {
  return page.evaluate((id) => {
    const source = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`)!;
    const copy = document.createElement('canvas');
    copy.width = source.width;
    copy.height = source.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(source, 0, 0);
    const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
    return { width: copy.width, height: copy.height, data: Array.from(data) };
  }, testId);
}

export function pixelDigest(p: Pixels): string {
  let h = 2166136261;
  for (const v of p.data) h = Math.imul(h ^ v, 16777619) >>> 0;
  return `${p.width}x${p.height}:${h.toString(16)}`;
}

export interface DropFile {
  name: string;
  type: string;
  /** Bytes as base64, or the app-relative URL to fetch them from inside the page. */
  base64?: string;
  url?: string;
}

/** Dispatches dragenter/dragover/drop with a DataTransfer built in the page, as a real drop does. */
export async function dropFiles(page: Page, files: DropFile[]): Promise<void> {
  await page.evaluate(async (list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = f.url
        ? new Uint8Array(await (await fetch(f.url)).arrayBuffer())
        : Uint8Array.from(atob(f.base64!), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    const zone = document.querySelector('[data-testid="drop-zone"]')!;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, files);
}

/** Dispatches a paste of one file on the page, as pasting from the clipboard does. */
export async function pasteFile(page: Page, file: DropFile): Promise<void> {
  await page.evaluate((f) => {
    const dt = new DataTransfer();
    dt.items.add(
      new File([Uint8Array.from(atob(f.base64!), (c) => c.charCodeAt(0))], f.name, { type: f.type }),
    );
    document.body.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }),
    );
  }, file);
}

/** The message the banner shows last. */
export async function lastError(page: Page): Promise<string> {
  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible();
  return (await banner.locator('li').last().textContent()) ?? '';
}
