import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { isRetryable, RosterError } from '../../errors.js';
import { translatePostgresError, translateSqliteError } from './database-errors.js';

/** A driver error as pg and better-sqlite3 raise them: an Error with extra properties. */
function driverError(message: string, properties: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), properties);
}

function translatedBy(translate: (error: unknown) => Error, error: unknown): RosterError {
  const translated = translate(error);
  if (!(translated instanceof RosterError)) throw new Error(`not translated: ${String(translated)}`);
  return translated;
}

describe('translatePostgresError', () => {
  it('turns a unique violation into unique-violation naming the constraint (a 409 uniqueness)', () => {
    const cause = driverError('duplicate key value violates unique constraint "users_site_logon"', {
      code: '23505',
      constraint: 'users_site_logon',
    });
    const error = translatedBy(translatePostgresError, cause);
    expect(error).toMatchObject({
      code: 'unique-violation',
      constraint: 'users_site_logon',
      status: 409,
      scimType: 'uniqueness',
      retryAfterSeconds: undefined,
    });
    expect(error.detail).toContain('users_site_logon');
    expect(error.cause).toBe(cause);
    expect(isRetryable(error)).toBe(false);
  });

  it('names the constraint "unknown" when the driver does not say which', () => {
    expect(translatedBy(translatePostgresError, driverError('duplicate', { code: '23505' }))).toMatchObject({
      code: 'unique-violation',
      constraint: 'unknown',
    });
  });

  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
  ])('turns %s (%s) into a retryable write-conflict with a Retry-After', (code, message) => {
    const cause = driverError(message, { code });
    const error = translatedBy(translatePostgresError, cause);
    expect(error).toMatchObject({ code: 'write-conflict', status: 503, retryAfterSeconds: 1 });
    expect(error.cause).toBe(cause);
    expect(isRetryable(error)).toBe(true);
  });

  it('turns a lock time-out (55P03) into database-busy', () => {
    const error = translatedBy(
      translatePostgresError,
      driverError('canceling statement due to lock timeout', { code: '55P03' }),
    );
    expect(error).toMatchObject({ code: 'database-busy', status: 503, retryAfterSeconds: 1 });
    expect(isRetryable(error)).toBe(false);
  });

  it('turns a statement time-out (57014) into query-timeout', () => {
    const error = translatedBy(
      translatePostgresError,
      driverError('canceling statement due to statement timeout', { code: '57014' }),
    );
    expect(error).toMatchObject({ code: 'query-timeout', status: 503, retryAfterSeconds: 1 });
    expect(error.detail).toContain('ROSTER_STATEMENT_TIMEOUT');
  });

  it.each([
    ['class 08: connection failure', { code: '08006' }, 'connection failure'],
    ['class 08: cannot connect now', { code: '08001' }, 'could not connect'],
    ['class 08: protocol violation', { code: '08P01' }, 'protocol violation'],
    ['admin shutdown', { code: '57P01' }, 'terminating connection due to administrator command'],
    ['cannot connect now (starting up)', { code: '57P03' }, 'the database system is starting up'],
    ['too many connections', { code: '53300' }, 'sorry, too many clients already'],
    ['a refused socket', { code: 'ECONNREFUSED' }, 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['a reset socket', { code: 'ECONNRESET' }, 'read ECONNRESET'],
    ['a lost connection, without a code', {}, 'Connection terminated unexpectedly'],
    ['a pool time-out, without a code', {}, 'timeout exceeded when trying to connect'],
  ])('turns %s into database-unavailable with a Retry-After', (_name, properties, message) => {
    const cause = driverError(message, properties);
    const error = translatedBy(translatePostgresError, cause);
    expect(error).toMatchObject({ code: 'database-unavailable', status: 503, retryAfterSeconds: 5 });
    expect(error.cause).toBe(cause);
    expect(isRetryable(error)).toBe(false);
  });

  it('reads the lost-connection wording only when the error has no code of its own', () => {
    // A server error that happens to quote the words is still the server's error.
    const quoted = driverError('Connection terminated: syntax error', { code: '42601' });
    expect(translatePostgresError(quoted)).toBe(quoted);
  });

  it.each([
    ['a syntax error', driverError('syntax error at or near "SELEC"', { code: '42601' })],
    ['a foreign key violation', driverError('violates foreign key constraint', { code: '23503' })],
    ['a not-null violation', driverError('null value in column', { code: '23502', constraint: 'x' })],
    ['an error without a code', driverError('something else')],
    ['a TypeError', new TypeError('cannot read properties of undefined')],
  ])('leaves %s unchanged: it is a bug, not a condition', (_name, error) => {
    expect(translatePostgresError(error)).toBe(error);
  });

  it('leaves a RosterError unchanged, so translating twice is harmless', () => {
    const error = new RosterError('write-conflict', 'already translated', { retryAfterSeconds: 1 });
    expect(translatePostgresError(error)).toBe(error);
    const once = translatePostgresError(driverError('deadlock detected', { code: '40P01' }));
    expect(translatePostgresError(once)).toBe(once);
  });

  it('wraps a thrown non-Error in an Error', () => {
    const error = translatePostgresError('boom');
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RosterError);
    expect(error.message).toBe('boom');
  });
});

describe('translateSqliteError', () => {
  it.each([
    ['users.site_id, users.logon_lower', 'users_site_logon'],
    ['groups.site_id, groups.display_name_lower', 'groups_site_name'],
    ['sites.slug_lower', 'sites_slug_lower_key'],
    ['access_tokens.token_hash', 'access_tokens_token_hash_key'],
  ])('maps the columns of a broken unique index (%s) to its name (%s)', (columns, constraint) => {
    const cause = driverError(`UNIQUE constraint failed: ${columns}`, { code: 'SQLITE_CONSTRAINT_UNIQUE' });
    const error = translatedBy(translateSqliteError, cause);
    expect(error).toMatchObject({
      code: 'unique-violation',
      constraint,
      status: 409,
      scimType: 'uniqueness',
    });
    expect(error.cause).toBe(cause);
  });

  it.each([
    ['users.site_id, users.id', 'users_pkey'],
    ['groups.site_id, groups.id', 'groups_pkey'],
  ])('maps a primary key (%s) to the name PostgreSQL gives it (%s)', (columns, constraint) => {
    const error = translatedBy(
      translateSqliteError,
      driverError(`UNIQUE constraint failed: ${columns}`, { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }),
    );
    expect(error).toMatchObject({ code: 'unique-violation', constraint });
  });

  it('keeps the column list of an index it does not know as the constraint', () => {
    const error = translatedBy(
      translateSqliteError,
      driverError('UNIQUE constraint failed: widgets.site_id, widgets.name', {
        code: 'SQLITE_CONSTRAINT_UNIQUE',
      }),
    );
    expect(error.constraint).toBe('widgets.site_id, widgets.name');
  });

  it("reads better-sqlite3's own error for a broken index the migrations create", () => {
    const database = new Database(':memory:');
    try {
      database.exec(
        'CREATE TABLE users (site_id TEXT NOT NULL, logon_lower TEXT NOT NULL);' +
          'CREATE UNIQUE INDEX users_site_logon ON users (site_id, logon_lower);',
      );
      const insert = database.prepare('INSERT INTO users (site_id, logon_lower) VALUES (?, ?)');
      insert.run('s', 'ann');
      let thrown: unknown;
      try {
        insert.run('s', 'ann');
      } catch (error) {
        thrown = error;
      }
      expect(translatedBy(translateSqliteError, thrown)).toMatchObject({
        code: 'unique-violation',
        constraint: 'users_site_logon',
      });
    } finally {
      database.close();
    }
  });

  it.each(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE'])(
    'turns %s into database-busy with a Retry-After',
    (code) => {
      const error = translatedBy(translateSqliteError, driverError('database is locked', { code }));
      expect(error).toMatchObject({ code: 'database-busy', status: 503, retryAfterSeconds: 1 });
      expect(isRetryable(error)).toBe(false);
    },
  );

  it('turns an interrupted statement into query-timeout', () => {
    expect(
      translatedBy(translateSqliteError, driverError('interrupted', { code: 'SQLITE_INTERRUPT' })),
    ).toMatchObject({ code: 'query-timeout', retryAfterSeconds: 1 });
  });

  it.each(['SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_FULL', 'SQLITE_CANTOPEN'])(
    'turns %s into database-unavailable with a Retry-After',
    (code) => {
      expect(translatedBy(translateSqliteError, driverError('disk I/O error', { code }))).toMatchObject({
        code: 'database-unavailable',
        retryAfterSeconds: 5,
      });
    },
  );

  it.each([
    [
      'a foreign key violation',
      driverError('FOREIGN KEY constraint failed', { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }),
    ],
    [
      'a NOT NULL violation',
      driverError('NOT NULL constraint failed: users.logon', { code: 'SQLITE_CONSTRAINT_NOTNULL' }),
    ],
    ['a syntax error', driverError('near "SELEC": syntax error', { code: 'SQLITE_ERROR' })],
    ['an error without a code', driverError('something else')],
    ['an error with a code that is not text', driverError('odd', { code: 5 })],
  ])('leaves %s unchanged', (_name, error) => {
    expect(translateSqliteError(error)).toBe(error);
  });

  it('leaves a RosterError unchanged', () => {
    const error = new RosterError('database-busy', 'already translated', { retryAfterSeconds: 1 });
    expect(translateSqliteError(error)).toBe(error);
  });

  it('wraps a thrown non-Error in an Error', () => {
    const error = translateSqliteError(42);
    expect(error).not.toBeInstanceOf(RosterError);
    expect(error.message).toBe('42');
  });
});
