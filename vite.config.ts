import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app is static: `vite build` writes dist/, `vite preview` serves it. public/ (demo images, the default
// model placed by scripts/setup-model.mjs) is copied as is. Shaders are imported with `?raw`, which Vite
// handles without configuration.
export default defineConfig({
  plugins: [react()],
  // Relative asset paths: the built app also works from a sub-directory.
  base: './',
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  // onnxruntime-web loads its .wasm next to its own module; pre-bundling would move the module away from it.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
