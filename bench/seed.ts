import { createServices } from '../src/directory/services.js';
import type {
  DialectName,
  RunResult,
  SqlDatabase,
  SqlExecutor,
  SqlValue,
} from '../src/store/sql/connection.js';
import { SqlStore } from '../src/store/sql/sql-store.js';
import { openDatabase } from '../src/store/open.js';

/** Users per transaction. */
const BATCH = 1000;
/** Bound parameters per statement: well under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 16_000;

export interface DirectSeedOptions {
  readonly databaseUrl: string;
  readonly dialect: DialectName;
  readonly site: string;
  /** The token the users are provisioned with, as the provisioning events record it. */
  readonly tokenId: string;
  readonly count: number;
  /** The POST /Users body of user `n` (1-based). */
  readonly body: (n: number) => unknown;
  /** Called with each created user's id, in order. */
  readonly created: (n: number, id: string) => void;
}

/**
 * Fills a site fast without going around the product's rules. Each user is created by the
 * directory service's own `create` — validation and canonicalisation, the product fields, the
 * emails side table, the provisioning event and the user counter — over the store's own SQL. What
 * differs from POST /Users is only how the statements reach the database: the store's INSERTs are
 * recorded, then sent as multi-row INSERTs of the same text and parameters, 1,000 users to a
 * transaction, with the counter raised once per transaction by the sum of the creates' raises.
 * Reads during a create (is this Logon taken?) find nothing, which is true of a fresh site; the
 * unique index would refuse a duplicate all the same.
 */
export async function seedDirect(options: DirectSeedOptions): Promise<void> {
  const database = await openDatabase(options.databaseUrl, { postgresPoolSize: 2 });
  try {
    const site = await new SqlStore(database).sites.bySlug(options.site);
    if (!site) throw new Error(`site '${options.site}' not found`);
    const context = {
      site,
      actor: { siteId: site.id, kind: 'scim' as const, tokenId: options.tokenId, requestId: null },
    };
    const recorder = new RecordingDatabase(options.dialect);
    const { resources } = createServices(new SqlStore(recorder), {
      hashPassword: () => Promise.reject(new Error('the bench provisions no passwords')),
    });
    // Building the next batch overlaps with writing the previous one (PostgreSQL answers on a socket).
    let writing: Promise<void> = Promise.resolve();
    for (let first = 1; first <= options.count; first += BATCH) {
      const last = Math.min(options.count, first + BATCH - 1);
      for (let n = first; n <= last; n++) {
        const { id } = await resources.create(context, 'User', options.body(n), { scimBase: '' });
        options.created(n, id);
      }
      const statements = recorder.take();
      await writing;
      writing = writeGrouped(database, statements);
    }
    await writing;
  } finally {
    await database.close();
  }
}

interface Statement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** A database that records the statements it is given instead of running them, and reads nothing. */
class RecordingDatabase implements SqlDatabase {
  private statements: Statement[] = [];

  constructor(readonly dialect: DialectName) {}

  all<Row>(): Promise<Row[]> {
    return Promise.resolve([]);
  }

  get<Row>(): Promise<Row | undefined> {
    return Promise.resolve(undefined);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    this.statements.push({ sql, params });
    return Promise.resolve({ changes: 1 });
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return work(this);
  }

  exec(): Promise<void> {
    return Promise.reject(new Error('the bench seeder runs no DDL'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  take(): Statement[] {
    const taken = this.statements;
    this.statements = [];
    return taken;
  }
}

const PLAIN_INSERT = /^(INSERT INTO \w+ \([^)]*\) VALUES )(\(\?(?:, \?)*\))(?:, \(\?(?:, \?)*\))*$/;
const COUNTER_UPSERT =
  /^INSERT INTO resource_counts \(site_id, resource_type, shard, visible\) VALUES \(\?, \?, \?, \?\) ON CONFLICT/;

/**
 * Runs recorded statements in one transaction: each plain INSERT text as multi-row INSERTs, in the
 * order the texts first appeared (users before the emails that reference them), then the counter
 * raise, summed per site. Any other statement stops the bench: the seeder would not know how to
 * group it, and BENCH_QUERY_SEED=api still works.
 */
async function writeGrouped(database: SqlDatabase, statements: readonly Statement[]): Promise<void> {
  const inserts = new Map<string, SqlValue[][]>();
  const counters = new Map<string, number>();
  let counterSql: string | undefined;
  for (const statement of statements) {
    if (COUNTER_UPSERT.test(statement.sql)) {
      counterSql = statement.sql;
      const [site, , , delta] = statement.params as [string, string, number, number];
      counters.set(site, (counters.get(site) ?? 0) + delta);
      continue;
    }
    if (!PLAIN_INSERT.test(statement.sql)) {
      throw new Error(
        `direct seeding cannot group '${statement.sql.slice(0, 80)}…'; use BENCH_QUERY_SEED=api`,
      );
    }
    // A multi-row INSERT is grouped with the single-row ones of the same table and columns.
    const [, head, tuple] = PLAIN_INSERT.exec(statement.sql)!;
    const key = `${head}${tuple}`;
    const width = (tuple!.match(/\?/g) ?? []).length;
    const rows = inserts.get(key) ?? [];
    for (let at = 0; at < statement.params.length; at += width)
      rows.push(statement.params.slice(at, at + width));
    inserts.set(key, rows);
  }
  await database.transaction(async (tx) => {
    for (const [sql, rows] of inserts) {
      const [, head, tuple] = PLAIN_INSERT.exec(sql)!;
      const width = rows[0]!.length;
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / width));
      for (let at = 0; at < rows.length; at += perStatement) {
        const chunk = rows.slice(at, at + perStatement);
        await tx.run(`${head}${Array.from(chunk, () => tuple).join(', ')}`, chunk.flat());
      }
    }
    for (const [site, delta] of counters) await tx.run(counterSql!, [site, 'User', 0, delta]);
  });
}
