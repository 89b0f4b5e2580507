import { readCpix } from "../src/cpix/reader";
import { writeCpix } from "../src/cpix/writer";
import { fromBase64 } from "../src/domain/bytes";
import { keySeedFromBytes } from "../src/domain/content-key";
import { answerCpixRequest } from "../src/protocols/cpix/answer";
import { acquireCpix, type AcquisitionContext } from "../src/protocols/cpix/acquire";
import { SPEKE_V2_PROFILES } from "../src/protocols/cpix/profiles/speke-v2";

/**
 * Stage micro-benchmark Worker, never deployed: the CPU time of each stage of a SPEKE v2 acquisition (read, fill,
 * write, write with the answer's UTF-8 encoding, and the whole acquisition without HTTP) for the bench's request
 * bodies, inside workerd, where `performance.now()` advances during CPU work. POST {"bodies": {name: base64}} → µs
 * per call, median of rounds.
 */

const PROFILE = SPEKE_V2_PROFILES["2.0"];
const UTF8 = new TextEncoder();

async function microsPerCall(run: () => unknown, milliseconds: number): Promise<number> {
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (let i = 0; i < 16; i++) await run();
    done += 16;
    elapsed = performance.now() - start;
  }
  return (elapsed * 1000) / done;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const {
      bodies,
      milliseconds = 200,
      rounds = 5,
    } = (await request.json()) as {
      bodies: Record<string, string>;
      milliseconds?: number;
      rounds?: number;
    };
    const seed = keySeedFromBytes(crypto.getRandomValues(new Uint8Array(30)));
    const context: AcquisitionContext = {
      tenantId: "00000000-0000-4000-8000-000000000000",
      seed,
      settings: {},
      overrideKeyIds: false,
      security: { now: new Date(), requireEncryption: false, requireSignedRequests: false, trustedRequesters: [] },
    };
    const results: Record<string, Record<string, number>> = {};
    for (const [name, base64] of Object.entries(bodies)) {
      const body = fromBase64(base64)!;
      const read = readCpix(body);
      if (!read.ok) throw new Error(`${name}: ${JSON.stringify(read.failure)}`);
      const answered = await answerCpixRequest(read.document, PROFILE, seed, context.settings);
      if (!answered.ok) throw new Error(`${name}: ${JSON.stringify(answered.failure)}`);
      const stages: Record<string, () => unknown> = {
        read: () => readCpix(body),
        fill: () => answerCpixRequest(read.document, PROFILE, seed, context.settings),
        write: () => writeCpix(answered.document),
        // What `new Response(xml)` does next: the text flattened and encoded, so a writer that leaves work for its
        // reader (a string of many pieces) is timed with that work.
        "write+utf8": () => UTF8.encode(writeCpix(answered.document)),
        acquisition: () => acquireCpix(body, PROFILE, context),
      };
      const samples: Record<string, number[]> = Object.fromEntries(Object.keys(stages).map((stage) => [stage, []]));
      for (const run of Object.values(stages)) await microsPerCall(run, 20);
      for (let round = 0; round < rounds; round++) {
        for (const [stage, run] of Object.entries(stages)) samples[stage]!.push(await microsPerCall(run, milliseconds));
      }
      results[name] = Object.fromEntries(Object.entries(samples).map(([stage, values]) => [stage, median(values)]));
    }
    return Response.json(results);
  },
};
