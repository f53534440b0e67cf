/**
 * Which addresses a share link may name for its model or image. A link is written by someone else: opened,
 * it must not make the visitor's browser reach into their own network or call a tracker. So a link names
 * only `https:` addresses (and `http://localhost` for development), never a literal private, loopback or
 * link-local address, and nothing it names is fetched before the visitor clicks (actions.applyLink).
 */

export const MAX_URL_CHARS = 2_000;

export type LinkUrlCheck = { url: string } | { problem: string };

/** The address a link may fetch, normalised, or why not (a sentence fragment). */
export function checkLinkUrl(text: string): LinkUrlCheck {
  if (text.length > MAX_URL_CHARS) return { problem: `is longer than ${MAX_URL_CHARS} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'is not an address' };
  }
  if (url.username || url.password) return { problem: 'carries a user name or password' };
  const localhost = url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && localhost)) {
    return { problem: 'must be an https: address (or http://localhost)' };
  }
  const reserved = reservedAddress(url.hostname);
  if (reserved) return { problem: `names a ${reserved} address` };
  return { url: url.href };
}

/** Host and path as the confirmation shows them. */
export function describeUrl(url: string): { host: string; path: string } {
  const u = new URL(url);
  return { host: u.host, path: `${u.pathname}${u.search}` };
}

/**
 * 'private', 'loopback', 'link-local' (and the like) for a literal IP address outside the public internet,
 * else null. The URL parser has already normalised the spellings (0x7f.1, 2130706433 and 127.1 all read
 * 127.0.0.1; IPv6 is compressed and bracketed).
 */
function reservedAddress(hostname: string): string | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  if (v4) return reservedV4(v4.slice(1).map(Number));
  if (hostname.startsWith('[') && hostname.endsWith(']')) return reservedV6(hostname.slice(1, -1));
  return null;
}

function reservedV4([a, b]: number[]): string | null {
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 100 && b >= 64 && b <= 127) return 'shared (carrier-grade NAT)';
  if (a === 0) return '"this network"';
  if (a >= 224) return 'multicast or reserved';
  return null;
}

function reservedV6(text: string): string | null {
  const groups = expandV6(text);
  if (!groups) return 'malformed IPv6';
  if (groups.every((g) => g === 0)) return 'unspecified';
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d carries an IPv4 address, and is as reserved as that one.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return reservedV4([groups[6] >> 8, groups[6] & 0xff]);
  }
  if ((groups[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((groups[0] & 0xfe00) === 0xfc00) return 'private (unique local)';
  if ((groups[0] & 0xff00) === 0xff00) return 'multicast';
  return null;
}

/** The eight 16-bit groups of an IPv6 address as the URL parser writes it (no dotted tail), or null. */
function expandV6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}
