/**
 * Where `panescope explain` writes, checked before the work and written atomically: `--out` is validated
 * before the model runs (an existing file, a place that cannot be written), the files go to a temporary folder
 * beside `--out` and are renamed into place at the end, so a run that fails leaves nothing half-written, and
 * a rerun over an earlier run's folder says which of its files it replaces.
 */
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  readdirSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { quoted } from '../core/text';

/** What a run writes at the top of `--out` (layers/ is replaced whole: stale layer maps would mislead). */
const OUTPUT_ENTRIES = [
  'saliency.npy',
  'pixel.npy',
  'positive.npy',
  'negative.npy',
  'overlay.png',
  'layers',
  'summary.json',
];

function exists(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Checks `out` before any work: it is a folder or does not exist yet, and its nearest existing ancestor can
 * be written. Returns the entries of an earlier run that the new one will replace.
 */
export function checkOutDir(out: string): string[] {
  const target = resolve(out);
  const stats = exists(target);
  if (stats && !stats.isDirectory()) throw new Error(`--out ${quoted(out)} exists and is not a folder`);
  let place = stats ? target : dirname(target);
  while (!exists(place)) place = dirname(place);
  if (!exists(place)!.isDirectory())
    throw new Error(`--out ${quoted(out)}: ${quoted(place)} is not a folder`);
  try {
    accessSync(stats ? target : place, constants.W_OK | constants.X_OK);
  } catch {
    throw new Error(`--out ${quoted(out)}: ${quoted(stats ? target : place)} cannot be written`);
  }
  if (!stats) return [];
  const present = new Set(readdirSync(target));
  return OUTPUT_ENTRIES.filter((e) => present.has(e)).map((e) => (e === 'layers' ? 'layers/' : e));
}

/** Files staged in a temporary folder beside `out`, renamed into `out` by commit(), removed by abort(). */
export class StagedOutput {
  private readonly target: string;
  private readonly staging: string;
  /** The first folder this run created on the way to `out`'s parent (removed on abort), if any. */
  private readonly createdParent: string | undefined;

  constructor(out: string) {
    this.target = resolve(out);
    const parent = dirname(this.target);
    try {
      this.createdParent = mkdirSync(parent, { recursive: true });
      this.staging = mkdtempSync(join(parent, `.${basename(this.target)}.panescope-`));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new Error(`--out ${quoted(out)}: cannot create a folder in ${quoted(parent)} (${code})`);
    }
  }

  write(relative: string, bytes: Uint8Array | string): void {
    const path = join(this.staging, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }

  /** Moves the staged files into place: the whole folder when `out` is new, else entry by entry. */
  commit(): void {
    if (!exists(this.target)) {
      renameSync(this.staging, this.target);
      return;
    }
    // The earlier run's outputs go first, also those this run does not write (a layers/ folder from a run
    // with --layers would otherwise sit beside maps it does not belong to). Other files stay.
    for (const entry of OUTPUT_ENTRIES) rmSync(join(this.target, entry), { recursive: true, force: true });
    for (const entry of readdirSync(this.staging)) {
      // Also a name the list above does not know: whatever this run writes replaces what was there.
      rmSync(join(this.target, entry), { recursive: true, force: true });
      renameSync(join(this.staging, entry), join(this.target, entry));
    }
    rmSync(this.staging, { recursive: true, force: true });
  }

  abort(): void {
    rmSync(this.staging, { recursive: true, force: true });
    if (this.createdParent) rmSync(this.createdParent, { recursive: true, force: true });
  }
}
