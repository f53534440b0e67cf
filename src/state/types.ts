/**
 * Vocabulary shared by the store, the share link and the controller. Everything here is plain data: ids,
 * numbers and short strings (no pixels, no GPU objects).
 */
import type { CropRect, PreprocessSettings } from '../core/preprocess';
import type { Rule } from '../core/pane/options';
import type { ColormapName, MapKind } from '../engine/types';
import type { ViewSettings } from './view-settings';
import type { DisplayMethod } from './methods';

/** Where the model comes from. A dropped file cannot travel in a link; `key` finds its bytes in the registry. */
export type ModelRef =
  | { kind: 'builtin'; id: string }
  | { kind: 'url'; url: string }
  | { kind: 'file'; name: string; key: string };

/** Where an image comes from. 'user' images are local; 'embedded' ones arrived inside a share link. */
export type ImageSource =
  | { kind: 'demo'; id: string }
  | { kind: 'url'; url: string }
  | { kind: 'user' }
  | {
      kind: 'embedded';
      mime: EmbeddedMime;
      data: string;
      /** The sender's file name, so that the image keeps it wherever the link opens (absent: none given). */
      name?: string;
    };

export type EmbeddedMime = 'image/webp' | 'image/png' | 'image/jpeg';

export type ColormapChoice = ColormapName | 'auto';

/**
 * The second pane of the side-by-side comparison. `layer: null` follows the main pane's layer; kind, rule
 * and layer apply when `method` is 'pane'.
 */
export interface CompareSpec {
  method: DisplayMethod;
  kind: MapKind;
  rule: Rule;
  layer: string | null;
}

export type { PreprocessSettings };

/**
 * Everything a share link carries: the view settings of the table (view-settings.ts) and the structured
 * parts the codec handles one by one.
 */
export interface ShareState extends ViewSettings {
  model: Exclude<ModelRef, { kind: 'file' }>;
  image: Exclude<ImageSource, { kind: 'user' }>;
  /** Class to explain; null = the top-1 class. */
  target: number | null;
  /** Layer tensor name; null = the input (the final saliency map). */
  layer: string | null;
  /** Crop in source pixels; null = the model's default centre crop. */
  crop: CropRect | null;
  /** Preprocessing overrides; null = the model's defaults. */
  preprocess: PreprocessSettings | null;
  compare: CompareSpec | null;
}
