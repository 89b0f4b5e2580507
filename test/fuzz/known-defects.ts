import type { FuzzRequest } from "./generators";

/**
 * Input classes that trigger a known defect the fuzzer found in code this branch may not change (others are
 * restructuring it). Each is excluded from the property, named after its defect, and counted in every report, so
 * the property stays honest about everything else. Remove an entry once its defect is fixed.
 */
interface KnownDefect {
  readonly defect: string;
  readonly target: string;
  matches(request: FuzzRequest): boolean;
}

const KNOWN_DEFECTS: readonly KnownDefect[] = [
  {
    // PUT /api/Settings checks PlayReadyLaUrl against 2048 characters (src/drm/playready.ts), but the LA_URL is
    // XML-escaped into the WRMHEADER (& → &amp;, < → &lt;, > → &gt;), which is UTF-16 in a PlayReady Object capped at
    // 15 KB (src/drm/playready-object.ts). An accepted LA_URL of ~1,500 '&' then makes every acquisition that
    // signals PlayReady throw a RangeError: 500 on the CPIX endpoints. The 4.0 header overflows from 7,406
    // escaped characters, the 4.3 one from 7,441; requests from 7,400 on are left out.
    defect: "PlayReadyLaUrl accepted at PUT overflows the PlayReady Object once XML-escaped (acquisitions then 500)",
    target: "GET, PUT /api/Settings",
    matches: (request) => escapedLength(jsonField(request, "PlayReadyLaUrl")) >= 7_400,
  },
  ...["POST /api/WidevineProtectionInfo", "POST /cenc/getcontentkey/{signer}"].map((target) => ({
    // The Widevine CENC API bounds neither content_id (only the 1 MiB body does) nor the response: content_id is
    // copied into the Widevine PSSH of every track and crypto period (up to 5 × 100), and the answer is base64 twice
    // (src/protocols/widevine-cenc-*). A 400,000-byte content_id with 1 track and 100 periods gets a 143 MB answer;
    // with 5 tracks the handler throws a TypeError (INTERNAL_ERROR), and a few such requests at once take workerd
    // down out of memory. Left out: a content_id over 64 KiB with more than 10 PSSH copies.
    defect: "Widevine content_id is unbounded and copied into every PSSH (answers of 100+ MB, INTERNAL_ERROR, out of memory)",
    target,
    matches: (request: FuzzRequest) => {
      const inner = widevineRequest(request);
      return inner !== undefined && inner.contentIdBytes > 65_536 && inner.tracks * inner.periods > 10;
    },
  })),
];

/** The known defect this request belongs to, if any. */
export function knownDefectOf(target: string, request: FuzzRequest): string | undefined {
  return KNOWN_DEFECTS.find((known) => known.target === target && known.matches(request))?.defect;
}

/** The sizes that matter in a signed Widevine request: content_id bytes, tracks, crypto periods. */
function widevineRequest(request: FuzzRequest): { contentIdBytes: number; tracks: number; periods: number } | undefined {
  const envelope = jsonField(request, "request");
  if (typeof envelope !== "string") return undefined;
  try {
    const inner = JSON.parse(atob(envelope)) as { content_id?: unknown; tracks?: unknown; crypto_period_count?: unknown };
    const contentIdBytes = typeof inner.content_id === "string" ? Math.floor((inner.content_id.length * 3) / 4) : 0;
    const tracks = Array.isArray(inner.tracks) ? inner.tracks.length : 0;
    const periods = typeof inner.crypto_period_count === "number" ? inner.crypto_period_count : 1;
    return { contentIdBytes, tracks, periods };
  } catch {
    return undefined;
  }
}

function jsonField(request: FuzzRequest, name: string): unknown {
  if (!request.body) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(request.body));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  } catch {
    return undefined;
  }
}

function escapedLength(value: unknown): number {
  return typeof value === "string" ? value.replace(/&/g, "&amp;").replace(/[<>]/g, "&lt;").length : 0;
}
