/**
 * `npm run bench:gradient-maps`: scripts/bench/gradient-maps.browser.bench.ts in the browser project's
 * headless Chromium, with a timeout for SwiftShader's slow webgpu gradients.
 */
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS } from '../../vitest.config';

export default defineConfig({
  optimizeDeps: { include: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnx-proto'] },
  test: {
    include: ['scripts/bench/gradient-maps.browser.bench.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
