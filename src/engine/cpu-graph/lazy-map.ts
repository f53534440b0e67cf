/**
 * A Map whose values may be computed on first use. The compiled chain's PaneResult holds the forward
 * excitations of every affine layer (three float64 arrays each, as large as the layer's output), which only
 * the views of E+ / E- and the correlation metric read: deferring them saves most of their cost for the
 * CLI's explain and the evaluation's maps. Every Map operation behaves as if the values had been set eagerly
 * when they were deferred (a deferred key keeps its place in the iteration order).
 */
export class LazyMap<K, V> extends Map<K, V> {
  private readonly pending = new Map<K, () => V>();

  /** Sets `key` to `compute()`, called at the first read of the key (at most once). */
  defer(key: K, compute: () => V): this {
    // Reserve the key's place in the order; the value is filled in by the first read.
    super.set(key, undefined as V);
    this.pending.set(key, compute);
    return this;
  }

  override get(key: K): V | undefined {
    const compute = this.pending.get(key);
    if (compute) {
      this.pending.delete(key);
      super.set(key, compute());
    }
    return super.get(key);
  }

  override set(key: K, value: V): this {
    this.pending.delete(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.pending.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.pending.clear();
    super.clear();
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    this.settle();
    super.forEach(fn, thisArg);
  }

  override entries(): MapIterator<[K, V]> {
    this.settle();
    return super.entries();
  }

  override values(): MapIterator<V> {
    this.settle();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  /** Computes every deferred value (iteration then sees them all). */
  private settle(): void {
    for (const key of [...this.pending.keys()]) this.get(key);
  }
}
