import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitRecord } from '../../src/core/eval/split';
import { ROOT } from '../paths';

const DIR = join(ROOT, 'data/eval-set');
const photos = readdirSync(DIR)
  .filter((f) => f.endsWith('.jpg'))
  .sort();

describe('data/eval-set', () => {
  it('split.json is the recorded rule applied to exactly the photos in the folder', () => {
    const recorded = JSON.parse(readFileSync(join(DIR, 'split.json'), 'utf8')) as unknown;
    expect(recorded).toEqual(splitRecord(photos));
  });

  it('every photo comes from sources.json and is listed in SOURCES.md', () => {
    const list = JSON.parse(readFileSync(join(ROOT, 'scripts/eval-set/sources.json'), 'utf8')) as {
      images: { id: string }[];
    };
    expect(list.images.map((s) => `${s.id}.jpg`).sort()).toEqual(photos);
    const doc = readFileSync(join(DIR, 'SOURCES.md'), 'utf8');
    for (const f of photos) expect(doc).toContain(`| ${f} |`);
  });
});
