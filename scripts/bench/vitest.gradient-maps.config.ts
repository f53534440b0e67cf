/**
 * `npm run bench:gradient-maps`: scripts/bench/gradient-maps.browser.bench.ts in the browser project's
 * headless Chromium, with a timeout for SwiftShader's slow webgpu gradients.
 */
import { defineConfig } from 'vitest/config';
import { BROWSER_OPTIMIZE_DEPS, HEADLESS_CHROMIUM } from '../../vitest.config';

export default defineConfig({
  optimizeDeps: BROWSER_OPTIMIZE_DEPS,
  test: {
    include: ['scripts/bench/gradient-maps.browser.bench.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    browser: HEADLESS_CHROMIUM,
  },
});
