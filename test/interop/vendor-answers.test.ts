/// <reference types="node" />
import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CPIX_NS, XMLENC_NS } from "../../src/cpix/namespaces";
import { parseCertificate } from "../../src/x509/certificate";
import { signCpixDocument } from "../../src/cpix/security/xml-signature";
import { keySeedFromBytes } from "../../src/domain/content-key";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { KeyId } from "../../src/domain/key-id";
import { startService, type RunningService } from "./service";
import { mustRun, opensslCertificate, requireTool, runTool, scratchFolder, type OpensslCertificate } from "./tools";
import { createServiceTenant } from "./walkthrough";
import { parseDom, type DomElement } from "./xml-dom";
import { validateCpixXml, type CpixSchemaVersion } from "./xsd";

/**
 * The vendor profiles' answers, checked outside our code: each validates against the CPIX XSD of its version
 * (libxml2), and a Harmonic answer under RequireSignatures + EncryptContentKeys verifies with `xmlsec1 --verify` and
 * decrypts with `openssl pkeyutl` (RSA-OAEP) and `openssl enc -d -aes-256-cbc` to the keys derived from the seed.
 */
const WIDEVINE = "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed";
const PLAYREADY = "9a04f079-9840-4286-ab92-e65be0885f95";
const KIDS = [randomUUID(), randomUUID()];

let service: RunningService;
let authorization: string;
let seed = keySeedFromBytes(randomBytes(30));
const scratch = scratchFolder();
let requester: OpensslCertificate;
let signing: OpensslCertificate;

async function api(method: string, path: string, body?: string, contentType = "application/json"): Promise<Response> {
  return fetch(`${service.url}${path}`, {
    method,
    headers: { Authorization: authorization, ...(body !== undefined && { "Content-Type": contentType }) },
    ...(body !== undefined && { body }),
  });
}

async function expectStatus(response: Response, status: number): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return text;
}

/** A Harmonic-style request: no version, a contentId, two keys in two key periods, Widevine and PlayReady. */
function harmonicRequest(): string {
  const systems = [WIDEVINE, PLAYREADY].flatMap((systemId) => KIDS.map((kid) => `<cpix:DRMSystem kid="${kid}" systemId="${systemId}"/>`));
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="channel_01">
  <cpix:ContentKeyList>${KIDS.map((kid) => `<cpix:ContentKey kid="${kid}"/>`).join("")}</cpix:ContentKeyList>
  <cpix:DRMSystemList>${systems.join("")}</cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p1" index="1"/><cpix:ContentKeyPeriod id="p2" index="2"/></cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="${KIDS[0]}"><cpix:KeyPeriodFilter periodId="p1"/></cpix:ContentKeyUsageRule>
    <cpix:ContentKeyUsageRule kid="${KIDS[1]}"><cpix:KeyPeriodFilter periodId="p2"/></cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
}

/**
 * The answer's own version; a version-less document (CPIX 2.2 made `version` optional) against 2.3, since the 2.2
 * XSD types `KeyPeriodFilter@periodId` as `xs:ID` rather than `xs:IDREF`, which no document with key periods can
 * satisfy (the 2.3 XSD corrects it).
 */
function schemaOf(xml: string): CpixSchemaVersion {
  return (/<(?:\w+:)?CPIX\b[^>]*\sversion="([\d.]+)"/.exec(xml)?.[1] as CpixSchemaVersion | undefined) ?? "2.3";
}

async function expectSchemaValid(xml: string): Promise<void> {
  expect(await validateCpixXml(xml, schemaOf(xml))).toEqual({ valid: true, errors: [] });
}

beforeAll(async () => {
  await requireTool("openssl", ["version"], ".ci/run installs it (Debian: apt-get install -y openssl)");
  await requireTool("xmlsec1", ["--version"], ".ci/run installs it (Debian: apt-get install -y xmlsec1)");
  service = await startService();
  ({ authorization } = await createServiceTenant(service.url));
  const seedBytes = randomBytes(30);
  seed = keySeedFromBytes(seedBytes);
  const seedId = randomUUID();
  await expectStatus(await api("POST", "/api/Import/KeySeeds", JSON.stringify([{ Id: seedId, Data: seedBytes.toString("base64") }])), 200);
  await expectStatus(await api("PUT", `/api/KeySeeds/${seedId}`, JSON.stringify({ IsDefault: true })), 200);
  requester = await opensslCertificate(scratch.dir, "harmonic-encoder", "rsa:2048");
  signing = await opensslCertificate(scratch.dir, "key-service", "rsa:2048");
}, 180_000);

afterAll(async () => {
  await service?.stop();
  scratch.remove();
});

describe("vendor answers validate against the CPIX XSD", () => {
  it("Harmonic v2 (version-less, key rotation)", async () => {
    await expectSchemaValid(await expectStatus(await api("POST", "/api/Harmonic/v2", harmonicRequest(), "application/xml"), 200));
  });

  it("Broadpeak", async () => {
    const body = harmonicRequest().replace('contentId="channel_01"', 'contentId="channel_01" version="2.3"');
    await expectSchemaValid(await expectStatus(await api("POST", "/api/Broadpeak", body, "application/xml"), 200));
  });

  it("Anevia", async () => {
    const id = Buffer.from(JSON.stringify({ ContentKeyIds: KIDS, DrmSystemIds: [WIDEVINE, PLAYREADY] })).toString("base64url");
    await expectSchemaValid(await expectStatus(await api("GET", `/api/Anevia?id=${id}`), 200));
  });
});

describe("Harmonic with RequireSignatures and EncryptContentKeys, checked by xmlsec1 and openssl", () => {
  let answer: string;

  beforeAll(async () => {
    const added = JSON.parse(
      await expectStatus(
        await api("POST", "/api/SigningKeys", JSON.stringify({ Certificate: signing.certPem, PrivateKey: signing.keyPem })),
        201,
      ),
    ) as { Id: string };
    await expectStatus(await api("PUT", "/api/Settings", JSON.stringify({ SigningKeyId: added.Id })), 200);
    await expectStatus(await api("POST", "/api/TrustedRequesters", JSON.stringify({ Certificate: requester.certPem })), 201);
    await expectStatus(
      await api("PUT", "/api/HarmonicConfiguration", JSON.stringify({ RequireSignatures: true, EncryptContentKeys: true })),
      200,
    );
    // The encoder signs its request (with our signer here; what is checked outside is the service's answer).
    const certificate = parseCertificate(requester.certDer);
    if (!certificate.ok) throw new Error("requester certificate unreadable");
    const pkcs8 = Buffer.from(requester.keyPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
    const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
    const signed = await signCpixDocument(harmonicRequest(), { privateKey, certificate: certificate.certificate }, new Date());
    if (!signed.ok) throw new Error(JSON.stringify(signed.failure));
    answer = await expectStatus(await api("POST", "/api/Harmonic/v2", signed.xml, "application/xml"), 200);
  }, 120_000);

  it("answers with a signature that xmlsec1 verifies, and that fails once the answer is changed", async () => {
    expect(answer).not.toContain("PlainValue");
    expect(await xmlsecVerifies(answer)).toBe(true);
    expect(await xmlsecVerifies(answer.replace('contentId="channel_01"', 'contentId="channel_02"'))).toBe(false);
  });

  it("encrypts every key for the signer's certificate: openssl opens the document key, then each key equals the derived one", async () => {
    const doc = parseDom(answer);
    const delivery = doc.getElementsByTagNameNS(CPIX_NS, "DeliveryData")[0]!;
    const wrapped = base64Of(
      delivery.getElementsByTagNameNS(CPIX_NS, "DocumentKey")[0]!.getElementsByTagNameNS(XMLENC_NS, "CipherValue")[0],
    );
    const documentKey = new Uint8Array(
      await mustRun("openssl", ["pkeyutl", "-decrypt", "-inkey", requester.keyPath, "-pkeyopt", "rsa_padding_mode:oaep"], {
        input: wrapped,
      }),
    );
    expect(documentKey).toHaveLength(32);
    const keys = Array.from(doc.getElementsByTagNameNS(CPIX_NS, "ContentKey"));
    expect(keys).toHaveLength(KIDS.length);
    for (const key of keys) {
      const cipherValue = base64Of(key.getElementsByTagNameNS(XMLENC_NS, "CipherValue")[0]);
      const plain = await mustRun(
        "openssl",
        [
          "enc",
          "-d",
          "-aes-256-cbc",
          "-K",
          Buffer.from(documentKey).toString("hex"),
          "-iv",
          Buffer.from(cipherValue.subarray(0, 16)).toString("hex"),
        ],
        { input: cipherValue.subarray(16) },
      );
      const kid = KeyId.require(key.getAttribute("kid")!);
      expect(new Uint8Array(plain)).toEqual((await deriveContentKey(seed, kid)).bytes);
    }
  });
});

function base64Of(element: DomElement | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(element?.textContent ?? "", "base64"));
}

/** `xmlsec1 --verify` trusting the key service's signing certificate: true on "OK". */
async function xmlsecVerifies(xml: string): Promise<boolean> {
  const file = join(scratch.dir, `answer-${randomUUID()}.xml`);
  writeFileSync(file, xml);
  const result = await runTool("xmlsec1", ["--verify", "--trusted-pem", signing.certPath, file]);
  return result.code === 0 && /^OK/m.test(result.stderr + result.stdout);
}
