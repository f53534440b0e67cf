/**
 * EXIF orientation (issue 13, "the CLI and the app can see different pixels"): the CLI turns a JPEG by its
 * orientation tag the way the browser's createImageBitmap does. The seeded photos of tests/support/exif-photos (JPEG
 * with APP1, PNG with eXIf)
 * decode exactly in any decoder, so the CLI must give the upright scene pixel for pixel (the browser test
 * src/state/exif.browser.test.ts checks the app against the same scene), and the same map for every tag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../../src/cli/image-io';
import { readImageHeader } from '../../src/core/image-header';
import {
  EXIF_SCENE,
  encodeFlatJpeg,
  exifPhoto,
  exifPng,
  exifScene,
  storedScene,
} from '../support/exif-photos';
import { cli, tinyModel, tmp, tmpFile } from './tiny-model';

const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8];

function sceneRgba(grey = exifScene()): Uint8Array {
  const out = new Uint8Array(grey.length * 4);
  grey.forEach((g, i) => out.set([g, g, g, 255], 4 * i));
  return out;
}

describe('EXIF orientation in the CLI', () => {
  const PHOTOS = ORIENTATIONS.flatMap((o) => [
    ['jpeg', o, exifPhoto(o)] as const,
    ['png', o, exifPng(o)] as const,
  ]);

  it.each(PHOTOS)('turns the %s photo with orientation %i upright, pixel for pixel', (format, o, photo) => {
    expect(readImageHeader(photo)).toMatchObject({ format, orientation: o });
    const img = decodeImage(photo, `orientation-${o}.${format}`);
    expect([img.width, img.height]).toEqual([EXIF_SCENE.width, EXIF_SCENE.height]);
    expect(Buffer.from(img.data).equals(Buffer.from(sceneRgba()))).toBe(true);
  });

  it('is sensitive: the stored pixels of a turned photo are not the scene, and no tag means as stored', () => {
    const stored = storedScene(6);
    const plain = decodeImage(encodeFlatJpeg(stored.width, stored.height, stored.grey), 'plain.jpg');
    expect([plain.width, plain.height]).toEqual([32, 48]);
    expect(Buffer.from(plain.data).equals(Buffer.from(sceneRgba(stored.grey)))).toBe(true);
    // Every orientation stores different pixels (the scene has no symmetry).
    const distinct = new Set(ORIENTATIONS.map((o) => Buffer.from(storedScene(o).grey).toString('hex')));
    expect(distinct.size).toBe(8);
  });

  it('gives the same map for every orientation tag as for the upright PNG', async () => {
    const model = tmpFile('tiny.onnx', tinyModel());
    const { width, height } = EXIF_SCENE;
    const upright = tmpFile('upright.png', encodePng(width, height, sceneRgba()));
    const saliency = async (image: string) => {
      const out = join(tmp(), 'out');
      const run = await cli(['explain', '--model', model, '--image', image, '--out', out]);
      expect(run.code).toBe(0);
      return readFileSync(join(out, 'saliency.npy'));
    };
    const reference = await saliency(upright);
    for (const [format, o, photo] of PHOTOS) {
      const map = await saliency(tmpFile(`orientation-${o}.${format === 'png' ? 'png' : 'jpg'}`, photo));
      expect(map.equals(reference), `${format} orientation ${o}`).toBe(true);
    }
    // And a photo read without its tag would give another map.
    const stored = storedScene(6);
    const untagged = await saliency(
      tmpFile('untagged.jpg', encodeFlatJpeg(stored.width, stored.height, stored.grey)),
    );
    expect(untagged.equals(reference)).toBe(false);
  });
});
