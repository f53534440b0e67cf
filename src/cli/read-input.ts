/**
 * Bounded reads of the CLI's input files: only regular files are opened (a FIFO, /dev/zero or /dev/urandom
 * would hang or fill the memory), and a file larger than its cap is refused from its size, before any byte
 * is read. `--max-file-mb` raises the caps.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { quoted } from '../core/text';

export type InputKind = 'model' | 'image' | 'labels';

/** Default caps in MiB: VGG16 is 528 MB; an image or a float64 .npy input is far below 256 MB. */
const DEFAULT_CAPS_MB: Readonly<Record<InputKind, number>> = { model: 1024, image: 256, labels: 16 };
/** Node reads at most 2 GiB into one buffer. */
export const MAX_CAP_MB = 2047;

const MIB = 1024 * 1024;

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The bytes of the regular file at `path`, at most `capMb` MiB. Throws one line naming the file and the
 * reason (missing, a FIFO or device, too large).
 */
export function readInputFile(path: string, what: InputKind, capMb = DEFAULT_CAPS_MB[what]): Uint8Array {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new Error(
      `cannot read ${what} ${quoted(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile())
      throw new Error(`cannot read ${what} ${quoted(path)}: it is ${kindOf(stats)}, not a file`);
    if (stats.size > capMb * MIB) {
      throw new Error(
        `${what} ${quoted(path)} is ${(stats.size / MIB).toFixed(0)} MB; ${what} files up to ${capMb} MB are ` +
          'read (raise the cap with --max-file-mb)',
      );
    }
    const bytes = new Uint8Array(stats.size);
    let done = 0;
    // A file that shrinks while being read ends early; one that grows is read only up to its size at open.
    while (done < bytes.length) {
      const n = readSync(fd, bytes, done, bytes.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return done === bytes.length ? bytes : bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}
