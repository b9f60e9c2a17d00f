import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { RosterError } from '../../errors.js';
import { openDatabase } from '../open.js';
import type { SqlDatabase, SqlExecutor } from './connection.js';
import { SqliteDatabase } from './sqlite-database.js';

let dir: string;
const opened: SqlDatabase[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roster-sqlite-'));
});

afterEach(async () => {
  for (const database of opened.splice(0)) await database.close();
  rmSync(dir, { recursive: true, force: true });
});

async function withTable<D extends SqlDatabase>(database: D): Promise<D> {
  opened.push(database);
  await database.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  return database;
}

const insert = (db: SqlExecutor, text: string) => db.run('INSERT INTO notes (text) VALUES (?)', [text]);

async function texts(db: SqlExecutor): Promise<string[]> {
  const rows = await db.all<{ text: string }>('SELECT text FROM notes ORDER BY id');
  return rows.map((row) => row.text);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

describe('SqliteDatabase: a write on the database inside a transaction callback', () => {
  it('with strictTransactions, refuses at once and names the mistake', async () => {
    const db = await withTable(
      await openDatabase(`sqlite:${join(dir, 'strict.db')}`, { strictTransactions: true }),
    );
    const refusals: unknown[] = [];
    await db.transaction(async (tx) => {
      await insert(tx, 'inside');
      // After an await as well as before it: the callback's whole async flow is inside.
      await nextTurn();
      // Each is refused at once (awaiting it inside the transaction does not hang).
      for (const write of [
        () => insert(db, 'outside'),
        () => db.transaction((inner) => insert(inner, 'nested')),
        () => db.exec("INSERT INTO notes (text) VALUES ('exec')"),
      ]) {
        await write().then(
          () => undefined,
          (error: unknown) => refusals.push(error),
        );
      }
      // Reads through the database are allowed: they go to the reader and see committed data.
      expect(await texts(db)).toEqual([]);
    });
    expect(refusals).toHaveLength(3);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(Error);
      expect((refusal as Error).message).toMatch(
        /inside a transaction: use the transaction the callback was given/,
      );
    }
    expect(await texts(db)).toEqual(['inside']);
    // Outside the callback the database writes again.
    await insert(db, 'after');
    expect(await texts(db)).toEqual(['inside', 'after']);
  });

  it('without it, is refused as database-busy after writerWaitMs, and never runs', async () => {
    const writerWaitMs = 200;
    const db = await withTable(new SqliteDatabase({ file: join(dir, 'bounded.db'), writerWaitMs }));
    let refusal: unknown;
    let waited = 0;
    const result = await db.transaction(async (tx) => {
      await insert(tx, 'inside');
      const started = performance.now();
      // Queued behind this very transaction, it would wait forever without the bound.
      refusal = await rejection(insert(db, 'outside'));
      waited = performance.now() - started;
      await insert(tx, 'inside again');
      return 'finished';
    });

    expect(result).toBe('finished');
    expect(refusal).toBeInstanceOf(RosterError);
    const error = refusal as RosterError;
    expect(error.code).toBe('database-busy');
    expect(error.kind).toBe('unavailable');
    expect(error.status).toBe(503);
    expect(error.retryAfterSeconds).toBe(1);
    // Timers may fire a millisecond early by the clock that measures them.
    expect(waited).toBeGreaterThanOrEqual(writerWaitMs - 5);
    // The next write passes the refused one's place in the queue; the refused one stays undone.
    await insert(db, 'later');
    expect(await texts(db)).toEqual(['inside', 'inside again', 'later']);
  });

  it('without it, a refused write does not keep the database busy for the writes after it', async () => {
    const db = await withTable(new SqliteDatabase({ file: join(dir, 'after.db'), writerWaitMs: 200 }));
    await db.transaction(async () => {
      await rejection(insert(db, 'outside'));
    });
    await Promise.all(['a', 'b', 'c'].map((text) => insert(db, text)));
    expect(await texts(db)).toEqual(['a', 'b', 'c']);
  });
});

describe('SqliteDatabase: writes outside transactions', () => {
  it('run one at a time, and all succeed', async () => {
    const db = await withTable(new SqliteDatabase({ file: join(dir, 'serial.db') }));
    await db.exec('CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)');
    let running = 0;
    let most = 0;
    // Each reads the counter, yields to the event loop, and writes it back plus one: two that
    // overlapped would lose an increment (or fail to begin on the one writer connection).
    const increment = () =>
      db.transaction(async (tx) => {
        running++;
        most = Math.max(most, running);
        const row = await tx.get<{ n: number }>('SELECT n FROM counter');
        await nextTurn();
        await tx.run('UPDATE counter SET n = ?', [row!.n + 1]);
        running--;
      });
    const writes = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0 ? increment() : insert(db, `note ${i}`),
    );
    const outcomes = await Promise.allSettled(writes);

    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    expect(most).toBe(1);
    expect((await db.get<{ n: number }>('SELECT n FROM counter'))!.n).toBe(10);
    expect(await texts(db)).toHaveLength(10);
  });

  it('a write issued while a transaction is open is not part of it', async () => {
    const db = await withTable(new SqliteDatabase({ file: join(dir, 'apart.db') }));
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const failing = db.transaction(async (tx) => {
      await insert(tx, 'rolled back');
      opened();
      for (let i = 0; i < 5; i++) await nextTurn();
      throw new Error('the transaction fails');
    });
    await isOpen;
    // On the one writer connection, this would land in the open transaction and be rolled back with it.
    const outside = insert(db, 'kept');
    expect(await rejection(failing)).toEqual(new Error('the transaction fails'));
    await outside;
    expect(await texts(db)).toEqual(['kept']);
  });
});
