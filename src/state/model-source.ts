/**
 * Model bytes from wherever the model comes from, with a size limit and download progress (models by URL
 * from Cache Storage when a previous visit kept them), and the check that what the engine parsed is an
 * image classifier the app can drive.
 */
import type { ModelInfo } from '../engine/types';
import { assetUrl, findBuiltinModel } from './catalog';
import { cachedModel } from './model-cache';
import type { PixelRegistry } from './registry';
import type { ModelRef } from './types';
import { UserError } from './user-error';

/** VGG16 is 528 MB; anything much larger will not fit a browser tab's memory anyway. */
export const MAX_MODEL_BYTES = 1024 * 1024 * 1024;

export function modelRefKey(ref: ModelRef): string {
  if (ref.kind === 'builtin') return `builtin:${ref.id}`;
  if (ref.kind === 'url') return `url:${ref.url}`;
  return `file:${ref.key}`;
}

export function modelRefName(ref: ModelRef): string {
  if (ref.kind === 'builtin') return findBuiltinModel(ref.id)?.title ?? ref.id;
  if (ref.kind === 'url') return ref.url.slice(ref.url.lastIndexOf('/') + 1) || ref.url;
  return ref.name;
}

/** A model's bytes, and whether they came from Cache Storage (a model by URL kept by an earlier visit). */
export interface ModelBytes {
  bytes: Uint8Array;
  fromCache: boolean;
}

/**
 * The model's bytes: a dropped file from the registry, the built-in model from the app's assets, a model by
 * URL from Cache Storage when an earlier visit kept it, else downloaded with progress (`total` is null when
 * the server sends no Content-Length). Keeping a download is the caller's part, once the model is accepted.
 */
export async function modelBytes(
  ref: ModelRef,
  registry: PixelRegistry,
  onProgress: (loaded: number, total: number | null) => void,
): Promise<ModelBytes> {
  if (ref.kind === 'file') {
    const bytes = registry.modelFile(ref.key);
    if (!bytes) throw new UserError(`The model file ${ref.name} is no longer available; drop it again.`);
    return { bytes, fromCache: false };
  }
  const builtin = ref.kind === 'builtin' ? findBuiltinModel(ref.id) : undefined;
  if (ref.kind === 'builtin' && !builtin) throw new UserError(`There is no built-in model "${ref.id}".`);
  const url = builtin ? assetUrl(builtin.path) : (ref as { url: string }).url;
  if (!builtin) {
    const hit = await cachedModel(url);
    if (hit) return { bytes: hit, fromCache: true };
  }
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'omit' });
  } catch {
    throw new UserError(
      `The model at ${url} could not be fetched (offline, or the server does not allow it).`,
    );
  }
  if (!response.ok) {
    const hint = builtin ? ' Run `npm run setup` to place the default model.' : '';
    throw new UserError(`The model at ${url} could not be fetched (HTTP ${response.status}).${hint}`);
  }
  return { bytes: await readWithLimit(response, url, onProgress), fromCache: false };
}

async function readWithLimit(
  response: Response,
  url: string,
  onProgress: (loaded: number, total: number | null) => void,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  const total = Number.isFinite(declared) && declared > 0 ? declared : null;
  if (total !== null && total > MAX_MODEL_BYTES) throw tooLarge(url);
  onProgress(0, total);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    let part: ReadableStreamReadResult<Uint8Array>;
    try {
      part = await reader.read();
    } catch {
      throw new UserError(`The download of ${url} broke off after ${loaded} bytes.`);
    }
    if (part.done) break;
    loaded += part.value.length;
    if (loaded > MAX_MODEL_BYTES) {
      await reader.cancel();
      throw tooLarge(url);
    }
    chunks.push(part.value);
    onProgress(loaded, total);
  }
  // A body shorter than its Content-Length is a broken download, not a model.
  if (total !== null && loaded < total) {
    throw new UserError(`The download of ${url} is incomplete: ${loaded} of ${total} bytes arrived.`);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return bytes;
}

function tooLarge(url: string): UserError {
  return new UserError(
    `The model at ${url} is over ${MAX_MODEL_BYTES / 2 ** 20} MB; that is too large to load here.`,
  );
}

/**
 * The app drives image classifiers: one NCHW input with 1 or 3 channels and a vector of class scores.
 * Returns a message for anything else (a model the chain cannot traverse is fine: it still classifies).
 */
export function checkImageClassifier(info: ModelInfo): string | null {
  const d = info.inputDims;
  if (d.length !== 4 || d[0] !== 1 || (d[1] !== 1 && d[1] !== 3) || d[2] < 8 || d[3] < 8) {
    return `${info.name} is not an image CNN this app can drive: its input has shape [${d.join(', ')}]; expected [1, 3, H, W] or [1, 1, H, W].`;
  }
  if (d[2] > 2048 || d[3] > 2048)
    return `${info.name} expects a ${d[3]} x ${d[2]} input; up to 2048 x 2048 is supported.`;
  if (info.numClasses < 2)
    return `${info.name} has ${info.numClasses} output; a classifier with 2 or more classes is expected.`;
  return null;
}
