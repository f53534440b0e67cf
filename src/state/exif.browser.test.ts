/**
 * The app's side of the EXIF check: decodeImageBlob (createImageBitmap, as the app loads a dropped file) on
 * the seeded photos of tests/support/exif-photos (JPEG with APP1, PNG with eXIf) gives the upright scene pixel for pixel for all eight
 * orientation tags. tests/hardening/exif.test.ts checks the CLI against the same scene (and the same map for
 * every tag), so the CLI and the app see the same pixels.
 */
import { describe, expect, it } from 'vitest';
import {
  EXIF_SCENE,
  encodeFlatJpeg,
  exifPhoto,
  exifPng,
  exifScene,
  storedScene,
} from '../../tests/support/exif-photos';
import { decodeImageBlob } from './image-decode';

function expectScene(rgba: { width: number; height: number; data: ArrayLike<number> }, grey: Uint8Array) {
  let mismatches = 0;
  for (let i = 0; i < grey.length; i++) {
    const g = grey[i];
    const d = rgba.data;
    if (d[4 * i] !== g || d[4 * i + 1] !== g || d[4 * i + 2] !== g || d[4 * i + 3] !== 255) mismatches++;
  }
  expect(mismatches).toBe(0);
}

describe('EXIF orientation in the app', () => {
  const PHOTOS = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((o) => [
    ['jpeg', o, exifPhoto(o)] as const,
    ['png', o, exifPng(o)] as const,
  ]);

  it.each(PHOTOS)(
    'shows the %s photo with orientation %i upright, pixel for pixel',
    async (format, o, photo) => {
      const blob = new Blob([photo as BlobPart], { type: `image/${format}` });
      const { rgba } = await decodeImageBlob(blob, `orientation-${o}.${format}`);
      expect([rgba.width, rgba.height]).toEqual([EXIF_SCENE.width, EXIF_SCENE.height]);
      expectScene(rgba, exifScene());
    },
  );

  it('shows a photo without a tag as stored', async () => {
    const stored = storedScene(6);
    const blob = new Blob([encodeFlatJpeg(stored.width, stored.height, stored.grey) as BlobPart]);
    const { rgba } = await decodeImageBlob(blob, 'untagged.jpg');
    expect([rgba.width, rgba.height]).toEqual([stored.width, stored.height]);
    expectScene(rgba, stored.grey);
  });
});
