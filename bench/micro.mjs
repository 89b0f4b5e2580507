import { dirname, join, relative } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { CONFIG_PATH, PROJECT_ROOT } from "./service.mjs";

/** The compatibility date of wrangler.toml, so the micro-benchmark runs on the same workerd semantics. */
const COMPATIBILITY_DATE = "2026-04-20";

/**
 * Key derivations per second inside workerd against three raw SHA-256 digests (bench/micro-worker.ts),
 * bundled with esbuild and run in its own Miniflare instance: no route is added to the production Worker.
 */
/**
 * With BENCH_WRANGLER_CONFIG pointing at another copy of the Worker, its `src/` replaces the project's, so the
 * micro-benchmark measures the same code as the load runs.
 */
function sourceOfConfig() {
  const projectSource = join(PROJECT_ROOT, "src");
  const configSource = join(dirname(CONFIG_PATH), "src");
  return {
    name: "source-of-config",
    setup(build) {
      if (configSource === projectSource) return;
      build.onResolve({ filter: /\/src\// }, (args) => {
        const resolved = join(args.resolveDir, args.path);
        if (!resolved.startsWith(projectSource)) return undefined;
        const path = join(configSource, relative(projectSource, resolved));
        return { path: path.endsWith(".ts") ? path : `${path}.ts` };
      });
    },
  };
}

export async function measureDerivation(outdir, { milliseconds = 200, rounds = 5 } = {}) {
  const outfile = join(outdir, "micro-worker.js");
  await build({
    entryPoints: [join(PROJECT_ROOT, "bench", "micro-worker.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    logLevel: "error",
    plugins: [sourceOfConfig()],
  });
  const miniflare = new Miniflare({
    modules: true,
    rootPath: PROJECT_ROOT,
    modulesRoot: outdir,
    scriptPath: outfile,
    compatibilityDate: COMPATIBILITY_DATE,
    cf: false,
  });
  try {
    const response = await miniflare.dispatchFetch(`http://micro.local/?ms=${milliseconds}&rounds=${rounds}`);
    if (response.status !== 200) throw new Error(`micro-benchmark answered ${response.status}: ${await response.text()}`);
    return await response.json();
  } finally {
    await miniflare.dispose();
  }
}
