import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitRecord } from '../../src/core/eval/split';
import { IMAGENET_CLASSES, shortLabel } from '../../src/core/labels';
import { ROOT } from '../paths';

const DIR = join(ROOT, 'data/eval-set');
const photos = readdirSync(DIR)
  .filter((f) => f.endsWith('.jpg'))
  .sort();
const list = JSON.parse(readFileSync(join(ROOT, 'scripts/eval-set/sources.json'), 'utf8')) as {
  images: { id: string; subject: string; class: number; licence: string }[];
};

describe('data/eval-set', () => {
  it('split.json is the recorded rule applied to exactly the photos in the folder', () => {
    const recorded = JSON.parse(readFileSync(join(DIR, 'split.json'), 'utf8')) as unknown;
    expect(recorded).toEqual(splitRecord(photos));
  });

  it('every photo comes from sources.json and is listed in SOURCES.md with its class and licence', () => {
    const doc = readFileSync(join(DIR, 'SOURCES.md'), 'utf8');
    expect(list.images.map((s) => `${s.id}.jpg`).sort()).toEqual(photos);
    for (const s of list.images) {
      expect(Number.isInteger(s.class) && s.class >= 0 && s.class < IMAGENET_CLASSES.length).toBe(true);
      expect(s.licence).toMatch(/^(CC0|public domain|CC BY(-SA)? \d\.\d)/);
      expect(doc).toContain(
        `| ${s.id}.jpg | ${s.subject} | ${s.class} ${shortLabel(IMAGENET_CLASSES[s.class])} |`,
      );
    }
  });

  it('has at least 60 photos of at least 30 ImageNet classes (issue 10), each file small', () => {
    expect(photos.length).toBeGreaterThanOrEqual(60);
    expect(new Set(list.images.map((s) => s.class)).size).toBeGreaterThanOrEqual(30);
    const bytes = photos.map((f) => statSync(join(DIR, f)).size);
    expect(Math.max(...bytes)).toBeLessThan(100 * 1024);
    expect(bytes.reduce((a, b) => a + b, 0)).toBeLessThan(10 * 1024 * 1024);
  });
});
