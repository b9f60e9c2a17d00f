import type { RunResult, SqlDatabase, SqlExecutor, SqlValue } from '../../src/store/sql/connection.js';

export interface CountedStatement {
  readonly sql: string;
  /** Rows the statement handed to JavaScript (for `run`, the rows it changed). */
  readonly rows: number;
}

/**
 * A database that runs every statement on the real one and remembers each, with how many rows came
 * back: what tests of "one statement", "one round trip" and "the cost follows what changed" count.
 */
export class CountingDatabase implements SqlDatabase {
  readonly statements: CountedStatement[] = [];

  constructor(private readonly inner: SqlDatabase) {}

  get dialect(): SqlDatabase['dialect'] {
    return this.inner.dialect;
  }

  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return counted(this.statements, this.inner).all<Row>(sql, params);
  }

  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return counted(this.statements, this.inner).get<Row>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return counted(this.statements, this.inner).run(sql, params);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => work(counted(this.statements, tx)));
  }

  exec(sql: string): Promise<void> {
    return this.inner.exec(sql);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** What ran since the last call, and forget it. */
  take(): CountedStatement[] {
    return this.statements.splice(0);
  }
}

function counted(statements: CountedStatement[], inner: SqlExecutor): SqlExecutor {
  return {
    dialect: inner.dialect,
    async all<Row>(sql: string, params?: readonly SqlValue[]) {
      const rows = await inner.all<Row>(sql, params);
      statements.push({ sql, rows: rows.length });
      return rows;
    },
    async get<Row>(sql: string, params?: readonly SqlValue[]) {
      const row = await inner.get<Row>(sql, params);
      statements.push({ sql, rows: row === undefined ? 0 : 1 });
      return row;
    },
    async run(sql: string, params?: readonly SqlValue[]) {
      const result = await inner.run(sql, params);
      statements.push({ sql, rows: result.changes });
      return result;
    },
  };
}
