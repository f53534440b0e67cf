import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The app is static: `vite build` writes dist/, `vite preview` serves it. public/ (demo images, the default
// model placed by scripts/setup-model.mjs) is copied as is. Shaders are imported with `?raw`, which Vite
// handles without configuration.
// Cross-origin isolation (COOP + COEP): SharedArrayBuffer becomes available, so onnxruntime-web's wasm runs
// multi-threaded in the page (the CPU fallback and the Evaluate worker). Static hosts need the same two
// headers: public/_headers sets them on Netlify / Cloudflare Pages style hosts (README, "Serving the app").
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The end-to-end tests (playwright.config.ts) run a build of their own, `vite build --mode e2e`, into
// dist-e2e/: index.html's entry is swapped for e2e/support/main.ts, which mounts the app as src/main.tsx does
// and adds the read-only test hook (window.__panescope). Any other mode builds the app alone into dist/, so
// what is deployed carries no test hook. The mode changes nothing else: both builds are production builds.
export const E2E_MODE = 'e2e';
export const APP_ENTRY = '/src/main.tsx';
export const E2E_ENTRY = '/e2e/support/main.ts';
export const E2E_OUT_DIR = 'dist-e2e';

/** index.html with its entry script `from` replaced by `to`; throws if the page has no such script. */
export function swapEntry(html: string, from: string, to: string): string {
  const tag = `<script type="module" src="${from}"></script>`;
  if (html.split(tag).length !== 2) throw new Error(`index.html has no single entry script ${from}`);
  return html.replace(tag, `<script type="module" src="${to}"></script>`);
}

function e2eEntry(): Plugin {
  return {
    name: 'panescope-e2e-entry',
    // 'pre': before Vite resolves the page's scripts, so the e2e entry is the one bundled (or served).
    transformIndexHtml: { order: 'pre', handler: (html) => swapEntry(html, APP_ENTRY, E2E_ENTRY) },
  };
}

export default defineConfig(({ mode }) => ({
  plugins: mode === E2E_MODE ? [react(), e2eEntry()] : [react()],
  // Relative asset paths: the built app also works from a sub-directory.
  base: './',
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    outDir: mode === E2E_MODE ? E2E_OUT_DIR : 'dist',
  },
  // onnxruntime-web loads its .wasm next to its own module; pre-bundling would move the module away from it.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: ISOLATION_HEADERS },
}));
