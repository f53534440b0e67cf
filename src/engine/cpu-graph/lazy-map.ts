/**
 * A read-only map whose values are computed at their first read, each at most once. The compiled chain's
 * PaneResult holds the forward excitations of every affine layer (three float64 arrays each, as large as
 * the layer's output), which only the views of E+ / E- and the correlation metric read: deferring them
 * saves most of their cost for the CLI's explain and the evaluation's maps. It reads as the map of the
 * computed values would: has, size and keys compute nothing; iterating computes every value not yet read,
 * in the order the keys were given.
 */
type Cell<V> = { done: true; value: V } | { done: false; compute: () => V };

export class LazyMap<K, V> implements ReadonlyMap<K, V> {
  private readonly cells = new Map<K, Cell<V>>();

  /** Each key with the function that gives its value (called at the key's first read). */
  constructor(computes: Iterable<readonly [K, () => V]>) {
    for (const [key, compute] of computes) this.cells.set(key, { done: false, compute });
  }

  get size(): number {
    return this.cells.size;
  }

  has(key: K): boolean {
    return this.cells.has(key);
  }

  get(key: K): V | undefined {
    let cell = this.cells.get(key);
    if (cell && !cell.done) {
      cell = { done: true, value: cell.compute() };
      // Setting an existing key keeps its place in the order.
      this.cells.set(key, cell);
    }
    return cell?.value;
  }

  keys(): MapIterator<K> {
    return this.cells.keys();
  }

  values(): MapIterator<V> {
    return this.computed().values();
  }

  entries(): MapIterator<[K, V]> {
    return this.computed().entries();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this) fn.call(thisArg, value, key, this);
  }

  /** Every value, computed where it was not yet. */
  private computed(): Map<K, V> {
    return new Map([...this.cells.keys()].map((key) => [key, this.get(key)!]));
  }
}
