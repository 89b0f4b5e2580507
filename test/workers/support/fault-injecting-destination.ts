import type { IssuanceDestination } from "../../../src/protocols/issuance-delivery";
import type { IssuanceRecord, ManagementResult } from "../../../src/tenancy/tenant-types";

/** How an attempt fails: before reaching the object (nothing stored), or after it stored the batch (the answer lost). */
export type InjectedFault = "before-delivery" | "after-delivery";

/**
 * Wraps the tenant object as an issuance destination and makes chosen attempts fail, as a Durable Object that is
 * unreachable, or that committed but whose answer never came back, would.
 */
export class FaultInjectingDestination implements IssuanceDestination {
  readonly #inner: () => IssuanceDestination;
  readonly #faults: InjectedFault[];
  attempts = 0;

  /** `faults` are used in order, one per attempt; attempts past them go through. */
  constructor(inner: () => IssuanceDestination, faults: readonly InjectedFault[]) {
    this.#inner = inner;
    this.#faults = [...faults];
  }

  async append(records: readonly IssuanceRecord[]): Promise<ManagementResult<{ appended: number }>> {
    this.attempts++;
    const fault = this.#faults.shift();
    if (fault === "before-delivery") throw new Error("injected: object unreachable");
    const result = await this.#inner().append(records);
    if (fault === "after-delivery") throw new Error("injected: answer lost after the object stored the batch");
    return result;
  }
}
