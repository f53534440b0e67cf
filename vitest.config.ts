import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

// Two projects: `unit` runs in Node (core math, ONNX, CLI), `browser` runs in real headless Chromium
// with WebGPU on SwiftShader (see ../shared/docs/TESTING.md). A missing adapter fails the browser tests.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

/** Headless Debian Chromium with WebGPU, for the browser project and the browser benches. */
export const HEADLESS_CHROMIUM = {
  enabled: true,
  headless: true,
  provider: playwright({ launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS } }),
  instances: [{ browser: 'chromium' as const }],
};

/** Pre-bundled up front: discovering them mid-run makes Vite reload the page and fail the test. */
export const BROWSER_OPTIMIZE_DEPS = { include: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnx-proto'] };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['src/**/*.browser.test.ts', 'node_modules/**'],
          // Places the default model and the torchvision exports, so the tests that read them run (or fail
          // saying why) whether or not `npm test` ran first.
          globalSetup: ['tests/global-setup.ts'],
          testTimeout: 60_000,
        },
      },
      {
        optimizeDeps: BROWSER_OPTIMIZE_DEPS,
        test: {
          name: 'browser',
          include: ['src/**/*.browser.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          testTimeout: 120_000,
          browser: HEADLESS_CHROMIUM,
        },
      },
    ],
  },
});
