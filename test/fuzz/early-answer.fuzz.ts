/// <reference types="node" />
import { createServer, type Server } from "node:net";
import { readCpix } from "../../src/cpix/reader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type RunningService } from "../interop/service";
import { secretsOf, sendAndCheck, type Fetcher } from "./checks";
import { CPIX_CORPUS } from "./corpus";
import { fetchReadingEarlyAnswer } from "./early-answer";
import type { FuzzRequest, FuzzTenant } from "./generators";
import { setUpFuzzTenant } from "./known-good";
import { serviceFetcher, type ServiceFetcher } from "./service-fetcher";

/**
 * The two inputs over 1 MiB that ended the long run in "fetch failed" (issue 24): the service answers them with 413
 * before reading the body and workerd closes the connection, so Node's fetch loses the answer on the failed write
 * about one time in three. Sent 20 times in a row through the harness's fetcher, each must get its 413 in the
 * protocol's shape, as the long run checks it.
 */
const REPEATS = 20;
/** src/domain/request-limits.ts's MAX_BODY_BYTES (1 MiB); every body here is well over it. */
const ONE_MIB = 1_048_576;

let service: RunningService;
let harness: ServiceFetcher;
let tenant: FuzzTenant;

beforeAll(async () => {
  service = await startService({ unlimitedRates: true });
  harness = serviceFetcher(service.url);
  tenant = await setUpFuzzTenant(harness.fetcher);
});

afterAll(async () => {
  console.log(
    `early-answer.fuzz: sent again ${JSON.stringify(harness?.sentAgain)}, answered on a connection of their own ${JSON.stringify(harness?.ownConnection)}`,
  );
  await service?.stop();
});

/** The SPEKE v2 example, re-declared UTF-16 and padded by a comment to about 2.2 MB of UTF-16LE with a BOM. */
function utf16Cpix(): Uint8Array {
  const example = new TextDecoder().decode(CPIX_CORPUS.find((document) => document.name.includes("speke-v2-preset"))!.bytes);
  const text = `\ufeff<?xml version="1.0" encoding="UTF-16"?><!--${" ".repeat(1_100_000)}-->${example.replace(/^<\?xml[^>]*\?>/, "")}`;
  const bytes = new Uint8Array(text.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
  return bytes;
}

function oversizedCpix(): FuzzRequest {
  return {
    method: "POST",
    path: "/api/SpekeV2",
    headers: { Authorization: tenant.authorization, "Content-Type": "text/xml; charset=utf-16", "X-Speke-Version": "2.0" },
    body: utf16Cpix(),
  };
}

/** 101 entries (one past the import's bound) whose Data are 70,000 characters each: about 7 MB of JSON. */
function oversizedSeedImport(): FuzzRequest {
  const entries = Array.from({ length: 101 }, () => ({ Id: crypto.randomUUID(), Data: "A".repeat(70_000) }));
  return {
    method: "POST",
    path: "/api/Import/KeySeeds",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/json" },
    body: new TextEncoder().encode(JSON.stringify(entries)),
  };
}

async function send(fetcher: Fetcher, request: FuzzRequest): Promise<{ status: number; message: string | null; text: string }> {
  const response = await fetcher(request.path, { method: request.method, headers: request.headers, body: request.body });
  return { status: response.status, message: response.headers.get("X-AxDRM-ErrorMessage"), text: await response.text() };
}

describe("a body over 1 MiB answered before it is read", () => {
  it("gets 413 in SPEKE's text shape for a 2.2 MB UTF-16 CPIX, 20 times in a row through the harness", async () => {
    const request = oversizedCpix();
    expect(request.body!.length).toBeGreaterThan(2 * ONE_MIB);
    for (let i = 0; i < REPEATS; i++) {
      expect(await sendAndCheck(harness.fetcher, request, "text", secretsOf(tenant))).toEqual({ status: "413", size: expect.any(Number) });
      expect(await send(harness.fetcher, request)).toEqual({
        status: 413,
        message: "Request body exceeds 1 MiB",
        text: "Request body exceeds 1 MiB",
      });
    }
  });

  it('gets 413 {"error"} for a 101-entry seed import of 70,000-character values, 20 times in a row through the harness', async () => {
    const request = oversizedSeedImport();
    expect(request.body!.length).toBeGreaterThan(6 * ONE_MIB);
    for (let i = 0; i < REPEATS; i++) {
      expect(await sendAndCheck(harness.fetcher, request, "json", secretsOf(tenant))).toEqual({ status: "413", size: expect.any(Number) });
      const answer = await send(harness.fetcher, request);
      expect(answer).toMatchObject({ status: 413, message: expect.stringContaining("Request body exceeds") });
      expect(JSON.parse(answer.text)).toEqual({ error: `Request body exceeds ${ONE_MIB} bytes` });
    }
  });

  it("reads the 413 on a connection of its own every time, however the write of the body ends", async () => {
    for (const request of [oversizedCpix(), oversizedSeedImport()]) {
      for (let i = 0; i < REPEATS; i++) {
        expect((await send((path, init) => fetchReadingEarlyAnswer(service.url, path, init), request)).status).toBe(413);
      }
    }
  });
});

describe("a connection of its own", () => {
  it("reads a whole answer to a body the server does read (the SPEKE v2 example gets its keys)", async () => {
    const example = CPIX_CORPUS.find((document) => document.name.includes("speke-v2-preset"))!;
    const answer = await send((path, init) => fetchReadingEarlyAnswer(service.url, path, init), {
      method: "POST",
      path: `/api/SpekeV2?keySeedId=${tenant.seedId}`,
      headers: { Authorization: tenant.authorization, "Content-Type": "application/xml", "X-Speke-Version": "2.0" },
      body: example.bytes,
    });
    expect(answer.status).toBe(200);
    const read = readCpix(new TextEncoder().encode(answer.text));
    expect(read.ok && read.document.contentKeyList?.items.map((key) => key.value?.bytes.length)).toEqual([16, 16, 16, 16]);
  });

  it("stays a failure when the connection closes without any answer", async () => {
    const server: Server = createServer((socket) => socket.on("data", () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      const init = { method: "POST", headers: { "Content-Type": "application/json" }, body: new Uint8Array(2 * ONE_MIB) };
      await expect(fetchReadingEarlyAnswer(origin, "/api/Import/KeySeeds", init)).rejects.toThrow(/without a whole answer/);
      await expect(serviceFetcher(origin).fetcher("/api/Import/KeySeeds", init)).rejects.toThrow();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
