import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffImageSize } from './image-sniff';
import { base64UrlToBytes, bytesToBase64Url } from './base64url';

const demo = (file: string) =>
  new Uint8Array(readFileSync(new URL(`../../public/demo/${file}`, import.meta.url)));

function bytes(...parts: (number[] | string)[]): Uint8Array {
  return Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)),
  );
}

const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const le16 = (v: number) => [v & 255, (v >>> 8) & 255];
const le24 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255];
const le32 = (v: number) => [...le16(v & 0xffff), ...le16(v >>> 16)];

describe('sniffImageSize', () => {
  it('reads the shipped demo images', () => {
    expect(sniffImageSize(demo('chelsea.png'))).toEqual({ format: 'png', width: 451, height: 300 });
    expect(sniffImageSize(demo('astronaut.png'))).toEqual({ format: 'png', width: 512, height: 512 });
    expect(sniffImageSize(demo('rocket.jpg'))).toEqual({ format: 'jpeg', width: 640, height: 427 });
  });

  it('reads a header that claims 10000 x 10000 without any pixel data', () => {
    const png = bytes([0x89], 'PNG\r\n\x1a\n', be32(13), 'IHDR', be32(10000), be32(10000), [8, 2, 0, 0, 0]);
    expect(sniffImageSize(png)).toEqual({ format: 'png', width: 10000, height: 10000 });
  });

  it('reads GIF, BMP (also top-down) and the three WebP flavours', () => {
    expect(sniffImageSize(bytes('GIF89a', le16(320), le16(200)))).toEqual({
      format: 'gif',
      width: 320,
      height: 200,
    });
    const bmp = (h: number) => bytes('BM', new Array(16).fill(0), le32(640), le32(h), [0, 0]);
    expect(sniffImageSize(bmp(480))).toEqual({ format: 'bmp', width: 640, height: 480 });
    expect(sniffImageSize(bmp(-480 >>> 0))).toEqual({ format: 'bmp', width: 640, height: 480 });
    const riff = (chunk: string, body: number[]) => bytes('RIFF', le32(100), 'WEBP', chunk, le32(20), body);
    const vp8 = riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...le16(800), ...le16(600), 0, 0]);
    expect(sniffImageSize(vp8)).toEqual({ format: 'webp', width: 800, height: 600 });
    const w = 799;
    const h = 599;
    const vp8l = riff('VP8L', [0x2f, ...le32(w | (h << 14)), 0, 0, 0, 0, 0]);
    expect(sniffImageSize(vp8l)).toEqual({ format: 'webp', width: 800, height: 600 });
    const vp8x = riff('VP8X', [0, 0, 0, 0, ...le24(799), ...le24(599), 0, 0]);
    expect(sniffImageSize(vp8x)).toEqual({ format: 'webp', width: 800, height: 600 });
  });

  it('gives null for text, truncated headers and empty input', () => {
    expect(sniffImageSize(bytes('this is not an image at all, just some text'))).toBeNull();
    expect(sniffImageSize(demo('chelsea.png').subarray(0, 12))).toBeNull();
    expect(sniffImageSize(new Uint8Array(0))).toBeNull();
    expect(sniffImageSize(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 2]))).toBeNull();
  });
});

describe('base64url', () => {
  it('round-trips bytes of every length without padding or +/', () => {
    for (let n = 0; n < 70; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 13) & 255);
      const text = bytesToBase64Url(b);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(base64UrlToBytes(text)).toEqual(b);
    }
  });

  it('throws on characters outside the alphabet', () => {
    expect(() => base64UrlToBytes('ab+c')).toThrow();
    expect(() => base64UrlToBytes('ab=c')).toThrow();
  });
});
