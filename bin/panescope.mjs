#!/usr/bin/env node
// Entry of the `panescope` command: runs the TypeScript CLI through tsx's loader (no build step), plus a
// hook that turns Vite's `?raw` shader imports into strings (the WebGPU backend imports the engine's WGSL).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./raw-text-hooks.mjs', import.meta.url);
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
