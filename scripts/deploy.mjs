#!/usr/bin/env node
// `npm run deploy [-- --env staging|production] [--dry-run]` (README "Deploy"): the command line of
// scripts/deploy/run.mjs, in the directory npm runs it in (the repository's root), with this process's environment
// and terminal.
import { runDeploy } from "./deploy/run.mjs";

const code = await runDeploy(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
  interactive: true,
});
// At once, as before the split: a refused run leaves nothing behind, not even the debug log wrangler's configuration
// reader starts writing (under $XDG_CONFIG_HOME/.wrangler/logs) when it warns about the configuration it refuses.
if (code !== 0) process.exit(code);
