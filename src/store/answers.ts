/**
 * Cached database answers (sqlite-driver.ts) are frozen and shared until the next commit, so
 * whatever is made from one cannot change while it lives. `derived` keeps such a value with the
 * answer it was made from, once per key, and lets it go with the answer; from anything that is
 * not frozen (PostgreSQL, reads in transactions) the value is made afresh on every call.
 */
export function derived<T>(source: object, key: unknown, make: () => T): T {
  if (!Object.isFrozen(source)) return make();
  let values = memo.get(source);
  if (values === undefined) memo.set(source, (values = new Map()));
  if (values.has(key)) return values.get(key) as T;
  const value = make();
  values.set(key, value);
  return value;
}
const memo = new WeakMap<object, Map<unknown, unknown>>();

/** One column of a query's rows as a list; a cached answer's is made once, and frozen too. */
export function column<Row, K extends keyof Row>(rows: readonly Row[], key: K): readonly Row[K][] {
  if (!Object.isFrozen(rows)) return rows.map((r) => r[key]);
  return derived(rows, key, () => Object.freeze(rows.map((r) => r[key])));
}

/** Whether `list` holds `value`; a cached answer's list gets a Set made once, any other is searched. */
export function listHas<T>(list: readonly T[], value: T): boolean {
  return Object.isFrozen(list) ? derived(list, AS_SET, () => new Set(list)).has(value) : list.includes(value);
}
const AS_SET = Symbol('set');
