/**
 * The in-page CPU engine (the app's fallback without WebGPU) in headless Chromium, with the bench page served
 * twice by Vite: plain, and cross-origin isolated with the app's COOP / COEP headers (vite.config.ts), which
 * give the page SharedArrayBuffer and so onnxruntime-web's multi-threaded wasm.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { CHROMIUM_ARGS } from '../../vitest.config';
import type { PageCpuRequest, PageCpuResult, RepeatBudget } from './protocol';

/** The headers vite.config.ts serves the app with (README, "Serving the app"). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const CONFIG = fileURLToPath(new URL('./vite.bench.config.ts', import.meta.url));

export interface PageCpuRow {
  setting: string;
  result: PageCpuResult | { error: string };
}

async function onePage(isolated: boolean, req: PageCpuRequest): Promise<PageCpuResult | { error: string }> {
  const server = await createServer({
    configFile: CONFIG,
    server: { port: isolated ? 5198 : 5197, headers: isolated ? ISOLATION_HEADERS : {} },
  });
  await server.listen();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('the bench server did not report its address');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL('scripts/bench/index.html', base).href);
    await page.waitForFunction(() => 'panescopeBench' in window);
    return await page
      .evaluate((r) => window.panescopeBench.runCpu(r), req)
      .catch((e: Error) => ({ error: [e.message.split('\n')[0], ...errors].join('; ') }));
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function pageCpuRows(
  model: { name: string; url: string },
  input: Float32Array,
  budget: RepeatBudget,
): Promise<PageCpuRow[]> {
  const base = { model: model.name, url: model.url, input: [...input], ...budget };
  const rows: PageCpuRow[] = [];
  for (const [setting, isolated, mode] of [
    ['not isolated (app engine, worker)', false, 'engine'],
    ['cross-origin isolated (app engine, worker)', true, 'engine'],
    ['cross-origin isolated, CpuCompute on the page, wasm threads = cores', true, 'main-thread'],
  ] as const) {
    console.error(`[bench] in-page CPU engine: ${setting} ...`);
    rows.push({ setting, result: await onePage(isolated, { ...base, mode }) });
  }
  return rows;
}
