import type { CropRect } from '../../core/preprocess';
import type { ImageSource } from '../types';
import type { SliceCreator } from './slice';

export interface ImageEntry {
  /** Unique within the session; the registry holds the pixels under this id. */
  id: string;
  name: string;
  width: number;
  height: number;
  source: ImageSource;
  /** Set when the image was downscaled on the way in, e.g. "downscaled from 8000 x 6000". */
  note?: string;
  /**
   * The sender's own image this one stands in for: the copy a share link carries (share.ts), which the view
   * switches to so that the link reproduces it exactly. The strip shows the original in its place.
   */
  copyOf?: string;
}

export interface ImageSlice {
  images: ImageEntry[];
  currentImageId: string | null;
  /** Crop per image in source pixels; absent = the model's default centre crop. */
  crops: Record<string, CropRect>;
  /** Adds images to the strip and selects the first one. */
  addImages(entries: ImageEntry[], crop?: CropRect | null): void;
  selectImage(id: string): void;
  setCrop(id: string, crop: CropRect | null): void;
  removeImage(id: string): void;
}

/** Crops are kept to 1/100 px so that the link (which prints them) reproduces them exactly. */
function roundCrop(c: CropRect): CropRect {
  const r = (v: number) => Math.round(v * 100) / 100;
  return { x: r(c.x), y: r(c.y), width: r(c.width), height: r(c.height) };
}

export const createImageSlice: SliceCreator<ImageSlice> = (set) => ({
  images: [],
  currentImageId: null,
  crops: {},
  addImages: (entries, crop = null) =>
    set((s) => {
      if (entries.length === 0) return s;
      const crops = { ...s.crops };
      if (crop) crops[entries[0].id] = roundCrop(crop);
      return { images: [...s.images, ...entries], currentImageId: entries[0].id, crops };
    }),
  selectImage: (id) => set((s) => (s.images.some((i) => i.id === id) ? { currentImageId: id } : s)),
  setCrop: (id, crop) =>
    set((s) => {
      const crops = { ...s.crops };
      if (crop) crops[id] = roundCrop(crop);
      else delete crops[id];
      return { crops };
    }),
  removeImage: (id) =>
    set((s) => {
      // The current image stays: the view always has something to show.
      if (id === s.currentImageId) return s;
      const crops = { ...s.crops };
      delete crops[id];
      return { images: s.images.filter((i) => i.id !== id), crops };
    }),
});

/**
 * The images the strip shows: every image but the link copies of an original still there (the original
 * stands for its copy, and reads as selected while the copy is on view).
 */
export function stripImages(
  s: Pick<ImageSlice, 'images' | 'currentImageId'>,
): { id: string; selected: boolean }[] {
  const ids = new Set(s.images.map((i) => i.id));
  const current = s.images.find((i) => i.id === s.currentImageId);
  const shownAs = current?.copyOf !== undefined && ids.has(current.copyOf) ? current.copyOf : current?.id;
  return s.images
    .filter((i) => i.copyOf === undefined || !ids.has(i.copyOf))
    .map((i) => ({ id: i.id, selected: i.id === shownAs }));
}
