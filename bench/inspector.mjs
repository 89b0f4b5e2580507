import WebSocket from "ws";
import { measure } from "./load.mjs";

/** Connects to the inspector target of the user Worker (workerd lists one per service). */
export async function connectInspector(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const target = targets.find((candidate) => /edge-key-service/.test(candidate.title ?? candidate.id ?? "")) ?? targets[0];
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  return {
    send(method, params = {}) {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    close: () => socket.close(),
  };
}

/** Sampled time the isolate was not idle, in µs (from a `Profiler.stop` profile). */
export function busyMicros(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (byId.get(profile.samples[i]).callFrame.functionName === "(idle)") idle += profile.timeDeltas[i + 1] ?? 0;
  }
  return profile.endTime - profile.startTime - idle;
}

/** Replays one request (bench/load.mjs `measure` options) with the isolate's V8 sampler running: the load and the profile. */
export async function sampledLoad(inspector, origin, { path, method = "GET", headers = {}, body }, options) {
  await inspector.send("Profiler.start");
  const load = await measure({ url: `${origin}${path}`, method, headers, body, ...options });
  const { profile } = await inspector.send("Profiler.stop");
  return { load, profile };
}
