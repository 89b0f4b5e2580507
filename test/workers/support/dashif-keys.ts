/** The DASH-IF cpix-test-vectors certificates (`*.cer`, DER) and Cert1's private key (PKCS #8 PEM derived from Cert1.pfx). */
const inlined = import.meta.glob(["../../fixtures/cpix/samples/dashif-cpix-test-vectors/*.cer", "../../fixtures/cpix/keys/*.pem"], {
  query: "?url&inline",
  import: "default",
  eager: true,
}) as Record<string, string>;

function file(suffix: string): Uint8Array {
  const entry = Object.entries(inlined).find(([path]) => path.endsWith(`/${suffix}`));
  if (!entry) throw new Error(`no fixture ${suffix}`);
  const dataUrl = entry[1];
  const comma = dataUrl.indexOf(",");
  const payload = dataUrl.slice(comma + 1);
  if (dataUrl.slice(0, comma).endsWith(";base64")) return Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  return new TextEncoder().encode(decodeURIComponent(payload));
}

/** DER bytes of `Cert1.cer` … `WeakCert_SmallKey.cer`. */
export function dashifCertificate(name: string): Uint8Array {
  return file(`${name}.cer`);
}

/** Cert1's RSA private key, PKCS #8 DER (a fresh copy each call). */
export function dashifCert1Pkcs8(): Uint8Array {
  const pem = new TextDecoder().decode(file("dashif-Cert1.pkcs8.pem"));
  const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----|\s+/g, "");
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

/** Cert1's RSA private key as a WebCrypto RSA-OAEP (SHA-1) decryption key. */
export async function dashifCert1DecryptionKey(): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", dashifCert1Pkcs8(), { name: "RSA-OAEP", hash: "SHA-1" }, false, ["decrypt"]);
}
