/**
 * Store <-> share link, and bringing a link's image into the app.
 *
 * A user's own image travels as the model's input crop (link-image.ts). For the link to reproduce the view
 * pixel for pixel, the sender switches to the very copy the link carries (decoded from the same bytes), so
 * both browsers explain identical pixels.
 */
import { clampCrop, defaultCrop } from '../core/preprocess';
import { base64UrlToBytes } from './base64url';
import { assetUrl, DEFAULT_DEMO_ID, findDemoImage } from './catalog';
import { decodeImageBlob, fetchImage, fileNameOf, type DecodedImage } from './image-decode';
import { embedModelInput, modelInputPixels } from './link-image';
import type { PixelRegistry } from './registry';
import { encodeShareState, imageNameForLink, MAX_EMBEDDED_CHARS } from './share-codec';
import { modelDefaultPreprocess, preprocessSpec, samePreprocess } from './slices/model-slice';
import type { ImageEntry } from './slices/image-slice';
import type { AppState, AppStore } from './store';
import type { ImageSource, ShareState } from './types';
import { UserError } from './user-error';
import { pickViewSettings } from './view-settings';

export interface ShareLink {
  url: string;
  /** Said to the user alongside the link, e.g. how the image travels. */
  note: string | null;
}

/** Builds the link for the current view. A user's image is embedded (and adopted, see above) or refused. */
export async function createShareLink(
  store: AppStore,
  registry: PixelRegistry,
  base: string,
): Promise<ShareLink> {
  const s = store.getState();
  if (s.modelRef.kind === 'file') {
    throw new UserError(
      `The model ${s.modelRef.name} was loaded from a file on this computer and cannot travel in a link. ` +
        'Load it by URL to share this view.',
    );
  }
  const image = s.images.find((i) => i.id === s.currentImageId);
  if (!image || !s.model) throw new UserError('There is nothing to share yet.');
  let note: string | null = null;
  if (image.source.kind === 'user') {
    note = await adoptEmbeddedCopy(store, registry, image);
  }
  const state = shareStateOf(store.getState());
  return { url: `${base}#${encodeShareState(state)}`, note };
}

/** A string that changes whenever anything a link carries changes (for telling a stale link apart). */
export function shareDigest(s: AppState): string {
  return JSON.stringify([
    s.modelRef,
    s.currentImageId,
    s.currentImageId && s.crops[s.currentImageId],
    s.preprocess,
    s.target,
    s.layer,
    pickViewSettings(s),
    s.compare,
  ]);
}

/** The shareable part of the store (the current image must not be a 'user' image). */
export function shareStateOf(s: AppState): ShareState {
  const image = s.images.find((i) => i.id === s.currentImageId)!;
  if (image.source.kind === 'user' || s.modelRef.kind === 'file') throw new Error('not shareable');
  const model = s.model!;
  const defaults = modelDefaultPreprocess(s.modelRef, model);
  return {
    ...pickViewSettings(s),
    model: s.modelRef,
    image: image.source,
    target: s.target ?? s.explanation?.target ?? s.prediction?.top[0]?.index ?? null,
    layer: s.layer ?? model.layers[0]?.tensor ?? null,
    crop: s.crops[image.id] ?? null,
    preprocess: samePreprocess(s.preprocess, defaults) ? null : s.preprocess,
    compare: s.compare,
  };
}

async function adoptEmbeddedCopy(
  store: AppStore,
  registry: PixelRegistry,
  image: ImageEntry,
): Promise<string> {
  const s = store.getState();
  const rgba = registry.image(image.id)!;
  const spec = preprocessSpec(s.preprocess, s.model!.inputDims);
  const crop = clampCrop(
    s.crops[image.id] ?? defaultCrop(rgba.width, rgba.height, spec),
    rgba.width,
    rgba.height,
  );
  const embedded = await embedModelInput(modelInputPixels(rgba, spec, crop));
  if (!embedded) {
    throw new UserError(
      `Your image cannot travel in a link: even compressed, its ${spec.width} x ${spec.height} input crop is over ` +
        `${MAX_EMBEDDED_CHARS} characters (about 30 KB). Put it online and load it by URL to share this view.`,
    );
  }
  const name = imageNameForLink(image.name);
  const source: ImageSource = {
    kind: 'embedded',
    mime: embedded.mime,
    data: embedded.data,
    ...(name === undefined ? {} : { name }),
  };
  const decoded = await decodeEmbedded(source);
  // The copy stands in for the sender's own image under its name: the strip keeps showing the original
  // (ImageStrip hides copies), and an earlier copy of the same image gives way to this one.
  dropEarlierCopies(store, registry, image.id);
  const id = registry.addImage(decoded.rgba);
  s.addImages(
    [
      {
        id,
        name: image.name,
        width: decoded.rgba.width,
        height: decoded.rgba.height,
        source,
        copyOf: image.id,
      },
    ],
    fullCrop(decoded),
  );
  const kb = Math.round((embedded.data.length * 3) / 4 / 1024);
  return (
    `Your image travels in the link as its ${embedded.width} x ${embedded.height} input crop (WebP, ${kb} KB). ` +
    'The view now shows that copy, so the link reproduces it exactly.'
  );
}

/**
 * Removes the earlier link copies of an image, from the store and their pixels from the registry, all but the
 * current one: the store keeps the current image (removeImage refuses it), so its pixels must stay too.
 */
export function dropEarlierCopies(store: AppStore, registry: PixelRegistry, originalId: string): void {
  const s = store.getState();
  for (const old of s.images) {
    if (old.copyOf !== originalId || old.id === s.currentImageId) continue;
    s.removeImage(old.id);
    registry.dropImage(old.id);
  }
}

/** An embedded image covers exactly the model input: its crop is the whole image. */
function fullCrop(d: DecodedImage) {
  return { x: 0, y: 0, width: d.rgba.width, height: d.rgba.height };
}

async function decodeEmbedded(source: Extract<ImageSource, { kind: 'embedded' }>): Promise<DecodedImage> {
  const bytes = base64UrlToBytes(source.data);
  return decodeImageBlob(new Blob([bytes as BlobPart], { type: source.mime }), 'The image in the link');
}

/** Loads the image a link (or the app's start) asks for; throws a UserError when it cannot. */
export async function loadLinkedImage(
  store: AppStore,
  registry: PixelRegistry,
  source: ShareState['image'],
  crop: ShareState['crop'],
): Promise<void> {
  let decoded: DecodedImage;
  let name: string;
  if (source.kind === 'demo') {
    const demo = findDemoImage(source.id) ?? findDemoImage(DEFAULT_DEMO_ID)!;
    decoded = await fetchImage(assetUrl(`demo/${demo.file}`));
    name = demo.title;
  } else if (source.kind === 'url') {
    decoded = await fetchImage(source.url);
    name = fileNameOf(source.url);
  } else {
    decoded = await decodeEmbedded(source);
    name = source.name ?? 'Image from the link';
    // Only here, where the link opens, is the image a copy: its pixels are the sender's input crop.
    const note = `link copy: the ${decoded.rgba.width} x ${decoded.rgba.height} input crop the link carries`;
    decoded = { ...decoded, note: decoded.note ? `${decoded.note}; ${note}` : note };
  }
  addDecodedImage(store, registry, decoded, name, source, crop);
}

export function addDecodedImage(
  store: AppStore,
  registry: PixelRegistry,
  decoded: DecodedImage,
  name: string,
  source: ImageSource,
  crop: ShareState['crop'] = null,
): ImageEntry {
  const id = registry.addImage(decoded.rgba);
  const entry: ImageEntry = {
    id,
    name,
    width: decoded.rgba.width,
    height: decoded.rgba.height,
    source,
    ...(decoded.note ? { note: decoded.note } : {}),
  };
  store.getState().addImages([entry], crop);
  return entry;
}
