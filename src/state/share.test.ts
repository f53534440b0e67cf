// Adopting a new link copy drops the earlier copies of the same image, pixels and entry together, but never
// the current image: the store keeps that one, so its pixels must stay in the registry as well.
import { describe, expect, it } from 'vitest';
import { createAppStore } from './store';
import { PixelRegistry } from './registry';
import { dropEarlierCopies } from './share';
import type { ImageEntry } from './slices/image-slice';

function pixels() {
  return { width: 2, height: 1, data: new Uint8ClampedArray(8) };
}

function entry(id: string, copyOf?: string): ImageEntry {
  return {
    id,
    name: id,
    width: 2,
    height: 1,
    source: copyOf ? { kind: 'embedded', mime: 'image/webp', data: 'AA' } : { kind: 'user' },
    ...(copyOf ? { copyOf } : {}),
  };
}

describe('dropEarlierCopies', () => {
  it('drops the copies of the image, keeps other images and the current copy with its pixels', () => {
    const registry = new PixelRegistry();
    const [orig, copyA, copyB, other] = [0, 1, 2, 3].map(() => registry.addImage(pixels()));
    const store = createAppStore();
    store
      .getState()
      .addImages([entry(orig), entry(copyA, orig), entry(copyB, orig), entry(other, 'elsewhere')]);
    store.getState().selectImage(copyB);
    dropEarlierCopies(store, registry, orig);
    expect(store.getState().images.map((i) => i.id)).toEqual([orig, copyB, other]);
    expect(registry.image(copyA)).toBeUndefined();
    expect(registry.image(copyB)).toBeDefined();
    expect(registry.image(orig)).toBeDefined();
    expect(registry.image(other)).toBeDefined();
  });
});
