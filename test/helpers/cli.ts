import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import type { TestSite } from './roster.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ROSTER_BIN = join(ROOT, 'bin/roster.js');

export interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  /** Everything printed on stdout, parsed as one JSON document. */
  json(): any;
}

/** Runs the CLI in-process, as `roster <argv…>` would, with an environment that names no database. */
export async function cli(argv: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
  });
  return { code, out, err, json: () => JSON.parse(out.join('\n')) };
}

export function expectOneLineFailure(run: CliRun, pattern: RegExp, code = 1): void {
  expect(run.code, JSON.stringify(run)).toBe(code);
  expect(run.out).toEqual([]);
  expect(run.err).toHaveLength(1);
  expect(run.err[0]).toMatch(/^roster: /);
  expect(run.err[0]).not.toContain('\n');
  expect(run.err[0]).toMatch(pattern);
}

export interface BinaryRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm test` builds first; a bare `vitest run` may not have. */
export async function ensureBuilt(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/src/cli/index.js'))) {
    await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  }
}

/** Only what the CLI needs from the environment: no ROSTER_* setting of the machine leaks in. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...extra };
}

/** Runs the real `bin/roster.js` in `cwd`, as an operator would. */
export function rosterBinary(
  cwd: string,
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<BinaryRun> {
  return run(process.execPath, [ROSTER_BIN, ...argv], cwd, env);
}

/** `roster <argv…> | head -<lines>`: the exit status is roster's (pipefail). */
export function rosterPipedToHead(cwd: string, argv: readonly string[], lines: number): Promise<BinaryRun> {
  return run(
    'bash',
    ['-c', `set -o pipefail; "$0" "$@" | head -${lines}`, process.execPath, ROSTER_BIN, ...argv],
    cwd,
    {},
  );
}

/** A command line as an operator would paste it into a shell. */
export function shell(cwd: string, command: string): Promise<BinaryRun> {
  return run('bash', ['-c', command], cwd, {});
}

function run(
  file: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<BinaryRun> {
  return new Promise((done) => {
    execFile(
      file,
      [...args],
      { cwd, env: cleanEnv(env), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

export interface ServingRoster {
  /** Everything printed on stdout until a line matched `until`. */
  readonly stdout: string;
  stop(): Promise<void>;
}

/** `roster serve …` as a process of its own, until it printed a line matching `until`. */
export function rosterServing(
  cwd: string,
  argv: readonly string[],
  until: RegExp,
  env: Record<string, string> = {},
): Promise<ServingRoster> {
  const child = spawn(process.execPath, [ROSTER_BIN, 'serve', ...argv], {
    cwd,
    env: cleanEnv({ ROSTER_LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      done();
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (until.test(stdout)) {
        done({
          stdout,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    void exited.then(() => {
      fail(new Error(`roster serve ended: ${stdout}${stderr}`));
    });
  });
}

/** A user created through SCIM, as an identity provider would; its id. */
export async function userIn(site: TestSite, logon: string, extra: object = {}): Promise<string> {
  const created = await site.scim('POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: logon,
    ...extra,
  });
  expect(created.status, created.raw).toBe(201);
  return created.body.id as string;
}

/** A group created through SCIM with these members, mapped to a privilege by `roster privileges map`; its id. */
export async function groupIn(
  run: (...argv: string[]) => Promise<CliRun>,
  site: TestSite,
  name: string,
  members: string[],
  privilege?: string,
): Promise<string> {
  const created = await site.scim('POST', '/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: name,
    members: members.map((value) => ({ value })),
  });
  expect(created.status, created.raw).toBe(201);
  if (privilege) {
    const mapped = await run(
      'privileges',
      'map',
      '--site',
      site.site.slug,
      '--group',
      name,
      '--privilege',
      privilege,
    );
    expect(mapped.code, JSON.stringify(mapped)).toBe(0);
  }
  return created.body.id as string;
}
