import type { DialectName } from './connection.js';

/**
 * Every difference between the two SQL dialects that Roster's SQL relies on lives here.
 * Placeholders (`?` vs `$n`) are handled by the connection.
 */
export interface DialectTypes {
  /** Column type for booleans: SQLite stores 0/1 integers. */
  readonly boolean: string;
}

export interface Dialect extends DialectTypes {
  readonly name: DialectName;
  /** Suffix that locks the rows a read-modify-write transaction reads (SQLite's writes are serial). */
  readonly forUpdate: string;
  /** The text of a JSON value at `path` (a list of keys) in a TEXT column holding JSON. */
  jsonText(column: string, path: readonly string[]): string;
  /** Turns a stored boolean back into a JS boolean. */
  toBoolean(value: unknown): boolean;
}

export const dialectTypes: Record<DialectName, DialectTypes> = {
  sqlite: { boolean: 'INTEGER' },
  postgres: { boolean: 'BOOLEAN' },
};

const sqlite: Dialect = {
  name: 'sqlite',
  ...dialectTypes.sqlite,
  forUpdate: '',
  jsonText: (column, path) => `json_extract(${column}, '${jsonPath(path)}')`,
  toBoolean: (value) => value === 1 || value === true,
};

const postgres: Dialect = {
  name: 'postgres',
  ...dialectTypes.postgres,
  forUpdate: ' FOR UPDATE',
  jsonText: (column, path) =>
    `(${column}::json #>> '{${path.map((key) => `"${key.replace(/"/g, '')}"`).join(',')}}')`,
  toBoolean: (value) => value === true,
};

export const dialects: Record<DialectName, Dialect> = { sqlite, postgres };

/** A SQLite JSON path from keys the schema defines (never from user input). */
function jsonPath(path: readonly string[]): string {
  return `$${path.map((key) => `."${key.replace(/["']/g, '')}"`).join('')}`;
}
