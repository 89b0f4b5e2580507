/// <reference types="vite/client" />
import { SAMPLES } from "../workers/support/samples";
import type { SeedDocument } from "./xml-mutations";

/** examples/*.xml and examples/*.cpix, inlined at build time like the samples (works in workerd and in Node). */
const examples = import.meta.glob("../../examples/*.{xml,cpix}", { query: "?url&inline", import: "default", eager: true }) as Record<
  string,
  string
>;

/**
 * The documents the CPIX mutations start from: every real request and response in test/fixtures/cpix/samples
 * and the examples, in a fixed order so that a seed replays the same inputs everywhere.
 */
export const CPIX_CORPUS: readonly SeedDocument[] = [
  ...Object.entries(examples).map(([path, dataUrl]) => ({ name: `examples/${path.split("/").pop()}`, bytes: bytesOfDataUrl(dataUrl) })),
  ...[...SAMPLES].map(([name, bytes]) => ({ name, bytes })),
].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

function bytesOfDataUrl(dataUrl: string): Uint8Array {
  const comma = dataUrl.indexOf(",");
  const payload = dataUrl.slice(comma + 1);
  if (dataUrl.slice(0, comma).endsWith(";base64")) return Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  return new TextEncoder().encode(decodeURIComponent(payload));
}
