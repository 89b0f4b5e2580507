/**
 * Setup file of the workers projects: a work-around for a defect of the Workers pool 0.15
 * (cloudflare/workers-sdk#15092, fixed by #15106 in a later release). The pool's wrapper of the Worker's entry point
 * and of each Durable Object class (`createProxyPrototypeClass`, dist/worker/lib/cloudflare/test-internal.mjs) wraps
 * the class's prototype in one more `Proxy` every time it is constructed: once per `SELF.fetch` and once per Durable
 * Object instance. After N of them every property read on an instance runs N nested `get` traps, so a runtime slows
 * down with every request it has served and at about ten thousand throws "Maximum call stack size exceeded".
 *
 * The pool reads the global `Proxy` when it constructs, so this replaces it with one that hands back the proxy the
 * pool made at the first construction when the pool asks to wrap it again with the same trap: what #15106 does. The
 * layers it leaves out all behaved alike (each asks the layer beneath, then the same `getUnknownPrototypeKey`), so
 * nothing answers differently. Only a target this module saw made by a trap naming `getUnknownPrototypeKey` is
 * affected: every other `Proxy` (the tests' fault-injecting bindings, src/tenancy/fault-mapped-stub.ts) is made as
 * before.
 */
const INSTALLED = Symbol.for("edge-key-service.single-prototype-proxy");

/** The pool's trap reads unknown prototype keys through this function (test-internal.mjs, `createProxyPrototypeClass`). */
const POOL_TRAP_MARK = "getUnknownPrototypeKey";

const scope = globalThis as typeof globalThis & { [INSTALLED]?: true };
if (!scope[INSTALLED]) {
  scope[INSTALLED] = true;
  const NativeProxy = Proxy;
  /** Each prototype proxy the pool made, with the source of its `get` trap. */
  const poolPrototypeProxies = new WeakMap<object, string>();
  scope.Proxy = new NativeProxy(NativeProxy, {
    construct(_target, [object, handler]: [object, ProxyHandler<object>]) {
      const trap = typeof handler?.get === "function" ? handler.get.toString() : undefined;
      if (trap === undefined || !trap.includes(POOL_TRAP_MARK)) return new NativeProxy(object, handler);
      if (poolPrototypeProxies.get(object) === trap) return object;
      const proxy = new NativeProxy(object, handler);
      poolPrototypeProxies.set(proxy, trap);
      return proxy;
    },
  });
}
