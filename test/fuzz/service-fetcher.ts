import type { Fetcher } from "./checks";
import { fetchReadingEarlyAnswer } from "./early-answer";

/** How many times one request is sent when its connection fails before any answer. */
const TRANSPORT_ATTEMPTS = 3;

export interface ServiceFetcher {
  readonly fetcher: Fetcher;
  /** Requests sent again because the connection failed before any answer, by the transport's error code. */
  readonly sentAgain: Readonly<Record<string, number>>;
  /** Statuses of the answers read on a connection of their own (early-answer.ts), after fetch got none. */
  readonly ownConnection: Readonly<Record<string, number>>;
}

/**
 * The fetcher `npm run fuzz` drives the bundle on 127.0.0.1 with: Node's fetch first; when its connection fails
 * before any answer, the request is sent again up to TRANSPORT_ATTEMPTS times in all, a request with a body on a
 * connection of its own that reads the answer even if the server sent it before reading the body and closed.
 */
export function serviceFetcher(origin: string): ServiceFetcher {
  const sentAgain: Record<string, number> = {};
  const ownConnection: Record<string, number> = {};
  const fetcher: Fetcher = async (path, init) => {
    const hasBody = init.body !== undefined && init.body !== null;
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt === 1 || !hasBody) return await fetch(`${origin}${path}`, { ...init, redirect: "manual" });
        // The service answers some requests before reading their body (413 for a Content-Length over 1 MiB) and
        // workerd then closes the connection under the body still being written; fetch loses that answer about one
        // time in three (`write ECONNRESET`, or `read ECONNRESET`), so sending it through fetch again is a coin toss.
        // This reads it every time, and still rejects when the connection ends with no answer at all.
        const response = await fetchReadingEarlyAnswer(origin, path, init);
        ownConnection[response.status] = (ownConnection[response.status] ?? 0) + 1;
        return response;
      } catch (error) {
        // Besides early answers: a keep-alive connection the server closed as the request went out (undici "other
        // side closed", ECONNRESET). Under 4 lanes for minutes Miniflare's socket does this to ~2 % of requests, and a
        // few twice in a row (seen at 18398b6 and after, with no 5xx anywhere), so a request is sent up to
        // TRANSPORT_ATTEMPTS times; a failure past that is reported as a failure.
        if (attempt >= TRANSPORT_ATTEMPTS) throw error;
        const code = transportCode(error);
        sentAgain[code] = (sentAgain[code] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
      }
    }
  };
  return { fetcher, sentAgain, ownConnection };
}

/** undici's cause as `syscall code` (`write ECONNRESET`), or its message ("other side closed"). */
function transportCode(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown; syscall?: unknown } | undefined) : undefined;
  const code = String(cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : "unknown"));
  return typeof cause?.syscall === "string" ? `${cause.syscall} ${code}` : code;
}
