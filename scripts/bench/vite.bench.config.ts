/**
 * Vite dev server for the bench page (scripts/bench/index.html), separate from the app's vite.config.ts:
 * the project root is served as is (src/, public/models/), plus the architecture replicas of
 * scripts/fixtures/build-replicas.ts under /replicas/.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { REPLICA_URL } from './protocol.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPLICA_DIR = join(ROOT, '.cache/replicas');

/** Streams .cache/replicas/<name>.onnx (hundreds of MB: not through Vite's transform pipeline). */
function serveReplicas(): Plugin {
  return {
    name: 'panescope-bench-replicas',
    configureServer(server) {
      server.middlewares.use(REPLICA_URL, (req, res, next) => {
        const file = join(REPLICA_DIR, basename(decodeURIComponent((req.url ?? '').split('?')[0])));
        if (!file.endsWith('.onnx') || !existsSync(file)) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', statSync(file).size);
        createReadStream(file).pipe(res);
      });
    },
  };
}

export default defineConfig({
  root: ROOT,
  publicDir: 'public',
  plugins: [serveReplicas()],
  // As in the app: onnxruntime-web loads its .wasm next to its own module, which pre-bundling would move.
  // onnx-proto is CommonJS and must be pre-bundled; listed so that Vite does not discover it mid-run.
  optimizeDeps: {
    entries: ['scripts/bench/index.html'],
    exclude: ['onnxruntime-web'],
    include: ['onnx-proto'],
  },
  // No hot reload: an edit to a source file must not reload the page in the middle of a measurement.
  server: { host: '127.0.0.1', port: 5199, hmr: false },
  logLevel: 'warn',
});
