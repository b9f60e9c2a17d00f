import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The process-level figures of the server, read from /proc (Linux). */
export interface ProcessSample {
  /** Resident set size, MiB. */
  readonly rssMiB: number;
  /** Peak resident set size so far, MiB. */
  readonly hwmMiB: number;
  /** User + system CPU time consumed so far, milliseconds. */
  readonly cpuMs: number;
}

export interface ServerOptions {
  readonly root: string;
  readonly databaseUrl: string;
  readonly logLevel: string;
  /** Write a V8 CPU profile of the server into this directory when it exits. */
  readonly cpuProfileDir?: string;
}

const CLOCK_TICKS = clockTicks();

/**
 * The real server, `node bin/roster.js serve`, as a child process on a free port. It is spawned
 * directly (not through npm) so that its pid is the Node process whose memory and CPU we read.
 */
export class BenchServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    private readonly exited: Promise<number | null>,
    private readonly output: string[],
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: ServerOptions): Promise<BenchServer> {
    const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    const child = spawn(
      process.execPath,
      [
        ...nodeArgs,
        join(options.root, 'bin/roster.js'),
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--database',
        options.databaseUrl,
      ],
      {
        cwd: options.root,
        env: { ...process.env, ROSTER_LOG_LEVEL: options.logLevel, ROSTER_DEFAULT_SITE: 'default' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    // Keep reading for the whole run (a full pipe would block the server) and keep what it logs.
    const output: string[] = [];
    let onBanner: (address: string) => void = () => undefined;
    const onLine = (line: string): void => {
      output.push(line);
      const match = /Roster is listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) onBanner(match[1]);
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the server did not start within 30 s:\n${output.join('\n')}`));
      }, 30_000);
      onBanner = (found) => {
        clearTimeout(timer);
        resolve(found);
      };
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with code ${code} before listening:\n${output.join('\n')}`));
      });
    });
    return new BenchServer(child, address, exited, output);
  }

  sample(): ProcessSample {
    return sampleProcess(this.pid);
  }

  /** What the server logged at warning level or worse (pino level ≥ 40), or plain lines that look like it. */
  problems(): string[] {
    return this.output.filter((line) => {
      try {
        const entry = JSON.parse(line) as { level?: unknown };
        return typeof entry.level === 'number' && entry.level >= 40;
      } catch {
        return /error|warn/i.test(line);
      }
    });
  }

  stop(): Promise<number | null> {
    return stopProcess(this.child, this.exited);
  }
}

/** Memory and CPU of a child process, from /proc/<pid>/status and /proc/<pid>/stat. */
export function sampleProcess(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime/stime are 14/15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    rssMiB: kib(status, 'VmRSS') / 1024,
    hwmMiB: kib(status, 'VmHWM') / 1024,
    cpuMs: (ticks * 1000) / CLOCK_TICKS,
  };
}

/** SIGTERM, then SIGKILL if the child has not exited within 15 s; resolves to its exit code. */
export async function stopProcess(
  child: ChildProcess,
  exited: Promise<number | null>,
): Promise<number | null> {
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => {
    setTimeout(() => {
      resolve('timeout');
    }, 15_000).unref();
  });
  const result = await Promise.race([exited, timeout]);
  if (result === 'timeout') {
    child.kill('SIGKILL');
    return exited;
  }
  return result;
}

export interface IssuedToken {
  readonly id: string;
  /** The secret, for the Authorization header. */
  readonly token: string;
}

/** A SCIM token for the site, made with the CLI as an operator would. */
export async function createToken(root: string, databaseUrl: string, site = 'default'): Promise<IssuedToken> {
  const { stdout } = await run(
    process.execPath,
    [
      join(root, 'bin/roster.js'),
      'tokens',
      'create',
      '--site',
      site,
      '--description',
      'npm run bench',
      '--json',
      '--database',
      databaseUrl,
    ],
    { cwd: root, env: { ...process.env, ROSTER_LOG_LEVEL: 'warn' } },
  );
  const issued = JSON.parse(stdout) as { id?: unknown; token?: unknown };
  if (typeof issued.token !== 'string' || typeof issued.id !== 'string')
    throw new Error(`tokens create printed no token: ${stdout}`);
  return { id: issued.id, token: issued.token };
}

export function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  });
}

function kib(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match?.[1] ? Number(match[1]) : Number.NaN;
}

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
