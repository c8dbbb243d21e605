/** A small least-recently-used map for verification results; capacity 0 disables it. */
export interface Lru<V> {
  get(key: string): V | undefined;
  /** Stores and returns `value`. */
  set(key: string, value: V): V;
}

/** Map iteration order is insertion order, so re-inserting on a hit makes the first key the least recent. */
export function createLru<V>(capacity: number): Lru<V> {
  const entries = new Map<string, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      if (capacity <= 0) return value;
      entries.set(key, value);
      const oldest = entries.keys().next();
      if (entries.size > capacity && oldest.done !== true) entries.delete(oldest.value);
      return value;
    },
  };
}
