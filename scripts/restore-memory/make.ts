import "./native";
// Makes a backup document of argv[3] bytes for a synthetic large tenant (argv[4] content keys, default 100,000, the
// rest issuance records) and writes it, its payload and the restore key into the folder argv[2].
import { writeFileSync } from "node:fs";
import { sealBackup } from "../../src/backup/backup-document";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { makeTestCertificate } from "../../test/workers/support/make-certificate";

const [folder = ".", bytes = String(16 * 1024 * 1024), keys = "100000"] = process.argv.slice(2);
const target = Number(bytes);
const uuid = () => crypto.randomUUID();
const b64 = (n: number) => toBase64(crypto.getRandomValues(new Uint8Array(n)));
const contentKeys = { columns: ["id", "name", "sealed_value", "iv", "created", "creation_method", "published"], rows: [] as unknown[][] };
const KEYS = Number(keys);
for (let i = 0; i < KEYS; i++)
  contentKeys.rows.push([
    uuid(),
    `title-${i}`,
    `v1.${b64(16)}.${b64(44)}`,
    "0123456789abcdef0123456789abcdef",
    new Date().toISOString(),
    0,
    1,
  ]);
const issuance = { columns: ["seq", "id", "time", "protocol", "content_id", "kids", "credential", "key_seed_id"], rows: [] as unknown[][] };
const dump = {
  format: 1,
  tenantId: uuid(),
  schemaVersion: 10,
  dataKey: b64(32),
  tables: { content_keys: contentKeys, issuance_log: issuance },
};
// The document is about 4/3 of the payload (base64) plus the header and keys.
const payloadTarget = Math.floor(((target - 4096) * 3) / 4);
let size = JSON.stringify(dump).length;
let seq = 0;
while (size < payloadTarget - 400) {
  const row = [
    ++seq,
    uuid(),
    new Date().toISOString(),
    "speke-v2.0",
    `channel-${seq % 1000}/segment`,
    JSON.stringify([uuid()]),
    uuid(),
    uuid(),
  ];
  issuance.rows.push(row);
  size += JSON.stringify(row).length + 1;
}
const payload = utf8(JSON.stringify(dump));
const cert = await makeTestCertificate({ key: 3072, keyUsage: 0x20 });
const pem = `-----BEGIN CERTIFICATE-----\n${toBase64(cert.der).replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----\n`;
const header = {
  tenantId: dump.tenantId,
  created: new Date().toISOString(),
  schemaVersion: 10,
  counts: { contentKeys: KEYS, issuanceLog: seq },
};
const sealed = await sealBackup(payload, header, pem);
if (!sealed.ok) throw new Error(JSON.stringify(sealed.failure));
writeFileSync(`${folder}/document`, sealed.document);
writeFileSync(`${folder}/payload`, payload);
writeFileSync(`${folder}/der`, cert.der);
writeFileSync(`${folder}/pkcs8`, cert.pkcs8);
console.log(JSON.stringify({ document: sealed.document.length, payload: payload.length, contentKeys: KEYS, issuanceRows: seq }));
