import type { SnapshotSink } from "../../../src/tenancy/snapshot-publisher";

/** A sink that keeps what it was given in memory, like one KV key per name: each put replaces the whole value. */
export class MemorySnapshotSink implements SnapshotSink {
  readonly values = new Map<string, string>();
  /** Every value accepted, in order. */
  readonly accepted: string[] = [];

  async put(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.accepted.push(value);
  }
}

/** Wraps a sink and makes chosen writes fail or wait, as a KV outage or a slow KV write would. */
export class FaultInjectingSink implements SnapshotSink {
  readonly #inner: SnapshotSink;
  #failuresLeft = 0;
  #held: { readonly released: Promise<void>; readonly reached: () => void } | undefined;
  attempts = 0;

  constructor(inner: SnapshotSink) {
    this.#inner = inner;
  }

  /** The next `count` writes throw and reach nothing. */
  failNext(count = 1): void {
    this.#failuresLeft = count;
  }

  /**
   * Makes writes wait until `release` is called (then they go through, or fail if so armed); `reached` settles
   * once a write is waiting, i.e. a publish has built its snapshot and is in flight.
   */
  hold(): { readonly reached: Promise<void>; readonly release: () => void } {
    let release: () => void = () => {};
    let reached: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.#held = { released, reached };
    return {
      reached: reachedPromise,
      release: () => {
        this.#held = undefined;
        release();
      },
    };
  }

  async put(key: string, value: string): Promise<void> {
    this.attempts++;
    if (this.#held) {
      this.#held.reached();
      await this.#held.released;
    }
    if (this.#failuresLeft > 0) {
      this.#failuresLeft--;
      throw new Error("injected KV write failure");
    }
    await this.#inner.put(key, value);
  }
}
