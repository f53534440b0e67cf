/**
 * Models by URL (model-source.ts): download progress with and without Content-Length, and the plain
 * messages for an HTTP error, a network failure and a download that breaks off. Node has no Cache Storage,
 * so every load here downloads (the cache hit is checked in e2e/gallery.spec.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PixelRegistry } from './registry';
import { modelBytes } from './model-source';

const URL_REF = { kind: 'url', url: 'https://models.example.test/m.onnx' } as const;

/** A response whose body arrives in the given chunks; `fail` makes the stream error after them. */
function chunked(chunks: number[][], headers: Record<string, string>, fail = false): Response {
  let next = 0;
  // One chunk per read, as a network delivers them (an error in start() would drop the queued chunks).
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(Uint8Array.from(chunks[next++]));
      else if (fail) controller.error(new TypeError('network error'));
      else controller.close();
    },
  });
  return new Response(body, { status: 200, headers });
}

function load(response: Response | Error) {
  vi.stubGlobal(
    'fetch',
    vi.fn(() => (response instanceof Error ? Promise.reject(response) : Promise.resolve(response))),
  );
  const progress: [number, number | null][] = [];
  const result = modelBytes(URL_REF, new PixelRegistry(), (loaded, total) => progress.push([loaded, total]));
  return { result, progress };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('modelBytes by URL', () => {
  it('reports bytes against Content-Length and returns the whole file', async () => {
    const { result, progress } = load(
      chunked(
        [
          [1, 2, 3],
          [4, 5],
        ],
        { 'content-length': '5' },
      ),
    );
    const got = await result;
    expect(Array.from(got.bytes)).toEqual([1, 2, 3, 4, 5]);
    expect(got.fromCache).toBe(false);
    expect(progress).toEqual([
      [0, 5],
      [3, 5],
      [5, 5],
    ]);
  });

  it('reports a null total when the server sends no Content-Length (an indeterminate bar)', async () => {
    const { result, progress } = load(chunked([[7], [8, 9]], {}));
    expect(Array.from((await result).bytes)).toEqual([7, 8, 9]);
    expect(progress).toEqual([
      [0, null],
      [1, null],
      [3, null],
    ]);
  });

  it('says which HTTP status the server answered', async () => {
    const { result } = load(new Response('gone', { status: 404 }));
    await expect(result).rejects.toThrow(
      'The model at https://models.example.test/m.onnx could not be fetched (HTTP 404).',
    );
  });

  it('says when the request itself failed (offline, or no cross-origin permission)', async () => {
    const { result } = load(new TypeError('Failed to fetch'));
    await expect(result).rejects.toThrow(/could not be fetched \(offline, or the server does not allow it\)/);
  });

  it('says when the download broke off, and when it ended short of its Content-Length', async () => {
    const broken = load(chunked([[1, 2]], { 'content-length': '4' }, true));
    await expect(broken.result).rejects.toThrow(
      'The download of https://models.example.test/m.onnx broke off after 2 bytes.',
    );
    const short = load(chunked([[1, 2]], { 'content-length': '4' }));
    await expect(short.result).rejects.toThrow('is incomplete: 2 of 4 bytes arrived.');
  });
});
