import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './vitest.config';
import type { AppTestOptions } from './e2e/fixtures';

// End-to-end tests against the built app (`vite build --mode e2e` + `vite preview --mode e2e`) in Debian's Chromium, whose
// SwiftShader adapter gives real WebGPU without a GPU (../shared/docs/TESTING.md). Two projects run the same
// tests: 'webgpu' on the WebGPU engine, 'ort' with WebGPU turned off (the app's `?backend=ort`: the float32
// chain graph on onnxruntime-web wasm).
// SwiftShader is slow (a SqueezeNet explanation takes seconds, the first one compiles every shader), so the
// tests share one page per file, run one at a time, and wait generously.
const PORT = 4317;

export default defineConfig<AppTestOptions>({
  testDir: 'e2e',
  timeout: 300_000,
  expect: { timeout: 120_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    viewport: { width: 1440, height: 900 },
    browserName: 'chromium',
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
    permissions: ['clipboard-read', 'clipboard-write'],
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'webgpu', use: { backend: 'webgpu' } },
    // The ort engine's project runs the engine-facing walk-through only: links, history, methods and
    // exports are the same UI code over either engine, and each of their specs costs minutes on
    // SwiftShader, so they run once (in the webgpu project) to keep CI well under its time budget.
    { name: 'ort', use: { backend: 'ort' }, testMatch: /visualizer\.spec\.ts/ },
  ],
  webServer: {
    // The e2e build (vite.config.ts): the app plus the read-only test hook the specs read, in dist-e2e/.
    command: `npx vite build --mode e2e && npx vite preview --mode e2e --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'ignore',
  },
});
