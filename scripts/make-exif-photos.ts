/**
 * Writes the seeded EXIF test photos (tests/support/exif-photos) to a folder, to look at them or feed them to
 * `panescope explain` and the app by hand: orientation-N.jpg and orientation-N.png for N = 1..8 (each shows
 * the same upright scene when its tag is honoured) and upright.png.
 *
 *   npx tsx scripts/make-exif-photos.ts OUT_DIR [SEED]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIF_SCENE, encodeGreyPng, exifPhoto, exifPng, exifScene } from '../tests/support/exif-photos';

const [out, seedText] = process.argv.slice(2);
if (!out) {
  console.error('usage: npx tsx scripts/make-exif-photos.ts OUT_DIR [SEED]');
  process.exit(2);
}
const seed = seedText === undefined ? EXIF_SCENE.seed : Number(seedText);
if (!Number.isInteger(seed)) {
  console.error(`seed must be an integer (got ${JSON.stringify(seedText)})`);
  process.exit(2);
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'upright.png'), encodeGreyPng(EXIF_SCENE.width, EXIF_SCENE.height, exifScene(seed)));
for (let o = 1; o <= 8; o++) {
  writeFileSync(join(out, `orientation-${o}.jpg`), exifPhoto(o, seed));
  writeFileSync(join(out, `orientation-${o}.png`), exifPng(o, seed));
}
console.log(`wrote upright.png and orientation-1..8 .jpg/.png (seed ${seed}) to ${out}`);
