import { RosterError } from '../../errors.js';

/**
 * Database errors as Roster's one error type, decided here at the store's boundary so that nothing
 * above it knows a driver: a broken unique index names its constraint (the write pipeline turns it
 * into "Logon already exists" or "group name taken" by that name), a deadlock or serialization
 * failure is a `write-conflict` the pipeline retries, a lock or statement time-out and a lost or
 * refused connection are 503s with a `Retry-After`. Anything else is a bug and stays as it is.
 */

const RETRY_SOON_SECONDS = 1;
const RETRY_OUTAGE_SECONDS = 5;

/** SQLite names the columns of a broken unique index; the rest of Roster knows indexes by name. */
const SQLITE_UNIQUE_INDEXES: Readonly<Record<string, string>> = {
  'users.site_id, users.logon_lower': 'users_site_logon',
  'groups.site_id, groups.display_name_lower': 'groups_site_name',
  'sites.slug_lower': 'sites_slug_lower_key',
  'users.site_id, users.id': 'users_pkey',
  'groups.site_id, groups.id': 'groups_pkey',
  'access_tokens.token_hash': 'access_tokens_token_hash_key',
};

export function translateSqliteError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  if (error instanceof RosterError) return error;
  if (!('code' in error) || typeof error.code !== 'string') return error;
  const code = error.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = /UNIQUE constraint failed: (.*)$/.exec(error.message)?.[1] ?? '';
    const constraint = SQLITE_UNIQUE_INDEXES[columns] ?? columns;
    return new RosterError('unique-violation', uniqueDetail(constraint), { constraint, cause: error });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new RosterError('database-busy', 'The database is busy: try again in a moment.', {
      retryAfterSeconds: RETRY_SOON_SECONDS,
      cause: error,
    });
  }
  if (code === 'SQLITE_INTERRUPT') {
    return new RosterError('query-timeout', 'The query took too long and was stopped.', {
      retryAfterSeconds: RETRY_SOON_SECONDS,
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL' || code.startsWith('SQLITE_CANTOPEN')) {
    return new RosterError('database-unavailable', `The database cannot be written (${code}).`, {
      retryAfterSeconds: RETRY_OUTAGE_SECONDS,
      cause: error,
    });
  }
  return error;
}

/** PostgreSQL SQLSTATE classes and codes (Appendix A of its manual). */
const PG_WRITE_CONFLICTS: ReadonlySet<string> = new Set(['40001', '40P01']);
const PG_UNAVAILABLE_CODES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
/** Errors of the driver or the socket rather than of the server (no SQLSTATE). */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const LOST_CONNECTION =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Client was closed/i;

export function translatePostgresError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  if (error instanceof RosterError) return error;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code === '23505') {
    const constraint =
      'constraint' in error && typeof error.constraint === 'string' ? error.constraint : 'unknown';
    return new RosterError('unique-violation', uniqueDetail(constraint), { constraint, cause: error });
  }
  if (code !== undefined && PG_WRITE_CONFLICTS.has(code)) {
    return new RosterError('write-conflict', 'The change collided with another one: try it again.', {
      retryAfterSeconds: RETRY_SOON_SECONDS,
      cause: error,
    });
  }
  if (code === '55P03') {
    return new RosterError('database-busy', 'The database is busy: try again in a moment.', {
      retryAfterSeconds: RETRY_SOON_SECONDS,
      cause: error,
    });
  }
  if (code === '57014') {
    return new RosterError(
      'query-timeout',
      'The query took longer than the database allows (ROSTER_STATEMENT_TIMEOUT) and was stopped.',
      { retryAfterSeconds: RETRY_SOON_SECONDS, cause: error },
    );
  }
  if (
    (code !== undefined && (code.startsWith('08') || PG_UNAVAILABLE_CODES.has(code))) ||
    (code !== undefined && NETWORK_CODES.has(code)) ||
    (code === undefined && LOST_CONNECTION.test(error.message))
  ) {
    return new RosterError('database-unavailable', 'The database cannot be reached: try again shortly.', {
      retryAfterSeconds: RETRY_OUTAGE_SECONDS,
      cause: error,
    });
  }
  return error;
}

function uniqueDetail(constraint: string): string {
  return `The change would duplicate a value that must be unique (${constraint}).`;
}
