// Types of run.mjs for the TypeScript tests that call it in their own process (test/interop/deploy-sandbox.ts).
export interface DeployRunOptions {
  /** The project folder: its wrangler.toml is read and written, and the wrangler commands run there. */
  cwd: string;
  /** The whole environment of the wrangler commands (PATH, HOME, credentials), and where the secrets copy is found. */
  env: Record<string, string | undefined>;
  print(line: string): void;
  printError(line: string): void;
  /** Whether `wrangler deploy` gets the terminal (the command line) or has its output passed to print/printError. */
  interactive: boolean;
}

/** Runs `npm run deploy` with these arguments; resolves to its exit code (0, 1 refused, 2 usage). */
export function runDeploy(args: readonly string[], options: DeployRunOptions): Promise<number>;
