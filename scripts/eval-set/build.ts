/**
 * Rebuilds data/eval-set/ (the evaluation photos) from Debian packages: each package listed in
 * sources.json is fetched with `apt-get download` and unpacked with `dpkg -x` into a temporary folder; each
 * photo is downscaled (area-weighted, shorter side `shorterSide` px) and written as JPEG, and SOURCES.md
 * records its package, path, author and licence.
 *
 *   apt-get update && npx tsx scripts/eval-set/build.ts [outDir]
 *
 * Needs a Debian machine with apt (as on the project's machines). Output is deterministic for the same
 * package versions; the versions used are written into SOURCES.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { decodeImage } from '../../src/cli/image-io';
import { splitRecord } from '../../src/core/eval/split';
import { preprocess, type PreprocessSpec, type RgbaImage } from '../../src/core/preprocess';

interface Source {
  id: string;
  package: string;
  path: string;
  subject: string;
  author: string;
  licence: string;
}

interface SourceList {
  shorterSide: number;
  jpegQuality: number;
  images: Source[];
}

const here = new URL('.', import.meta.url).pathname;
const outDir = process.argv[2] ?? join(here, '../../data/eval-set');
const list = JSON.parse(readFileSync(join(here, 'sources.json'), 'utf8')) as SourceList;

/** Resample the whole image so that its shorter side is `side` pixels (RGBA out). */
function downscale(img: RgbaImage, side: number): RgbaImage {
  const scale = side / Math.min(img.width, img.height);
  const width = Math.round(img.width * scale);
  const height = Math.round(img.height * scale);
  const spec: PreprocessSpec = {
    width,
    height,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    channelOrder: 'rgb',
    scale: 1,
    channels: 3,
    cropFraction: 1,
  };
  const planes = preprocess(img, spec, { x: 0, y: 0, width: img.width, height: img.height });
  const data = new Uint8Array(width * height * 4);
  const plane = width * height;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++)
      data[4 * i + c] = Math.max(0, Math.min(255, Math.round(planes[c * plane + i])));
    data[4 * i + 3] = 255;
  }
  return { width, height, data };
}

const work = mkdtempSync(join(tmpdir(), 'eval-set-'));
try {
  const packages = [...new Set(list.images.map((s) => s.package))];
  execFileSync('apt-get', ['download', ...packages], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  const versions = new Map<string, string>();
  for (const deb of readdirSync(work).filter((f) => f.endsWith('.deb'))) {
    const [name, version] = deb.split('_');
    versions.set(name, decodeURIComponent(version));
    execFileSync('dpkg', ['-x', deb, join(work, name)], { cwd: work });
  }
  mkdirSync(outDir, { recursive: true });
  const rows: string[] = [];
  let total = 0;
  for (const s of list.images) {
    const file = join(work, s.package, s.path);
    const small = downscale(decodeImage(new Uint8Array(readFileSync(file)), file), list.shorterSide);
    const bytes = jpeg.encode(small, list.jpegQuality).data;
    writeFileSync(join(outDir, `${s.id}.jpg`), bytes);
    total += bytes.length;
    rows.push(
      `| ${s.id}.jpg | ${s.subject} | ${s.author} | ${s.licence} | ${s.package} ${versions.get(s.package)} | /${s.path} |`,
    );
    console.error(`${s.id}.jpg ${small.width}x${small.height} ${(bytes.length / 1024).toFixed(0)} KiB`);
  }
  const md = `# Evaluation set

${list.images.length} natural photos of ImageNet subjects, each a different photograph, taken from Debian packages
and downscaled to a shorter side of ${list.shorterSide} px (JPEG quality ${list.jpegQuality}). Rebuild with
\`apt-get update && npx tsx scripts/eval-set/build.ts\` (the list is scripts/eval-set/sources.json).

Licences: CC0 or public domain, or Creative Commons attribution licences (CC BY, CC BY-SA). The files here are
downscaled copies of the works below; under CC BY-SA they are shared under the same licence as the original.

| file | subject | author | licence | Debian package (version) | path in the package |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  writeFileSync(join(outDir, 'SOURCES.md'), md);
  // The development / test split (issue 10), decided by file name alone: recorded here once for the set.
  const split = splitRecord(list.images.map((s) => `${s.id}.jpg`));
  writeFileSync(join(outDir, 'split.json'), `${JSON.stringify(split, null, 2)}\n`);
  console.error(`${list.images.length} images, ${(total / 1024).toFixed(0)} KiB -> ${outDir}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
