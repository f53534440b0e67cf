/**
 * The test hook (window.__panescope) reaches the e2e build only: src/ neither defines nor imports it, the
 * app's build keeps index.html's own entry and writes dist/, and only the e2e mode swaps in
 * e2e/support/main.ts and writes elsewhere. Checked on the sources and the Vite config, without a build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ConfigEnv, Plugin, PluginOption, UserConfig } from 'vite';
import { describe, expect, it } from 'vitest';
import viteConfig, { APP_ENTRY, E2E_ENTRY, E2E_MODE, E2E_OUT_DIR, swapEntry } from '../vite.config';
import { ROOT } from './paths';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

function configFor(mode: string): UserConfig {
  const env: ConfigEnv = { command: 'build', mode, isSsrBuild: false, isPreview: false };
  return (viteConfig as (env: ConfigEnv) => UserConfig)(env);
}

function plugins(config: UserConfig): Plugin[] {
  const flat = (config.plugins ?? []).flat(Infinity as 1) as PluginOption[];
  return flat.filter((p): p is Plugin => !!p && typeof p === 'object' && 'name' in p);
}

const pluginNames = (config: UserConfig) => plugins(config).map((p) => p.name);

/** What the e2e mode's plugin makes of the page, through its transformIndexHtml hook. */
function transformedPage(config: UserConfig, html: string): string {
  const plugin = plugins(config).find((p) => p.name === 'panescope-e2e-entry')!;
  const hook = plugin.transformIndexHtml as { handler: (html: string) => string };
  return hook.handler(html);
}

const INDEX_HTML = readFileSync(join(ROOT, 'index.html'), 'utf8');

describe('the test hook stays out of src/ and the app build', () => {
  it('no source file under src/ (tests aside) names the hook or imports from e2e/ or tests/', () => {
    const offenders = sourceFiles(join(ROOT, 'src'))
      .filter((f) => !/\.test\.tsx?$/.test(f))
      .filter((f) => {
        const text = readFileSync(f, 'utf8');
        return (
          text.includes('__panescope') ||
          text.includes('installTestHook') ||
          /from '(\.\.\/)+(e2e|tests)\//.test(text)
        );
      })
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it("the app's build keeps index.html's entry and writes dist/", () => {
    expect(INDEX_HTML).toContain(`<script type="module" src="${APP_ENTRY}"></script>`);
    for (const mode of ['production', 'development']) {
      const config = configFor(mode);
      expect(config.build?.outDir).toBe('dist');
      expect(pluginNames(config)).not.toContain('panescope-e2e-entry');
    }
  });

  it('the e2e mode swaps in the hook-installing entry and writes its own folder', () => {
    const config = configFor(E2E_MODE);
    expect(config.build?.outDir).toBe(E2E_OUT_DIR);
    expect(E2E_OUT_DIR).not.toBe('dist');
    const page = transformedPage(config, INDEX_HTML);
    expect(page).toContain(`<script type="module" src="${E2E_ENTRY}"></script>`);
    expect(page).not.toContain(APP_ENTRY);
    expect(existsSync(join(ROOT, E2E_ENTRY))).toBe(true);
    expect(readFileSync(join(ROOT, E2E_ENTRY), 'utf8')).toContain('installTestHook');
  });

  it('swapping refuses a page without that entry rather than building the app without the hook', () => {
    expect(() => swapEntry('<body></body>', APP_ENTRY, E2E_ENTRY)).toThrow(/no single entry script/);
  });
});
