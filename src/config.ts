import { RosterError } from './errors.js';
import type { SqliteSynchronous } from './store/sql/sqlite-database.js';

/** Everything an operator can set; `docs/configuration.md` documents each field. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string;
  /** The public base URL (scheme and host) used in `meta.location`; otherwise taken from each request. */
  readonly publicUrl: string | undefined;
  /** Where the operator documents this deployment: `/ServiceProviderConfig`'s `documentationUri`, if set. */
  readonly documentationUrl: string | undefined;
  readonly bodyLimit: number;
  /** The largest `POST /Bulk` body: a BulkRequest carries many resources (`bulk.maxPayloadSize`). */
  readonly bulkBodyLimit: number;
  /** The most operations one BulkRequest may carry (`bulk.maxOperations`, RFC 7644 §3.7.4). */
  readonly bulkMaxOperations: number;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly logLevel: string;
  readonly sqliteSynchronous: SqliteSynchronous;
  readonly trustProxy: boolean;
  /** The site created on first start, if any. */
  readonly defaultSite: string | undefined;
  readonly postgresPoolSize: number;
  /** How long an RFC 9865 cursor stays valid. */
  readonly cursorTimeoutMs: number;
  /** PostgreSQL's `statement_timeout`: no statement holds a connection longer. */
  readonly statementTimeoutMs: number;
  /** Fail at once on a write issued outside a transaction while inside one (a development check). */
  readonly strictTransactions: boolean;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/roster.db';

const MAX_BODY_LIMIT = 256 * 1024 * 1024;

type Env = Record<string, string | undefined>;

/** Reads the configuration from the environment; flags given on the command line take precedence. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const bodyLimit = integer(env, 'ROSTER_BODY_LIMIT', 1024 * 1024, 1024, MAX_BODY_LIMIT);
  const config: Config = {
    host: env.ROSTER_HOST || '127.0.0.1',
    port: integer(env, 'ROSTER_PORT', 8080, 0, 65535),
    databaseUrl: env.ROSTER_DATABASE_URL || DEFAULT_DATABASE_URL,
    publicUrl: env.ROSTER_PUBLIC_URL ? publicUrl(env.ROSTER_PUBLIC_URL) : undefined,
    documentationUrl: env.ROSTER_DOCUMENTATION_URL
      ? httpUrl('ROSTER_DOCUMENTATION_URL', env.ROSTER_DOCUMENTATION_URL, 'https://docs.example.com/roster')
      : undefined,
    bodyLimit,
    // 1,000 creates of typical users are about 600 KB (the bench's users); 4 MiB leaves room
    // for larger resources, and a Bulk body never gets less than a single request's.
    bulkBodyLimit: integer(
      env,
      'ROSTER_BULK_BODY_LIMIT',
      Math.max(4 * 1024 * 1024, bodyLimit),
      1024,
      MAX_BODY_LIMIT,
    ),
    bulkMaxOperations: integer(env, 'ROSTER_BULK_MAX_OPERATIONS', 1000, 1, 100_000),
    defaultPageSize: integer(env, 'ROSTER_DEFAULT_PAGE_SIZE', 100, 1, 100_000),
    maxPageSize: integer(env, 'ROSTER_MAX_PAGE_SIZE', 1000, 100, 100_000),
    logLevel: oneOf(
      env,
      'ROSTER_LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
    sqliteSynchronous: oneOf(
      env,
      'ROSTER_SQLITE_SYNCHRONOUS',
      ['OFF', 'NORMAL', 'FULL'] as const,
      'NORMAL',
      (value) => value.toUpperCase(),
    ),
    trustProxy: boolean(env, 'ROSTER_TRUST_PROXY', false),
    defaultSite: env.ROSTER_DEFAULT_SITE === undefined ? 'default' : env.ROSTER_DEFAULT_SITE || undefined,
    postgresPoolSize: integer(env, 'ROSTER_PG_POOL_SIZE', 10, 1, 1000),
    cursorTimeoutMs: integer(env, 'ROSTER_CURSOR_TIMEOUT', 3600, 60, 7 * 24 * 3600) * 1000,
    statementTimeoutMs: integer(env, 'ROSTER_STATEMENT_TIMEOUT', 30_000, 100, 3_600_000),
    strictTransactions: boolean(env, 'ROSTER_STRICT_TRANSACTIONS', false),
    ...withoutUndefined(overrides),
    // Here undefined is a value, "no default site", not a flag left out: keep it when given.
    ...('defaultSite' in overrides ? { defaultSite: overrides.defaultSite } : {}),
  };
  if (config.defaultPageSize > config.maxPageSize) {
    throw configError('ROSTER_DEFAULT_PAGE_SIZE must not be larger than ROSTER_MAX_PAGE_SIZE.');
  }
  return config;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(`${name} must be a whole number from ${min} to ${max}, got '${raw}'.`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw configError(`${name} must be true or false, got '${env[name]}'.`);
}

function oneOf<T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  fallback: T,
  normalize = (value: string) => value.toLowerCase(),
): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = normalize(raw) as T;
  if (!allowed.includes(value))
    throw configError(`${name} must be one of ${allowed.join(', ')}, got '${raw}'.`);
  return value;
}

export function publicUrl(raw: string): string {
  return httpUrl('ROSTER_PUBLIC_URL', raw, 'https://roster.example.com').replace(/\/+$/, '');
}

/** An absolute http or https URL, normalised; anything else stops start-up naming the setting. */
function httpUrl(name: string, raw: string, example: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(`${name} must be an absolute URL such as ${example}, got '${raw}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw configError(`${name} must be an http or https URL, got '${raw}'.`);
  return url.toString();
}

/**
 * A database URL fit to print: a password it carries (`user:password@`, `?password=`) is shown as
 * `***`, so messages and printed commands never leak it into terminals and logs.
 */
export function printableDatabaseUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (!scheme) return url;
  // The user information ends at the last '@' (a password may hold an unescaped one).
  const at = url.lastIndexOf('@');
  const userInfo = at > scheme.length ? url.slice(scheme.length, at) : '';
  const colon = userInfo.indexOf(':');
  const shown = colon >= 0 ? `${scheme}${userInfo.slice(0, colon)}:***${url.slice(at)}` : url;
  return shown.replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** Whether a printable URL had its password taken out. */
export function isRedacted(url: string): boolean {
  return printableDatabaseUrl(url) !== url;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function configError(detail: string): RosterError {
  return new RosterError('invalid-config', detail);
}
