import { defineConfig } from 'vite';
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

export default defineConfig({
  plugins: [react()],
  // Relative asset paths: the built app also works from a sub-directory.
  base: './',
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  // onnxruntime-web loads its .wasm next to its own module; pre-bundling would move the module away from it.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: ISOLATION_HEADERS },
});
