/**
 * The one seam between Roster and a database driver. SQL is written once, with `?` placeholders;
 * each connection turns it into what its driver wants. Everything above this file is
 * driver-agnostic.
 */

export type DialectName = 'sqlite' | 'postgres';

export type SqlValue = string | number | boolean | null;

export interface RunResult {
  readonly changes: number;
}

/** Runs statements: either the database at large, or one open transaction. */
export interface SqlExecutor {
  readonly dialect: DialectName;
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
}

export interface SqlDatabase extends SqlExecutor {
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Reads made through the database (not the transaction) never see uncommitted writes.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs DDL or several statements without parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}
