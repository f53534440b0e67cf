import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readQtResource } from '../../scripts/eval-set/qt-resource';

/** A Qt resource file laid out as Qt's rcc writes it (format 3): a folder `img` with two files. */
function resourceFile(plain: Uint8Array, packed: Uint8Array): Uint8Array {
  const names = ['img', 'a.txt', 'b.bin'];
  const nameBytes: number[] = [];
  const nameAt: number[] = [];
  for (const n of names) {
    nameAt.push(nameBytes.length);
    nameBytes.push(0, n.length, 0, 0, 0, 0); // length, hash (unused by readers)
    for (const c of n) nameBytes.push(0, c.charCodeAt(0));
  }
  const zipped = deflateSync(packed);
  const data = [
    ...u32(plain.length),
    ...plain,
    ...u32(4 + zipped.length),
    ...u32(packed.length), // qCompress: uncompressed length first
    ...zipped,
  ];
  const node = (name: number, flags: number, a: number[], b: number[]) => [
    ...u32(name),
    0,
    flags,
    ...a,
    ...b,
    ...new Array<number>(8).fill(0), // last modified
  ];
  const tree = [
    ...node(0, 2, u32(1), u32(1)), // root: 1 child from node 1
    ...node(nameAt[0], 2, u32(2), u32(2)), // img/: 2 children from node 2
    ...node(nameAt[1], 0, [0, 0, 0, 0], u32(0)), // a.txt, stored
    ...node(nameAt[2], 1, [0, 0, 0, 0], u32(4 + plain.length)), // b.bin, zlib
  ];
  const header = 24;
  const treeAt = header;
  const dataAt = treeAt + tree.length;
  const namesAt = dataAt + data.length;
  return Uint8Array.from([
    ...[...'qres'].map((c) => c.charCodeAt(0)),
    ...u32(3),
    ...u32(treeAt),
    ...u32(dataAt),
    ...u32(namesAt),
    ...u32(0),
    ...tree,
    ...data,
    ...nameBytes,
  ]);
}

function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

describe('readQtResource', () => {
  it('lists every file by path, inflating compressed ones', () => {
    const plain = new TextEncoder().encode('hello');
    const packed = Uint8Array.from({ length: 300 }, (_, i) => i % 7);
    const files = readQtResource(resourceFile(plain, packed));
    expect([...files.keys()]).toEqual(['img/a.txt', 'img/b.bin']);
    expect(new TextDecoder().decode(files.get('img/a.txt'))).toBe('hello');
    expect([...files.get('img/b.bin')!]).toEqual([...packed]);
  });

  it('refuses a file that is not a Qt resource', () => {
    expect(() => readQtResource(new TextEncoder().encode('PK\u0003\u0004 not qres at all'))).toThrow(
      /not a Qt resource/,
    );
  });
});
