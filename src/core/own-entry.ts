/**
 * The entry of `table` for `key`, only if the table itself holds it: an op named `constructor`,
 * `toString` or `__proto__` read from a model must not find Object.prototype's members (a plain
 * `table[key]` returns them, and calling one crashes or silently computes nonsense). Every lookup keyed
 * by a name read from a model goes through this.
 */
export function ownEntry<V>(table: Readonly<Partial<Record<string, V>>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
