/**
 * What ships with the app and may be referred to by id in a share link: the default model and the demo
 * gallery (public/demo, licences in public/demo/LICENSES.md). Ids are whitelists for the link parser.
 */

export interface BuiltinModel {
  id: string;
  title: string;
  /** Path below the app's base URL. */
  path: string;
}

export const BUILTIN_MODELS: readonly BuiltinModel[] = [
  { id: 'squeezenet1.1', title: 'SqueezeNet 1.1 (ImageNet)', path: 'models/squeezenet1_1.onnx' },
];

export const DEFAULT_MODEL_ID = 'squeezenet1.1';

export interface DemoImage {
  /** The file stem; what the link stores. */
  id: string;
  file: string;
  title: string;
  licence: string;
}

export const DEMO_IMAGES: readonly DemoImage[] = [
  { id: 'chelsea', file: 'chelsea.png', title: 'Chelsea the cat', licence: 'CC0, Stefan van der Walt' },
  { id: 'coffee', file: 'coffee.png', title: 'Coffee cup', licence: 'CC0, Rachel Michetti' },
  { id: 'rocket', file: 'rocket.jpg', title: 'DSCOVR launch', licence: 'Public domain, SpaceX' },
  { id: 'astronaut', file: 'astronaut.png', title: 'Eileen Collins', licence: 'Public domain, NASA' },
];

export const DEFAULT_DEMO_ID = 'chelsea';

export function findBuiltinModel(id: string): BuiltinModel | undefined {
  return BUILTIN_MODELS.find((m) => m.id === id);
}

export function findDemoImage(id: string): DemoImage | undefined {
  return DEMO_IMAGES.find((d) => d.id === id);
}

/** URL of a file shipped under public/, relative to wherever the app is served. */
export function assetUrl(path: string): string {
  return `${import.meta.env.BASE_URL}${path}`;
}
