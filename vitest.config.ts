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
        // Pre-bundled up front: discovering them mid-run makes Vite reload the page and fail the test.
        optimizeDeps: { include: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnx-proto'] },
        test: {
          name: 'browser',
          include: ['src/**/*.browser.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
