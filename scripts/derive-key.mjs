#!/usr/bin/env node
// What a license service does: re-create a content key from the Key Seed and the Key ID, with Microsoft's
// published PlayReady key-seed algorithm (MicrosoftDocs/PlayReady, "PlayReady Key Seed" specification). Independent of the service's own code.
// Usage: node scripts/derive-key.mjs <seed base64 (30 bytes)> <kid uuid>  → key as base64 and hex
import { createHash } from "node:crypto";

const [seedBase64, kidText] = process.argv.slice(2);
if (!seedBase64 || !kidText) {
  console.error("usage: node scripts/derive-key.mjs <seed base64> <kid uuid>");
  process.exit(2);
}
const seed = Buffer.from(seedBase64, "base64").subarray(0, 30);
const hex = kidText.replace(/[-{}]/g, "");
if (seed.length !== 30 || !/^[0-9a-fA-F]{32}$/.test(hex)) {
  console.error("the seed must be 30 bytes and the kid a UUID");
  process.exit(2);
}
const be = Buffer.from(hex, "hex");
// .NET Guid.ToByteArray(): the first three fields little-endian.
const kid = Buffer.concat([
  Buffer.from(be.subarray(0, 4)).reverse(),
  Buffer.from(be.subarray(4, 6)).reverse(),
  Buffer.from(be.subarray(6, 8)).reverse(),
  be.subarray(8),
]);
const sha256 = (...parts) => createHash("sha256").update(Buffer.concat(parts)).digest();
const a = sha256(seed, kid);
const b = sha256(seed, kid, seed);
const c = sha256(seed, kid, seed, kid);
const key = Buffer.alloc(16);
for (let i = 0; i < 16; i++) key[i] = a[i] ^ a[i + 16] ^ b[i] ^ b[i + 16] ^ c[i] ^ c[i + 16];
console.log(`${key.toString("base64")} ${key.toString("hex")}`);
