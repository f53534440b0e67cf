/**
 * Downloaded models in the browser's Cache Storage, so that a second visit loads them with no request.
 * Keyed by URL; a page without Cache Storage (an insecure origin, some private windows) downloads every time.
 */

export const MODEL_CACHE = 'panescope-models-v1';

function storage(): CacheStorage | null {
  return typeof caches === 'undefined' ? null : caches;
}

/** The cached bytes of `url`, or null. */
export async function cachedModel(url: string): Promise<Uint8Array | null> {
  const store = storage();
  if (!store) return null;
  try {
    const hit = await (await store.open(MODEL_CACHE)).match(url);
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  } catch {
    return null; // a broken cache is a miss, not an error
  }
}

/** Keeps `bytes` for `url`; a full or refused cache only means the next visit downloads again. */
export async function cacheModel(url: string, bytes: Uint8Array): Promise<boolean> {
  const store = storage();
  if (!store) return false;
  try {
    const response = new Response(bytes as BlobPart, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
    });
    await (await store.open(MODEL_CACHE)).put(url, response);
    return true;
  } catch {
    return false;
  }
}

/** The cached models' URLs; null where the page has no Cache Storage. */
export async function cachedModelUrls(): Promise<string[] | null> {
  const store = storage();
  if (!store) return null;
  try {
    return (await (await store.open(MODEL_CACHE)).keys()).map((r) => r.url);
  } catch {
    return [];
  }
}

/** Forgets one model (a kept file the engine now refuses must not come back on every visit). */
export async function forgetCachedModel(url: string): Promise<void> {
  const store = storage();
  if (!store) return;
  try {
    await (await store.open(MODEL_CACHE)).delete(url);
  } catch {
    // nothing kept, nothing to forget
  }
}

/** Deletes every cached model. */
export async function evictModelCache(): Promise<void> {
  await storage()?.delete(MODEL_CACHE);
}
