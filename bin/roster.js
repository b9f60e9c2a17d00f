#!/usr/bin/env node
// The `roster` command runs the compiled CLI; `npm run build` (part of `npm start`) produces it.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('roster: the CLI is not built yet. Run `npm run build` (or `npm start`) first.\n');
  process.exit(1);
}
const { runCli } = await import(entry.href);
const code = await runCli(process.argv.slice(2));
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
