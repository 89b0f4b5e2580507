/// <reference types="node" />
import { spawn } from "node:child_process";
import { createCipheriv, createHash, randomBytes, randomUUID } from "node:crypto";
import { access, constants, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keySeedFromBytes, type KeySeedValue } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { stableKeyId } from "../../src/domain/stable-key-id";
import { TEST_BINDINGS } from "../test-bindings";
import { startService, type RunningService } from "./service";

/**
 * Shaka Packager 3.4.2 (the binary, never the npm wrapper, which always exits 0) packages a generated clip with
 * keys from this service over the Widevine Common Encryption API; then the test plays license server: it reads
 * the Key IDs from the output, re-derives each key from the imported seed with the PlayReady key-seed algorithm,
 * decrypts with ffmpeg and compares frame hashes with the clear clip's (tried by hand first: ffmpeg 5.1 decrypts
 * Shaka's output in every scheme, and frame hashes, not exit codes, show whether it really did).
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHAKA = join(ROOT, "node_modules", "shaka-packager", "bin", "packager-linux-x64");
const WIDEVINE_SYSTEM_ID = "edef8ba979d64acea3c827dcd51d21ed";
/** 320x240 is an SD track for Shaka (≤ 768x576, widevine_encryption_options.rst). */
const CLIP = { seconds: 4, fps: 25, size: "320x240" };
const PROCESS_TIMEOUT_MS = 120_000;

interface Tenant {
  readonly tenantId: string;
  readonly authorization: string;
  readonly seed: KeySeedValue;
  readonly provider: string;
  readonly signingKey: Buffer;
  readonly signingIv: Buffer;
  readonly signingKeyHex: string;
  readonly signingIvHex: string;
}

let service: RunningService | undefined;
let work: string;
let tenant: Tenant;
let clear: { video: string[]; audio: string[]; audioPackets: string[] };

beforeAll(async () => {
  await requireTools();
  await mkdir(join(ROOT, "test", ".e2e"), { recursive: true });
  work = await mkdtemp(join(ROOT, "test", ".e2e", "shaka-"));
  await makeClip();
  service = await startService();
  tenant = await createTenantWithImportedSeed(service.url);
}, 180_000);

afterAll(async () => {
  await service?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("Shaka Packager against the Widevine CENC endpoint, checked by decryption", () => {
  it("packages cenc with per-track hashed Key IDs whose derived keys decrypt to the clear frames", async () => {
    const contentId = Buffer.from(`e2e-cenc-${randomBytes(4).toString("hex")}`);
    const out = join(work, "cenc");
    await packageWithWidevine(out, contentId, "cenc");

    const videoKid = await singleDefaultKid(join(out, "v.mp4"));
    const audioKid = await singleDefaultKid(join(out, "a.mp4"));
    // The hash rule, end to end: stableKeyId(tenant, ["widevine-cenc", content_id, track type, period 0]).
    expect(videoKid.toString()).toBe(
      (await stableKeyId(tenant.tenantId, ["widevine-cenc", contentId.toString("base64"), "SD", "0"])).toString(),
    );
    expect(audioKid.toString()).toBe(
      (await stableKeyId(tenant.tenantId, ["widevine-cenc", contentId.toString("base64"), "AUDIO", "0"])).toString(),
    );
    expect(await readFile(join(out, "manifest.mpd"), "utf8")).toContain(`cenc:default_KID="${videoKid.toString()}"`);

    await expectDecryptsToClear(join(out, "v.mp4"), "v", videoKid);
    await expectDecryptsToClear(join(out, "a.mp4"), "a", audioKid);
  });

  it("packages cbcs with a 16-byte content_id as every track's Key ID, decrypting to the clear frames", async () => {
    const contentId = randomBytes(16);
    const out = join(work, "cbcs");
    await packageWithWidevine(out, contentId, "cbcs");

    const videoKid = await singleDefaultKid(join(out, "v.mp4"));
    expect(videoKid.toHex()).toBe(contentId.toString("hex"));
    expect((await singleDefaultKid(join(out, "a.mp4"))).toHex()).toBe(contentId.toString("hex"));
    expect(await schemeType(join(out, "v.mp4"))).toBe("cbcs");

    await expectDecryptsToClear(join(out, "v.mp4"), "v", videoKid);
    await expectDecryptsToClear(join(out, "a.mp4"), "a", videoKid);
  });

  it("rotates keys per crypto period; each segment decrypts with its period's derived key", async () => {
    const contentId = Buffer.from(`e2e-rotation-${randomBytes(4).toString("hex")}`);
    const out = join(work, "rotation");
    await mkdir(out, { recursive: true });
    await runShaka([
      `in=${join(work, "clear.mp4")},stream=video,init_segment=${join(out, "v_init.mp4")},segment_template=${join(out, "v_$Number$.m4s")}`,
      `in=${join(work, "clear.mp4")},stream=audio,init_segment=${join(out, "a_init.mp4")},segment_template=${join(out, "a_$Number$.m4s")}`,
      ...widevineFlags(contentId),
      "--protection_scheme",
      "cenc",
      "--segment_duration",
      "1",
      "--crypto_period_duration",
      "1",
      "--mpd_output",
      join(out, "manifest.mpd"),
    ]);

    const expectedVideoKids = new Set(
      await Promise.all(
        Array.from({ length: 10 }, (_, period) =>
          stableKeyId(tenant.tenantId, ["widevine-cenc", contentId.toString("base64"), "SD", String(period)]).then((kid) => kid.toHex()),
        ),
      ),
    );
    const video = await decryptSegments(out, "v");
    expect(new Set(video.kids.map((kid) => kid.toHex())).size).toBeGreaterThanOrEqual(CLIP.seconds - 1);
    for (const kid of video.kids) expect(expectedVideoKids).toContain(kid.toHex());
    expect(video.hashes).toEqual(clear.video);

    // AAC frames overlap across segment boundaries, so audio is compared packet by packet (stream copy).
    const audio = await decryptSegments(out, "a");
    expect(new Set(audio.kids.map((kid) => kid.toHex())).size).toBeGreaterThanOrEqual(CLIP.seconds - 1);
    expect(audio.hashes).toEqual(clear.audioPackets);
  });

  it("makes Shaka fail, without retrying, when the signing key is wrong", async () => {
    const wrongKey = randomBytes(32).toString("hex");
    const result = await run(SHAKA, [
      `in=${join(work, "clear.mp4")},stream=video,output=${join(work, "wrong-key.mp4")}`,
      ...widevineFlags(Buffer.from("e2e-wrong-key")).map((arg) => (arg === tenant.signingKeyHex ? wrongKey : arg)),
      "--protection_scheme",
      "cenc",
    ]);
    expect(result.code).not.toBe(0);
    // Shaka logs the raw body once per try; INTERNAL_ERROR alone would have been retried (widevine_key_source.cc).
    const logged = [...result.stderr.matchAll(/Received non-OK license response: (\{.*\})/g)].map(
      (match) => JSON.parse(match[1]!) as { response: string },
    );
    expect(logged).toHaveLength(1);
    expect(JSON.parse(Buffer.from(logged[0]!.response, "base64").toString("utf8"))).toMatchObject({ status: "SIGNATURE_FAILED" });
  });
});

describe("The seed script's AES-signed request (Axinom sample: one SD track, Widevine + PlayReady + FairPlay)", () => {
  const kid = randomUUID();
  const request = JSON.stringify({
    content_id: Buffer.from(kid).toString("base64"),
    tracks: [{ type: "SD" }],
    drm_types: ["WIDEVINE", "PLAYREADY", "FAIRPLAY"],
  });

  it("returns key_id = the KID, its seed-derived key, a 16-byte IV, Widevine then PlayReady data and an skd_uri", async () => {
    const response = await postSignedRequest(request, signLikeTheSeedScript(request, tenant.signingKey, tenant.signingIv));
    expect(response.status).toBe("OK");
    const track = response.tracks[0];
    const keyId = Buffer.from(track.key_id, "base64");
    expect(KeyId.fromBytes(keyId).toString()).toBe(kid);
    expect(Buffer.from(track.key, "base64").toString("hex")).toBe(
      Buffer.from((await deriveContentKey(tenant.seed, KeyId.require(kid))).bytes).toString("hex"),
    );
    expect(Buffer.from(track.iv, "base64")).toHaveLength(16);

    expect(track.pssh[0].drm_type).toBe("WIDEVINE");
    // WidevinePsshData key_ids (field 2, length 16): 0x12 0x10 followed by the KID bytes.
    expect(Buffer.from(track.pssh[0].data, "base64").includes(Buffer.concat([Buffer.of(0x12, 0x10), keyId]))).toBe(true);

    expect(track.pssh[1].drm_type).toBe("PLAYREADY");
    const pro = Buffer.from(track.pssh[1].data, "base64");
    expect(pro.readUInt32LE(0)).toBe(pro.length); // PlayReady Object: Length DWORD, little-endian
    expect(pro.readUInt16LE(6)).toBe(1); // first record is a PlayReady Header
    const header = pro.subarray(10).toString("utf16le");
    expect(header).toMatch(/^<WRMHEADER /);
    expect(header).toContain(Buffer.from(KeyId.require(kid).guidBytes()).toString("base64"));

    expect(track.skd_uri).toMatch(/^skd:\/\//);
  });

  it("answers a tampered signature with HTTP 200, SIGNATURE_FAILED and no key", async () => {
    const signature = Buffer.from(signLikeTheSeedScript(request, tenant.signingKey, tenant.signingIv), "base64");
    signature[0]! ^= 1;
    const response = await postSignedRequest(request, signature.toString("base64"));
    expect(response.status).toBe("SIGNATURE_FAILED");
    expect(response.tracks).toBeUndefined();
  });
});

/** Fails with the reason, never skips, when a tool the test needs is missing. */
async function requireTools(): Promise<void> {
  const ffmpeg = await run("ffmpeg", ["-version"]).catch(() => undefined);
  if (ffmpeg?.code !== 0)
    throw new Error("ffmpeg is not installed: .ci/run must install it (apt-get install -y ffmpeg) for the Shaka end-to-end test");
  await access(SHAKA, constants.X_OK).catch(() => {
    throw new Error(`Shaka Packager binary missing at ${SHAKA}: run npm ci (devDependency shaka-packager@3.4.2)`);
  });
}

/** A 4 s H.264 + AAC clip with a key frame every second, so 1 s segments and crypto periods line up. */
async function makeClip(): Promise<void> {
  const source = join(work, "clear.mp4");
  const made = await run("ffmpeg", [
    "-nostdin",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=${CLIP.size}:rate=${CLIP.fps}:duration=${CLIP.seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=1000:sample_rate=48000:duration=${CLIP.seconds}`,
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-pix_fmt",
    "yuv420p",
    "-g",
    String(CLIP.fps),
    "-keyint_min",
    String(CLIP.fps),
    "-sc_threshold",
    "0",
    "-c:a",
    "aac",
    "-b:a",
    "64k",
    "-shortest",
    source,
  ]);
  expect(made.code, made.stderr).toBe(0);
  // Clear reference remuxed by Shaka itself: audio hashes change with Shaka's edit list (observed with Shaka 3.4.2).
  await runShaka([
    `in=${source},stream=video,output=${join(work, "clear_v.mp4")}`,
    `in=${source},stream=audio,output=${join(work, "clear_a.mp4")}`,
  ]);
  clear = {
    video: await frameHashes(join(work, "clear_v.mp4"), "v"),
    audio: await frameHashes(join(work, "clear_a.mp4"), "a"),
    audioPackets: await frameHashes(source, "a", { copy: true }),
  };
  expect(clear.video).toHaveLength(CLIP.seconds * CLIP.fps);
  expect(await frameHashes(source, "v")).toEqual(clear.video);
}

/** The operator and tenant steps a user takes: tenant, imported default seed, Widevine signing credential. */
async function createTenantWithImportedSeed(url: string): Promise<Tenant> {
  const created = await http(url, "POST", "/admin/tenants", { name: "e2e" }, `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`);
  expect(created.status, created.text).toBe(201);
  const { tenantId, managementKey } = created.json as { tenantId: string; managementKey: string };
  const authorization = `Basic ${Buffer.from(`${tenantId}:${managementKey}`).toString("base64")}`;

  const seedId = randomUUID();
  const seed = randomBytes(30);
  const imported = await http(url, "POST", "/api/Import/KeySeeds", [{ Id: seedId, Data: seed.toString("base64") }], authorization);
  expect(imported.status, imported.text).toBe(200);
  const madeDefault = await http(url, "PUT", `/api/KeySeeds/${seedId}`, { IsDefault: true }, authorization);
  expect(madeDefault.status, madeDefault.text).toBe(200);

  const provider = `e2e-${randomBytes(6).toString("hex")}`;
  const credential = await http(url, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: provider }, authorization);
  expect(credential.status, credential.text).toBe(201);
  const body = credential.json as {
    ProviderName: string;
    SigningKey: string;
    SigningIv: string;
    SigningKeyHex: string;
    SigningIvHex: string;
  };
  expect(body.ProviderName).toBe(provider);
  const signingKey = Buffer.from(body.SigningKey, "base64");
  const signingIv = Buffer.from(body.SigningIv, "base64");
  expect(signingKey).toHaveLength(32);
  expect(signingIv).toHaveLength(16);
  expect(body.SigningKeyHex.toLowerCase()).toBe(signingKey.toString("hex"));
  expect(body.SigningIvHex.toLowerCase()).toBe(signingIv.toString("hex"));
  return {
    tenantId,
    authorization,
    seed: keySeedFromBytes(seed),
    provider,
    signingKey,
    signingIv,
    signingKeyHex: signingKey.toString("hex"),
    signingIvHex: signingIv.toString("hex"),
  };
}

function widevineFlags(contentId: Buffer): string[] {
  return [
    "--enable_widevine_encryption",
    "--key_server_url",
    `${service!.url}/cenc/getcontentkey/${tenant.provider}`,
    "--content_id",
    contentId.toString("hex"),
    "--signer",
    tenant.provider,
    "--aes_signing_key",
    tenant.signingKeyHex,
    "--aes_signing_iv",
    tenant.signingIvHex,
    "--clear_lead",
    "0",
  ];
}

async function packageWithWidevine(out: string, contentId: Buffer, scheme: "cenc" | "cbcs"): Promise<void> {
  await mkdir(out, { recursive: true });
  await runShaka([
    `in=${join(work, "clear.mp4")},stream=video,output=${join(out, "v.mp4")}`,
    `in=${join(work, "clear.mp4")},stream=audio,output=${join(out, "a.mp4")}`,
    ...widevineFlags(contentId),
    "--protection_scheme",
    scheme,
    "--mpd_output",
    join(out, "manifest.mpd"),
  ]);
}

/** Decrypts with the key derived from the seed; hashes must equal the clear ones, and must not without the key. */
async function expectDecryptsToClear(file: string, stream: "v" | "a", kid: KeyId): Promise<void> {
  const key = Buffer.from((await deriveContentKey(tenant.seed, kid)).bytes).toString("hex");
  const reference = stream === "v" ? clear.video : clear.audio;
  expect(await frameHashes(file, stream, { key })).toEqual(reference);
  // Teeth: the file really is encrypted, and a different key does not decrypt it.
  expect(await frameHashes(file, stream, { allowFailure: true })).not.toEqual(reference);
  expect(await frameHashes(file, stream, { key: randomBytes(16).toString("hex"), allowFailure: true })).not.toEqual(reference);
}

/** For each media segment: its Key ID (seig sample group), and its frames decrypted with that period's key. */
async function decryptSegments(dir: string, stream: "v" | "a"): Promise<{ kids: KeyId[]; hashes: string[] }> {
  const init = await readFile(join(dir, `${stream}_init.mp4`));
  const segments = (await readdir(dir))
    .map((name) => new RegExp(`^${stream}_(\\d+)\\.m4s$`).exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  expect(segments.length).toBeGreaterThanOrEqual(CLIP.seconds);
  const kids: KeyId[] = [];
  const hashes: string[] = [];
  for (const [name] of segments) {
    const segment = await readFile(join(dir, name));
    const segmentKids = findKeyIds(segment).seig;
    expect(segmentKids, `${name} must name one Key ID`).toHaveLength(1);
    const kid = KeyId.fromBytes(segmentKids[0]!);
    kids.push(kid);
    const single = join(dir, `${name}.single.mp4`);
    await writeFile(single, Buffer.concat([init, segment]));
    const key = Buffer.from((await deriveContentKey(tenant.seed, kid)).bytes).toString("hex");
    hashes.push(...(await frameHashes(single, stream, { key, copy: stream === "a" })));
  }
  return { kids, hashes };
}

/** ffmpeg `-f framemd5`: the MD5 of each decoded frame (or of each packet with `copy`), in order, side data left out. */
async function frameHashes(
  file: string,
  stream: "v" | "a",
  options: { key?: string; copy?: boolean; allowFailure?: boolean } = {},
): Promise<string[]> {
  const result = await run("ffmpeg", [
    "-nostdin",
    "-loglevel",
    "error",
    ...(options.key ? ["-decryption_key", options.key] : []),
    "-i",
    file,
    "-map",
    `0:${stream}:0`,
    ...(options.copy ? ["-c", "copy"] : []),
    "-f",
    "framemd5",
    "-",
  ]);
  if (!options.allowFailure) expect(result.code, result.stderr).toBe(0);
  return (
    result.stdout
      .toString()
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"))
      // "stream, dts, pts, duration, size, hash[, S=n, side-data size, side-data hash…]": the sixth column.
      .map((line) => line.split(",")[5]!.trim())
  );
}

async function singleDefaultKid(file: string): Promise<KeyId> {
  const { tenc, psshSystems } = findKeyIds(await readFile(file));
  expect(tenc, `${file} must have one tenc box`).toHaveLength(1);
  expect(psshSystems).toContain(WIDEVINE_SYSTEM_ID);
  return KeyId.fromBytes(tenc[0]!);
}

async function schemeType(file: string): Promise<string> {
  const bytes = await readFile(file);
  const at = bytes.indexOf("schm");
  return bytes.subarray(at + 8, at + 12).toString("latin1");
}

const CONTAINER_BOXES = new Set(["moov", "trak", "mdia", "minf", "stbl", "moof", "traf", "sinf", "schi", "mvex", "edts", "dinf"]);
/** Bytes before the child boxes of a sample entry (ISO/IEC 14496-12 §8.5.2, §12.1.3, §12.2.3) or of stsd. */
const CHILD_OFFSET: Readonly<Record<string, number>> = { stsd: 8, encv: 78, enca: 28 };

/**
 * Key IDs in an ISO BMFF file: `tenc` default_KID (ISO/IEC 23001-7 §8.2), `seig` sample-group KIDs
 * (§6; Shaka writes them per fragment when rotating), and the system ids of `pssh` boxes.
 */
function findKeyIds(bytes: Buffer): { tenc: Buffer[]; seig: Buffer[]; psshSystems: string[] } {
  const found = { tenc: [] as Buffer[], seig: [] as Buffer[], psshSystems: [] as string[] };
  const walk = (start: number, end: number) => {
    for (let offset = start; offset + 8 <= end;) {
      const size = bytes.readUInt32BE(offset);
      const type = bytes.toString("latin1", offset + 4, offset + 8);
      if (size < 8 || offset + size > end) return; // 64-bit and to-end sizes do not occur in these small files
      const body = offset + 8;
      if (CONTAINER_BOXES.has(type)) walk(body, offset + size);
      else if (type in CHILD_OFFSET) walk(body + CHILD_OFFSET[type]!, offset + size);
      else if (type === "tenc")
        found.tenc.push(bytes.subarray(body + 8, body + 24)); // version/flags, 2 reserved/pattern, isProtected, IV size
      else if (type === "pssh") found.psshSystems.push(bytes.subarray(body + 4, body + 20).toString("hex"));
      else if (type === "sgpd" && bytes.toString("latin1", body + 4, body + 8) === "seig")
        found.seig.push(...seigKeyIds(body, offset + size));
      offset += size;
    }
  };
  const seigKeyIds = (body: number, end: number): Buffer[] => {
    const version = bytes[body]!;
    let at = body + 8;
    const defaultLength = version === 1 ? bytes.readUInt32BE(at) : 0;
    if (version === 1) at += 4;
    const count = bytes.readUInt32BE(at);
    at += 4;
    const kids: Buffer[] = [];
    for (let i = 0; i < count && at < end; i++) {
      let length = defaultLength;
      if (version === 1 && defaultLength === 0) {
        length = bytes.readUInt32BE(at);
        at += 4;
      }
      kids.push(bytes.subarray(at + 4, at + 20)); // reserved, crypt/skip, isProtected, Per_Sample_IV_Size, KID
      at += length;
    }
    return kids;
  };
  walk(0, bytes.length);
  return found;
}

/** SHA-1 → AES-256-CBC (PKCS#7) with the provider's key and IV, as the seed script does with pycryptodome. */
function signLikeTheSeedScript(request: string, key: Buffer, iv: Buffer): string {
  const digest = createHash("sha1").update(request).digest();
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  return Buffer.concat([cipher.update(digest), cipher.final()]).toString("base64");
}

async function postSignedRequest(request: string, signature: string): Promise<Record<string, any>> {
  const body = { request: Buffer.from(request).toString("base64"), signature, signer: tenant.provider };
  const response = await http(service!.url, "POST", "/api/WidevineProtectionInfo", body);
  expect(response.status, response.text).toBe(200);
  const { response: inner } = response.json as { response: string };
  return JSON.parse(Buffer.from(inner, "base64").toString("utf8"));
}

async function http(url: string, method: string, path: string, body?: unknown, authorization?: string) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...(authorization && { Authorization: authorization }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text: `${method} ${path} → ${response.status} ${text.slice(0, 500)}`, json };
}

async function runShaka(args: string[]): Promise<void> {
  const result = await run(SHAKA, args);
  expect(result.code, `packager exited with ${result.code}:\n${result.stderr.slice(-3000)}`).toBe(0);
}

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: work ?? ROOT, stdio: ["ignore", "pipe", "pipe"], timeout: PROCESS_TIMEOUT_MS });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString() }));
  });
}
