/**
 * Work counted, not timed (CONTRIBUTING: no timed assertions): src/xml/ looks every namespace prefix up with
 * `Map.prototype.get`, so the calls made while a parse or a canonicalization runs measure its scope lookups.
 * Plain TypeScript, so both the workers and the interop project use it.
 */

/** `run`'s result and the `Map.prototype.get` calls made while it ran (awaited, so an async check counts whole). */
export async function countMapLookups<T>(run: () => T | Promise<T>): Promise<{ result: T; lookups: number }> {
  const get = Map.prototype.get;
  let lookups = 0;
  Map.prototype.get = function (this: Map<unknown, unknown>, key: unknown) {
    lookups++;
    return get.call(this, key);
  };
  try {
    const result = await run();
    return { result, lookups };
  } finally {
    Map.prototype.get = get;
  }
}
