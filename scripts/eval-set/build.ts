/**
 * Rebuilds data/eval-set/ (the evaluation photos) from Debian packages: each package listed in
 * sources.json is fetched with `apt-get download` and unpacked with `dpkg -x` into a temporary folder; each
 * photo is downscaled (area-weighted, shorter side `shorterSide` px) and written as JPEG, SOURCES.md
 * records its package, path, ImageNet class, author and licence, and split.json the development / test
 * split (src/core/eval/split.ts). Photos that a package ships inside a Qt resource file (`resource`: the
 * path inside the .rcc, as gcompris-qt-data does) are read out of it (qt-resource.ts); WebP photos are
 * decoded with Debian's dwebp.
 *
 *   apt-get update && apt-get install webp && npx tsx scripts/eval-set/build.ts [outDir]
 *
 * Packages it downloads (listed per photo in sources.json): python3-skimage, python-matplotlib-data,
 * python3-sklearn, palapeli-data, lomiri-wallpapers-16.04, lomiri-wallpapers-20.04, gcompris-qt-data.
 * Needs a Debian machine with apt (as on the project's machines). Output is deterministic for the same
 * package versions; the versions used are written into SOURCES.md. `class` in sources.json is the photo's
 * ImageNet class index, checked with scripts/eval-set/check-classes.ts (in SqueezeNet's top 5).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { decodeImage } from '../../src/cli/image-io';
import { splitRecord } from '../../src/core/eval/split';
import { IMAGENET_CLASSES, shortLabel } from '../../src/core/labels';
import { preprocess, type PreprocessSpec, type RgbaImage } from '../../src/core/preprocess';
import { readQtResource } from './qt-resource';

interface Source {
  id: string;
  package: string;
  /** The file in the package (a Qt resource file when `resource` is given). */
  path: string;
  /** The photo's path inside the Qt resource file `path`. */
  resource?: string;
  subject: string;
  /** ImageNet-1k class index of the subject. */
  class: number;
  author: string;
  licence: string;
  /** Where the original photo was published. */
  source?: string;
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

/** The photo's bytes and a file name with its real extension (decoding goes by the extension). */
function readPhoto(s: Source, work: string, resources: Map<string, Map<string, Uint8Array>>): RgbaImage {
  const file = join(work, s.package, s.path);
  let bytes: Uint8Array = new Uint8Array(readFileSync(file));
  let name = file;
  if (s.resource !== undefined) {
    if (!resources.has(file)) resources.set(file, readQtResource(bytes));
    const inside = resources.get(file)!.get(s.resource);
    if (!inside) throw new Error(`${s.id}: ${s.resource} is not in ${s.path}`);
    bytes = inside;
    name = s.resource;
  }
  if (extname(name).toLowerCase() === '.webp') {
    const webp = join(work, `${s.id}.webp`);
    writeFileSync(webp, bytes);
    execFileSync('dwebp', ['-quiet', webp, '-o', `${webp}.png`]);
    return decodeImage(new Uint8Array(readFileSync(`${webp}.png`)), `${webp}.png`);
  }
  return decodeImage(bytes, name);
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
  // Photos dropped from the list must not linger (split.json and the tests go by the folder's files).
  const wanted = new Set(list.images.map((s) => `${s.id}.jpg`));
  for (const f of readdirSync(outDir).filter((f) => f.endsWith('.jpg') && !wanted.has(f)))
    rmSync(join(outDir, f));
  const rows: string[] = [];
  const resources = new Map<string, Map<string, Uint8Array>>();
  let total = 0;
  for (const s of list.images) {
    const small = downscale(readPhoto(s, work, resources), list.shorterSide);
    const bytes = jpeg.encode(small, list.jpegQuality).data;
    writeFileSync(join(outDir, `${s.id}.jpg`), bytes);
    total += bytes.length;
    const author = s.source ? `[${s.author}](${s.source})` : s.author;
    const where = s.resource ? `/${s.path}, inside: ${s.resource}` : `/${s.path}`;
    rows.push(
      `| ${s.id}.jpg | ${s.subject} | ${s.class} ${shortLabel(IMAGENET_CLASSES[s.class])} | ${author} | ${s.licence} | ${s.package} ${versions.get(s.package)} | ${where} |`,
    );
    console.error(`${s.id}.jpg ${small.width}x${small.height} ${(bytes.length / 1024).toFixed(0)} KiB`);
  }
  const classes = new Set(list.images.map((s) => s.class)).size;
  const split = splitRecord(list.images.map((s) => `${s.id}.jpg`));
  const md = `# Evaluation set

${list.images.length} natural photos of ${classes} ImageNet classes, each a different photograph, taken from Debian packages
and downscaled to a shorter side of ${list.shorterSide} px (JPEG quality ${list.jpegQuality}). Rebuild with
\`apt-get update && apt-get install webp && npx tsx scripts/eval-set/build.ts\` (the list is
scripts/eval-set/sources.json).

Class: the ImageNet-1k class (index and name) of the photo's subject. Each is among SqueezeNet 1.1's five
most likely classes for the photo (\`npx tsx scripts/eval-set/check-classes.ts\` checks this); photos whose
subject has no ImageNet class, or that SqueezeNet does not recognise, are not in the set.

Split: ${split.dev.length} development and ${split.test.length} test photos, by the rule \`${split.rule}\`
(src/core/eval/split.ts); split.json lists both halves. Constructions and parameters are chosen on the
development photos; results are reported on the test photos (\`panescope evaluate --split dev|test\`).

Licences: CC0 or public domain, or Creative Commons attribution licences (CC BY, CC BY-SA), as recorded in each
package's copyright file or, for gcompris-qt-data's photos, in the README next to the photo inside the resource
file (the author links to the original). The files here are downscaled copies of the works below; under CC
BY-SA they are shared under the same licence as the original.

| file | subject | class | author | licence | Debian package (version) | path in the package |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  writeFileSync(join(outDir, 'SOURCES.md'), md);
  // The development / test split (issue 10), decided by file name alone: recorded here once for the set.
  writeFileSync(join(outDir, 'split.json'), `${JSON.stringify(split, null, 2)}\n`);
  console.error(`${list.images.length} images, ${(total / 1024).toFixed(0)} KiB -> ${outDir}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
