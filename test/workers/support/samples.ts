/** The real CPIX requests and responses in test/fixtures/cpix/samples, as bytes (some are UTF-16). */
const inlined = import.meta.glob("../../fixtures/cpix/samples/**/*.{xml,cpix}", {
  query: "?url&inline",
  import: "default",
  eager: true,
}) as Record<string, string>;

const PREFIX = "../../fixtures/cpix/samples/";

/** Every sample, keyed by its path under test/fixtures/cpix/samples. */
export const SAMPLES: ReadonlyMap<string, Uint8Array> = new Map(
  Object.entries(inlined).map(([path, dataUrl]) => [path.slice(PREFIX.length), bytesOfDataUrl(dataUrl)]),
);

export function sample(path: string): Uint8Array {
  const bytes = SAMPLES.get(path);
  if (!bytes) throw new Error(`no sample ${path}`);
  return bytes;
}

export function sampleText(path: string): string {
  return new TextDecoder().decode(sample(path));
}

function bytesOfDataUrl(dataUrl: string): Uint8Array {
  const comma = dataUrl.indexOf(",");
  const payload = dataUrl.slice(comma + 1);
  if (dataUrl.slice(0, comma).endsWith(";base64")) return Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  return new TextEncoder().encode(decodeURIComponent(payload));
}
