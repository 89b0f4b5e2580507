import { storageCall, type StorageUnavailable } from "./storage-fault";

/** `Symbol.dispose`, which workerd defines and RPC promises and stubs implement (lib es2024 does not name it). */
const DISPOSE = (Symbol as { readonly dispose?: symbol }).dispose;

/**
 * A Durable Object stub whose every RPC call fails as StorageUnavailable (a DO call can fail when the object is
 * overloaded, reset or unreachable), calls pipelined on what a call returns included: in
 * `stub.keySeeds().create(input, actor)` both calls leave at once, in one round trip (Workers RPC promise pipelining),
 * and a failure of either comes out of the last as StorageUnavailable. Results that are not promises (properties)
 * pass through.
 */
export function faultMappedStub<T extends object>(stub: T, store: StorageUnavailable["store"]): T {
  return new Proxy(stub, {
    get(target, property) {
      // Read and call on the stub itself. Never `value.apply(…)`: on an RPC stub every property, `apply` included,
      // names a remote member, so that would call a remote method "apply".
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => faultMappedCall(store, () => Reflect.apply(value, target, args));
    },
  });
}

/**
 * The answer of one call, made at once: awaited, it settles as the call does (a failure as StorageUnavailable); its
 * methods are calls pipelined on what the call returns (an RPC target), each mapped the same way.
 *
 * Each pipelined call gets a target of its own, disposed once that call has settled, as the Workers RPC lifecycle asks
 * (a target's stub holds the object's end until disposed; one left to the garbage collector is logged as "not
 * disposed properly"): the first uses the answer of the call already made, each later one makes the call again, in
 * the same round trip as itself. An answer that is awaited is the caller's to dispose, so no pipelined call takes it.
 */
function faultMappedCall(store: StorageUnavailable["store"], call: () => unknown): unknown {
  let answer: unknown = started(call);
  let answerTaken = false;
  const takeTarget = (): unknown => {
    const target = answerTaken ? started(call) : answer;
    answerTaken = true;
    return target;
  };
  // Made when a handler is attached, not when `then` is only looked at (as `await` and test matchers do first).
  let settled: Promise<unknown> | undefined;
  return new Proxy(
    {},
    {
      get(_, property) {
        if (property === "then" || property === "catch" || property === "finally") {
          return (...handlers: unknown[]) => {
            answerTaken = true;
            settled ??= storageCall(store, () => Promise.resolve(answer));
            return Reflect.apply(settled[property], settled, handlers);
          };
        }
        if (typeof property === "symbol") return undefined;
        return (...args: unknown[]) =>
          faultMappedCall(store, () => {
            const target = takeTarget();
            const pipelined = pipelinedCall(target, property, args);
            const dispose = () => disposeTarget(target);
            Promise.resolve(pipelined).then(dispose, dispose);
            return pipelined;
          });
      },
    },
  );
}

/** Makes a call; a synchronous throw becomes a rejected answer. A failed target fails its pipelined calls, which say so. */
function started(call: () => unknown): unknown {
  let answer: unknown;
  try {
    answer = call();
  } catch (error) {
    answer = Promise.reject(error);
  }
  // Waited on by nobody when only pipelined on: its failure is reported through the pipelined call instead.
  Promise.resolve(answer).catch(() => undefined);
  return answer;
}

/**
 * `method` of what `target` answers: on an RPC promise, a pipelined call (every member of one is callable, and the
 * call leaves without waiting for the answer); on another promise (a stand-in in tests), a call once it has settled.
 */
function pipelinedCall(target: unknown, method: string, args: unknown[]): unknown {
  const member: unknown = target instanceof Object ? Reflect.get(target, method) : undefined;
  if (typeof member === "function") return Reflect.apply(member, target, args);
  return Promise.resolve(target).then((value: unknown) => Reflect.apply(Reflect.get(Object(value), method), value, args));
}

/** Releases a target once its pipelined call has settled (an RPC promise disposes the stub it resolved to). */
function disposeTarget(target: unknown): void {
  const dispose: unknown = DISPOSE && target instanceof Object ? Reflect.get(target, DISPOSE) : undefined;
  if (typeof dispose === "function") Reflect.apply(dispose, target, []);
}
