/**
 * Pixels and bytes that the store must not hold (big typed arrays): decoded images, dropped model files, the
 * model-input preview and the layer-strip thumbnails. The store holds their ids and version counters; the
 * controller writes here and bumps the counters, and the UI reads here when a counter changes.
 */
import type { RgbaImage } from '../core/preprocess';
import type { MapData } from '../engine/types';

export class PixelRegistry {
  private readonly images = new Map<string, RgbaImage>();
  private readonly modelFiles = new Map<string, Uint8Array>();
  private nextId = 1;
  /** What the model sees: the preprocessed input turned back into RGBA at the model's resolution. */
  inputPreview: RgbaImage | null = null;
  /** Small maps of every layer for the current view kind, by layer tensor (null: the view has no map there). */
  readonly thumbnails = new Map<string, MapData | null>();

  addImage(rgba: RgbaImage): string {
    const id = `img${this.nextId++}`;
    this.images.set(id, rgba);
    return id;
  }

  image(id: string): RgbaImage | undefined {
    return this.images.get(id);
  }

  dropImage(id: string): void {
    this.images.delete(id);
  }

  addModelFile(bytes: Uint8Array): string {
    const key = `model${this.nextId++}`;
    this.modelFiles.set(key, bytes);
    return key;
  }

  modelFile(key: string): Uint8Array | undefined {
    return this.modelFiles.get(key);
  }

  /** Model files other than `keep` are released (only the loaded model needs its bytes, for recovery). */
  releaseModelFiles(keep: string | null): void {
    for (const key of this.modelFiles.keys()) if (key !== keep) this.modelFiles.delete(key);
  }
}
