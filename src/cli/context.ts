import { basename, resolve } from 'node:path';
import { loadConfig } from '../config.js';
import type { Services } from '../directory/services.js';
import { openServices } from '../main.js';

/** Where a command writes; tests pass their own to read what a command printed. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** How the operator calls roster, for the commands Roster prints (`roster` unless known otherwise). */
  readonly program?: string;
}

/**
 * How this process was called, so a printed command works when pasted: through npm (`npm start`,
 * `npx roster`) in the checkout `npx roster`, through a `roster` on the PATH (`npm link`, a global
 * install) `roster`, else the script itself run by node.
 */
export function invokedAs(script: string | undefined, env: Record<string, string | undefined>): string {
  if (env.npm_command !== undefined) return 'npx roster';
  if (script === undefined || basename(script) === 'roster') return 'roster';
  return `node ${resolve(script)}`;
}

/**
 * The process's own streams. A reader that goes away (`roster log | head -1`) closes the pipe:
 * what is left to print has nowhere to go, and the command ends as it would have, quietly, instead
 * of dying of an unhandled EPIPE.
 */
export function processIo(): CliIo {
  const closed = { out: false, err: false };
  process.stdout.on('error', () => {
    closed.out = true;
  });
  process.stderr.on('error', () => {
    closed.err = true;
  });
  return {
    out: (line) => {
      if (!closed.out) process.stdout.write(`${line}\n`);
    },
    err: (line) => {
      if (!closed.err) process.stderr.write(`${line}\n`);
    },
    env: process.env,
    program: invokedAs(process.argv[1], process.env),
  };
}

/**
 * Opens the database a command names (flag, else environment, else the default file) and runs
 * `work`. Only a Roster database that is already up to date is opened: commands never create or
 * migrate one (`roster migrate` and `roster serve` do).
 */
export async function withServices<T>(
  io: CliIo,
  database: string | undefined,
  work: (services: Services) => Promise<T>,
): Promise<T> {
  const config = loadConfig(io.env, database ? { databaseUrl: database } : {});
  const opened = await openServices(config, { postgresPoolSize: 2, schema: 'existing' });
  try {
    return await work(opened.services);
  } finally {
    await opened.close();
  }
}

/** Quoted for a POSIX shell when it holds anything a shell would read differently. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** A plain text table: columns padded to their widest cell. */
export function printTable(
  io: CliIo,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  io.out(line(headers));
  for (const row of rows) io.out(line(row));
}

export function isoTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}
