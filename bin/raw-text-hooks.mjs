// Node loader hooks for Vite's `?raw` imports (the engine imports its WGSL shaders that way): a specifier
// ending in `?raw` becomes a module whose default export is the file's text, as Vite makes it.
import { readFile } from 'node:fs/promises';

const RAW = '?raw';

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith(RAW)) return nextLoad(url, context);
  const text = await readFile(new URL(url.slice(0, -RAW.length)), 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}
