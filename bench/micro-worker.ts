import { keySeedFromBytes } from "../src/domain/content-key";
import { deriveContentKey } from "../src/domain/key-derivation";
import { KeyId } from "../src/domain/key-id";

/**
 * Micro-benchmark Worker, never deployed: PlayReady key-seed derivations per second against the physical floor,
 * three raw SHA-256 digests of the same input sizes (seed 30 B + KID 16 B = 46, 76 and 92 bytes). Locally
 * `performance.now()` advances during CPU work (observed in workerd), so a timed loop measures CPU.
 * GET /?ms=200&rounds=5 → JSON with the per-round rates of each variant.
 */

/** The input sizes of the three digests in the derivation (s‖k, s‖k‖s, s‖k‖s‖k). */
const DIGEST_SIZES = [46, 76, 92] as const;
/** Distinct KIDs cycled through, so nothing can be served from a cache of the last input. */
const KID_COUNT = 64;
/** Iterations between clock reads: small enough for a fine stop, large enough that reading the clock is noise. */
const BATCH = 64;

type Variant = () => Promise<unknown>;

async function ratePerSecond(variant: Variant, milliseconds: number): Promise<number> {
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (let i = 0; i < BATCH; i++) await variant();
    done += BATCH;
    elapsed = performance.now() - start;
  }
  return (done / elapsed) * 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const milliseconds = Number(params.get("ms") ?? "200");
    const rounds = Number(params.get("rounds") ?? "5");

    const seed = keySeedFromBytes(crypto.getRandomValues(new Uint8Array(30)));
    const kids = Array.from({ length: KID_COUNT }, () => KeyId.fromBytes(crypto.getRandomValues(new Uint8Array(16))));
    const inputs = Array.from({ length: KID_COUNT }, () => DIGEST_SIZES.map((size) => crypto.getRandomValues(new Uint8Array(size))));
    let next = 0;
    const pick = () => (next = (next + 1) % KID_COUNT);

    const variants: Record<string, Variant> = {
      // What the service runs per content key (src/domain/key-derivation.ts).
      derivation: () => deriveContentKey(seed, kids[pick()]!),
      // The floor, shaped like the derivation: three digests awaited together.
      rawParallel: () => {
        const [a, b, c] = inputs[pick()]!;
        return Promise.all([crypto.subtle.digest("SHA-256", a!), crypto.subtle.digest("SHA-256", b!), crypto.subtle.digest("SHA-256", c!)]);
      },
      // The floor as three plain awaits, one after the other.
      rawSequential: async () => {
        const [a, b, c] = inputs[pick()]!;
        await crypto.subtle.digest("SHA-256", a!);
        await crypto.subtle.digest("SHA-256", b!);
        return crypto.subtle.digest("SHA-256", c!);
      },
    };

    const rates: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    // Warm every path once so lazy compilation is not in the first round.
    for (const variant of Object.values(variants)) await ratePerSecond(variant, 20);
    // Interleaved rounds: a slow moment of the shared machine hits every variant alike.
    for (let round = 0; round < rounds; round++) {
      for (const [name, variant] of Object.entries(variants)) rates[name]!.push(await ratePerSecond(variant, milliseconds));
    }
    const medians = Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, median(values)]));
    const floor = Math.max(medians.rawParallel!, medians.rawSequential!);
    return Response.json({ rounds, milliseconds, rates, medians, ratio: medians.derivation! / floor });
  },
};
