import { parse, type TNode } from "txml/txml";
import { deliveryValues, keyAndIv } from "./floor-crypto";
import { commitIssuance, type FloorIssuanceLog } from "./floor-issuance";

export { FloorIssuanceLog } from "./floor-issuance";

/**
 * The floor Worker, never deployed (bench/floor.mjs): for each acquisition scenario it does only the work this
 * service's design cannot skip on Workers, and nothing else, so its throughput bounds from above what the scenario can
 * reach here with that design. The design, not any key service: txml is the parser, keys are the PlayReady key-seed
 * derivation with the service's derived IVs, every digest is a WebCrypto call, acquisitions are rate-limited and
 * logged. What it does:
 * - the acquisition rate-limit binding call and the credential check (HMAC-SHA256 of the presented secret with a
 *   cached key, compared in constant time) — for the Widevine CENC API instead the request signature (SHA-1, then
 *   AES-256-CBC with a cached key);
 * - reading the body and parsing it: txml for CPIX (no well-formedness, namespace or limit checks, no typed read
 *   beyond the KIDs), JSON.parse for Widevine;
 * - the cryptography (floor-crypto.ts): 4 SHA-256 per key (key-seed derivation and IV), one more per Widevine key (its
 *   stable KID); with DeliveryData two RSA-OAEP encryptions and their MACs, then AES-256-CBC and HMAC-SHA512 per key;
 * - one issuance record (an id, the time, the KIDs) committed by the tenant's Durable Object before the answer leaves,
 *   grouped per tenant per isolate as the service groups them (floor-issuance.ts: one RPC and one SQLite transaction
 *   per group);
 * - the answer: the service's own checked answer for the scenario, cut at every key, IV, ciphertext and MAC, with
 *   this request's values put into the cuts, sent with the same headers.
 * What it leaves out, each of which the service must do, so the floor is optimistic: building the signalling (PSSH,
 * PlayReady objects, HLS lines, ContentProtectionData) and writing XML or JSON (the cut answer acts as a perfect cache
 * of the bench's repeated KIDs), the well-formedness, namespace, limit and request checks, the tenant's settings,
 * parsing the DeliveryData certificate (its RSA key is imported once at setup), and the issuance commit's tenant
 * check, pruning, retries and parking.
 * The floor's keys come from its own seed, so its bytes differ from the service's only in those values.
 */

/** A scenario's answer cut at the values each request supplies. */
interface AnswerTemplate {
  readonly kind: "cpix" | "cpix-delivery" | "widevine";
  /** n + 1 pieces of text around n slots. */
  readonly pieces: readonly string[];
  /** What goes in each slot, in order. */
  readonly slots: readonly ("key" | "iv" | "cipher" | "mac")[];
  readonly headers: readonly (readonly [string, string])[];
}

interface FloorEnv {
  readonly ACQUISITION_RATE_LIMITER: RateLimit;
  readonly ISSUANCE: DurableObjectNamespace<FloorIssuanceLog>;
}

interface Secrets {
  readonly credentialHashKey: CryptoKey;
  readonly credentialHash: Uint8Array;
  readonly signerKey: CryptoKey;
  readonly signerIv: Uint8Array;
}

const templates = new Map<string, AnswerTemplate>();
let secrets: Secrets | undefined;
let seed: Uint8Array | undefined;
/** The DeliveryData recipient's RSA key, imported once (the service caches it per certificate too). */
let recipientKey: CryptoKey | undefined;
const UTF8 = new TextEncoder();
const UTF8_DECODER = new TextDecoder();

export default {
  async fetch(request: Request, env: FloorEnv, context: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return new Response("ok", { headers: { "content-type": "text/plain; charset=UTF-8" } });
    if (url.pathname === "/floor/setup") return setUp(await request.json());
    if (url.pathname === "/floor/issued") return issued(env, url.searchParams.getAll("object"));
    const template = templates.get(request.headers.get("x-floor-scenario") ?? "");
    if (!template || !secrets) return new Response("no such scenario", { status: 404 });
    return template.kind === "widevine"
      ? answerWidevine(request, env, context, template, secrets)
      : answerCpix(request, env, context, template, secrets);
  },
};

async function setUp(body: {
  scenario: string;
  template: AnswerTemplate;
  secret: string;
  signerKeyHex: string;
  signerIvHex: string;
  recipientSpkiBase64?: string;
}): Promise<Response> {
  seed ??= crypto.getRandomValues(new Uint8Array(30));
  if (!secrets) {
    const credentialHashKey = await crypto.subtle.importKey(
      "raw",
      crypto.getRandomValues(new Uint8Array(32)),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    secrets = {
      credentialHashKey,
      credentialHash: new Uint8Array(await crypto.subtle.sign("HMAC", credentialHashKey, UTF8.encode(body.secret))),
      signerKey: await crypto.subtle.importKey("raw", hex(body.signerKeyHex), "AES-CBC", false, ["encrypt"]),
      signerIv: hex(body.signerIvHex),
    };
  }
  if (body.recipientSpkiBase64) {
    recipientKey = await crypto.subtle.importKey(
      "spki",
      Uint8Array.fromBase64(body.recipientSpkiBase64),
      { name: "RSA-OAEP", hash: "SHA-1" },
      false,
      ["encrypt"],
    );
  }
  templates.set(body.scenario, body.template);
  return new Response(null, { status: 204 });
}

/** How many issuance records the named objects hold: floor.mjs checks that every answered acquisition left one. */
async function issued(env: FloorEnv, names: readonly string[]): Promise<Response> {
  const counts = await Promise.all(names.map((name) => env.ISSUANCE.get(env.ISSUANCE.idFromName(name)).count()));
  return Response.json({ records: counts.reduce((sum, count) => sum + count, 0) });
}

async function answerCpix(
  request: Request,
  env: FloorEnv,
  context: ExecutionContext,
  template: AnswerTemplate,
  held: Secrets,
): Promise<Response> {
  const authorization = request.headers.get("authorization") ?? "";
  const [tenantId = "", secret = ""] = atob(authorization.slice("Basic ".length)).split(":");
  const [{ success }, presented] = await Promise.all([
    env.ACQUISITION_RATE_LIMITER.limit({ key: `acquisition:${tenantId}` }),
    crypto.subtle.sign("HMAC", held.credentialHashKey, UTF8.encode(secret)),
  ]);
  if (!success || !equalBytes(new Uint8Array(presented), held.credentialHash)) return new Response("refused", { status: 401 });
  const text = await request.text();
  const kids: string[] = [];
  collectKids(parse(text, { selfClosingTags: [] }), kids);
  const materials = await Promise.all(kids.map((kid) => keyAndIv(seed!, Uint8Array.fromHex(kid.replaceAll("-", "")))));
  const values: string[] = [];
  if (template.kind === "cpix-delivery") {
    values.push(...(await deliveryValues(materials, recipientKey!)));
  } else {
    for (const { key, iv } of materials) values.push(iv.toBase64(), key.toBase64());
  }
  await commitIssuance(env.ISSUANCE, context, tenantId, { id: crypto.randomUUID(), time: new Date().toISOString(), kids });
  return new Response(fill(template, values), { headers: template.headers as [string, string][] });
}

async function answerWidevine(
  request: Request,
  env: FloorEnv,
  context: ExecutionContext,
  template: AnswerTemplate,
  held: Secrets,
): Promise<Response> {
  const envelope = JSON.parse(await request.text()) as { request: string; signature: string; signer: string };
  const requestBytes = Uint8Array.fromBase64(envelope.request);
  const [{ success }, digest] = await Promise.all([
    env.ACQUISITION_RATE_LIMITER.limit({ key: `acquisition:${envelope.signer}` }),
    crypto.subtle.digest("SHA-1", requestBytes),
  ]);
  const expected = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: held.signerIv }, held.signerKey, digest));
  if (!success || !equalBytes(expected, Uint8Array.fromBase64(envelope.signature))) return Response.json({ response: "" }, { status: 401 });
  const inner = JSON.parse(UTF8_DECODER.decode(requestBytes)) as {
    content_id: string;
    tracks: { type: string }[];
    first_crypto_period_index?: number;
    crypto_period_count?: number;
  };
  const periods = inner.crypto_period_count ?? 1;
  const names: string[] = [];
  for (let period = 0; period < periods; period++) {
    for (const track of inner.tracks) names.push(`${inner.content_id}\0${track.type}\0${(inner.first_crypto_period_index ?? 0) + period}`);
  }
  const kids = await Promise.all(
    names.map(async (name) => new Uint8Array(await crypto.subtle.digest("SHA-256", UTF8.encode(name)), 0, 16)),
  );
  const materials = await Promise.all(kids.map((kid) => keyAndIv(seed!, kid, 8)));
  const values: string[] = [];
  for (const { key, iv } of materials) values.push(key.toBase64(), iv.toBase64());
  const record = { id: crypto.randomUUID(), time: new Date().toISOString(), kids: kids.map((kid) => kid.toHex()) };
  await commitIssuance(env.ISSUANCE, context, envelope.signer, record);
  return new Response(`{"response":"${btoa(fill(template, values))}"}`, { headers: template.headers as [string, string][] });
}

/** The `kid` of every ContentKey, in document order (the only typed read the answer needs). */
function collectKids(nodes: readonly (TNode | string)[], kids: string[]): void {
  for (const node of nodes) {
    if (typeof node === "string") continue;
    if (node.tagName.endsWith("ContentKey") && node.attributes.kid) kids.push(node.attributes.kid);
    else collectKids(node.children, kids);
  }
}

function fill(template: AnswerTemplate, values: readonly string[]): string {
  let text = template.pieces[0]!;
  for (let i = 0; i < template.slots.length; i++) text += values[i] + template.pieces[i + 1]!;
  return text;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function hex(text: string): Uint8Array {
  return Uint8Array.fromHex(text);
}
