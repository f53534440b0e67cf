/**
 * Reads the files out of a compiled Qt resource (.rcc, as written by Qt's `rcc --binary`), so that the
 * evaluation set can take photos that Debian ships only inside such resources (gcompris-qt-data).
 *
 * Layout (Qt's rcc.cpp, format versions 1-3): a header `qres`, version, and the offsets of three areas (big
 * endian): the tree (node 0 is the root folder), the file data and the names. A tree node is 14 bytes (22
 * from version 2 on, with a last-modified time): name offset, flags, then either a folder's child count and
 * first child index, or a file's locale and data offset. A name is its UTF-16 length, a hash and UTF-16BE
 * characters; file data is a 32-bit size and the bytes, zlib-compressed (qCompress: a 4-byte length first)
 * when the node's flags say so.
 */
import { inflateSync } from 'node:zlib';

const COMPRESSED = 0x01;
const DIRECTORY = 0x02;
const COMPRESSED_ZSTD = 0x04;

/** Every file in the resource, by its path inside it (e.g. `gcompris/src/activities/x/y.jpg`). */
export function readQtResource(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'qres') throw new Error(`not a Qt resource (magic '${magic}')`);
  const version = view.getUint32(4);
  if (version < 1 || version > 3) throw new Error(`unsupported Qt resource version ${version}`);
  const treeOffset = view.getUint32(8);
  const dataOffset = view.getUint32(12);
  const namesOffset = view.getUint32(16);
  const nodeSize = version >= 2 ? 22 : 14;

  const name = (offset: number): string => {
    const at = namesOffset + offset;
    const length = view.getUint16(at);
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(view.getUint16(at + 6 + 2 * i));
    return s;
  };
  const files = new Map<string, Uint8Array>();
  const visit = (index: number, prefix: string): void => {
    const at = treeOffset + index * nodeSize;
    const flags = view.getUint16(at + 4);
    const path = index === 0 ? '' : `${prefix}${name(view.getUint32(at))}`;
    if (flags & DIRECTORY) {
      const count = view.getUint32(at + 6);
      const first = view.getUint32(at + 10);
      for (let i = 0; i < count; i++) visit(first + i, path ? `${path}/` : '');
      return;
    }
    const dataAt = dataOffset + view.getUint32(at + 10);
    const size = view.getUint32(dataAt);
    const data = bytes.subarray(dataAt + 4, dataAt + 4 + size);
    if (flags & COMPRESSED_ZSTD) throw new Error(`${path}: zstd-compressed resources are not supported`);
    // qCompress puts the uncompressed length (4 bytes) before the zlib stream.
    files.set(path, flags & COMPRESSED ? new Uint8Array(inflateSync(data.subarray(4))) : data);
  };
  visit(0, '');
  return files;
}
