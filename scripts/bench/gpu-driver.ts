/**
 * Drives the bench page: a Vite dev server (vite.bench.config.ts) and Debian's Chromium through Playwright,
 * one fresh browser per model and adapter, so that a model that runs out of time or memory takes nothing
 * else down with it.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { CHROMIUM_ARGS } from '../../vitest.config';
import type { FeatureLevel, GpuBenchRequest, GpuBenchResult } from './protocol';

export interface AdapterChoice {
  name: string;
  featureLevel: FeatureLevel;
  args: string[];
}

/** The two WebGPU adapters headless Chromium offers without a GPU (../shared/docs/TESTING.md). */
export const ADAPTERS: AdapterChoice[] = [
  { name: 'SwiftShader', featureLevel: 'core', args: CHROMIUM_ARGS },
  {
    name: 'compatibility (OpenGL ES via ANGLE on lavapipe)',
    featureLevel: 'compatibility',
    args: [...CHROMIUM_ARGS, '--use-webgpu-adapter=opengles', '--use-angle=vulkan'],
  },
];

const CONFIG = fileURLToPath(new URL('./vite.bench.config.ts', import.meta.url));

export class GpuDriver {
  private constructor(
    private readonly server: ViteDevServer,
    private readonly pageUrl: string,
  ) {}

  static async start(): Promise<GpuDriver> {
    const server = await createServer({ configFile: CONFIG });
    await server.listen();
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('the bench server did not report its address');
    return new GpuDriver(server, new URL('scripts/bench/index.html', base).href);
  }

  /** One model on one adapter; an error (or running past `timeoutMs`) comes back as a message. */
  async run(
    adapter: AdapterChoice,
    req: GpuBenchRequest,
    timeoutMs: number,
  ): Promise<GpuBenchResult | { error: string }> {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: adapter.args });
    let timer: NodeJS.Timeout | undefined;
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(this.pageUrl);
      await page.waitForFunction(() => 'panescopeBench' in window);
      const timeout = new Promise<{ error: string }>((resolve) => {
        timer = setTimeout(
          () => resolve({ error: `did not finish in ${(timeoutMs / 60_000).toFixed(0)} min` }),
          timeoutMs,
        );
      });
      const result = page
        .evaluate((r) => window.panescopeBench.run(r), req)
        .catch((e: Error) => ({ error: [e.message.split('\n')[0], ...errors].join('; ') }));
      return await Promise.race([result, timeout]);
    } finally {
      clearTimeout(timer);
      await browser.close();
    }
  }

  async stop(): Promise<void> {
    await this.server.close();
  }
}
