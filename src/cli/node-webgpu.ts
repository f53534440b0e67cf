/**
 * WebGPU in Node for the CLI: the npm package `webgpu` (Dawn). On a machine without a GPU, Dawn's Vulkan
 * backend runs on SwiftShader, which Debian's chromium package ships; Node has no navigator, so the WebGPU
 * globals (GPUBufferUsage, GPUMapMode, ...) and `navigator.gpu` are installed here for the engine's code,
 * which was written for the browser.
 */
import { existsSync } from 'node:fs';

/** SwiftShader's Vulkan driver from Debian's chromium package (what CI installs). */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let installed: GPU | undefined;

/** Installs the WebGPU globals once and returns Dawn's GPU object. */
export async function installNodeWebGpu(): Promise<GPU> {
  if (installed) return installed;
  // Dawn reads these when it creates its instance, so they must be set before create().
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD))
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  // Without it the Vulkan loader warns about a missing runtime directory on every start.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  installed = gpu;
  return gpu;
}

/** Why Dawn found no adapter, and what to install. */
export function noAdapterMessage(reason: string): string {
  const icd = process.env.VK_ICD_FILENAMES;
  return (
    `--backend webgpu: no WebGPU adapter in Node (${reason}). ` +
    (icd
      ? `Dawn used the Vulkan driver ${icd}; check that it loads (vulkaninfo).`
      : `Without a GPU, install Debian's chromium package (SwiftShader Vulkan at ${SWIFTSHADER_ICD}) ` +
        `or point VK_ICD_FILENAMES at a Vulkan driver.`)
  );
}
