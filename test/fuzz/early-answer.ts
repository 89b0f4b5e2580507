/// <reference types="node" />
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { ANSWER_TIMEOUT_MS } from "./checks";

/**
 * One HTTP/1.1 request on a connection of its own whose answer is read even when the server sends it before reading
 * the body and then closes the connection: the service answers a Content-Length over 1 MiB with 413 unread
 * (src/http/body.ts), and workerd then closes at once, so the client's next write meets a reset (RFC 9112 §9.6 tells
 * servers to close in stages because of this). Linux keeps what had arrived readable after that reset, but Node (its
 * fetch and net.Socket alike) destroys the socket on the failed write and never reads it: `fetch failed`, cause
 * `write ECONNRESET`. Here this process only reads; a child process writes the request through its own descriptor of
 * the same socket, so a failed write ends the child and never the reading.
 */

/** Copies its standard input to descriptor 3 (the socket) and exits, whether the server took it all or not. */
const WRITER = `
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const socket = new (require("node:net").Socket)({ fd: 3, readable: false, writable: true });
  socket.on("error", () => process.exit(0));
  socket.write(Buffer.concat(chunks), () => process.exit(0));
});`;

/**
 * Sends the request with `Connection: close` and resolves with the server's answer, early or not; rejects when the
 * connection ends without a whole answer (a failure, as with any fetch).
 * @example const response = await fetchReadingEarlyAnswer(service.url, "/api/SpekeV2", { method: "POST", headers, body });
 */
export async function fetchReadingEarlyAnswer(origin: string, path: string, init: RequestInit): Promise<Response> {
  const url = new URL(origin);
  const request = requestBytes(url.host, path, init);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  const received: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => received.push(chunk));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const writer = spawn(process.execPath, ["-e", WRITER], { stdio: ["pipe", "ignore", "ignore", socket] });
    writer.stdin!.on("error", () => {});
    writer.stdin!.end(request);
    // Node stops reading a socket it hands to a child; this process is the only reader, so it starts again.
    socket.resume();
    return await new Promise<Response>((resolve, reject) => {
      let transportError: NodeJS.ErrnoException | undefined;
      const timer = setTimeout(() => finish(), ANSWER_TIMEOUT_MS);
      const finish = (closed = true) => {
        const answer = parseAnswer(Buffer.concat(received), closed, init.method ?? "GET");
        if (!answer && !closed) return;
        clearTimeout(timer);
        writer.kill();
        socket.destroy();
        if (answer) resolve(answer);
        else
          reject(new Error(`the connection ended without a whole answer (${transportError?.code ?? "closed"})`, { cause: transportError }));
      };
      socket.on("data", () => finish(false));
      socket.on("error", (error: NodeJS.ErrnoException) => (transportError = error));
      socket.on("close", () => finish());
    });
  } finally {
    socket.destroy();
  }
}

function requestBytes(host: string, path: string, init: RequestInit): Buffer {
  const body = bodyBuffer(init.body);
  const lines = [`${init.method ?? "GET"} ${path} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of new Headers(init.headers)) {
    if (!["host", "content-length", "connection", "transfer-encoding"].includes(name)) lines.push(`${name}: ${value}`);
  }
  lines.push(`Content-Length: ${body.length}`, "Connection: close", "", "");
  return Buffer.concat([Buffer.from(lines.join("\r\n"), "latin1"), body]);
}

function bodyBuffer(body: RequestInit["body"]): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("fetchReadingEarlyAnswer sends strings and bytes only");
}

/**
 * The first final answer in `bytes` (1xx skipped), framed as RFC 9112 §6.3 says: no body for HEAD, 204 and 304,
 * chunked, Content-Length, or everything until the connection closed. Undefined while it is not whole yet.
 */
function parseAnswer(bytes: Buffer, closed: boolean, method: string): Response | undefined {
  let start = 0;
  for (;;) {
    const headEnd = bytes.indexOf("\r\n\r\n", start, "latin1");
    if (headEnd < 0) return undefined;
    const [statusLine = "", ...fieldLines] = bytes.subarray(start, headEnd).toString("latin1").split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!status) return undefined;
    const code = Number(status[1]);
    const headers = new Headers();
    for (const line of fieldLines) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    const rest = bytes.subarray(headEnd + 4);
    if (code < 200) {
      start = headEnd + 4;
      continue;
    }
    const body = method === "HEAD" || code === 204 || code === 304 ? Buffer.alloc(0) : framedBody(rest, headers, closed);
    if (!body) return undefined;
    return new Response(code === 204 || code === 304 ? null : body, { status: code, statusText: status[2] ?? "", headers });
  }
}

function framedBody(rest: Buffer, headers: Headers, closed: boolean): Buffer | undefined {
  if (/chunked/i.test(headers.get("Transfer-Encoding") ?? "")) return dechunk(rest);
  const length = headers.get("Content-Length");
  if (length !== null) return rest.length >= Number(length) ? rest.subarray(0, Number(length)) : undefined;
  return closed ? rest : undefined;
}

function dechunk(rest: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  for (let at = 0; ;) {
    const lineEnd = rest.indexOf("\r\n", at, "latin1");
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(rest.subarray(at, lineEnd).toString("latin1"), 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (rest.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
