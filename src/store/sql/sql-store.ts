import type { Store, StoreTransaction, TransactionOptions } from '../store.js';
import type { SqlDatabase, SqlExecutor } from './connection.js';
import { type Dialect, dialects } from './dialect.js';
import { EventSql } from './events-sql.js';
import { GroupSql } from './groups-sql.js';
import { MembershipSql } from './members-sql.js';
import { PagingSql } from './paging-sql.js';
import { CountSql } from './resource-counts.js';
import { SiteSql } from './sites-sql.js';
import { TokenSql } from './tokens-sql.js';
import { UserSql } from './users-sql.js';

/** Every aggregate over one executor: the database at large, or one open transaction. */
class SqlAggregates implements StoreTransaction {
  readonly sites: SiteSql;
  readonly tokens: TokenSql;
  readonly users: UserSql;
  readonly groups: GroupSql;
  readonly members: MembershipSql;
  readonly events: EventSql;
  readonly counts: CountSql;
  readonly paging: PagingSql;

  constructor(sql: SqlExecutor, dialect: Dialect) {
    this.sites = new SiteSql(sql, dialect);
    this.tokens = new TokenSql(sql);
    this.users = new UserSql(sql, dialect);
    this.groups = new GroupSql(sql, dialect);
    this.members = new MembershipSql(sql, dialect);
    this.events = new EventSql(sql, dialect);
    this.counts = new CountSql(sql);
    this.paging = new PagingSql(sql);
  }
}

/**
 * The store over a SQL database. Outside a transaction only the aggregates' reads are offered (the
 * `Store` type has no writes); `transaction` hands out every aggregate bound to one transaction.
 */
export class SqlStore implements Store {
  private readonly dialect: Dialect;
  private readonly reads: SqlAggregates;

  constructor(private readonly database: SqlDatabase) {
    this.dialect = dialects[database.dialect];
    this.reads = new SqlAggregates(database, this.dialect);
  }

  get sites(): Store['sites'] {
    return this.reads.sites;
  }
  get tokens(): Store['tokens'] {
    return this.reads.tokens;
  }
  get users(): Store['users'] {
    return this.reads.users;
  }
  get groups(): Store['groups'] {
    return this.reads.groups;
  }
  get members(): Store['members'] {
    return this.reads.members;
  }
  get events(): Store['events'] {
    return this.reads.events;
  }
  get counts(): Store['counts'] {
    return this.reads.counts;
  }
  get paging(): Store['paging'] {
    return this.reads.paging;
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const relaxed = options.relaxed === true ? this.dialect.relaxedCommit : undefined;
    return this.database.transaction(async (tx) => {
      if (relaxed !== undefined) await tx.run(relaxed);
      return work(new SqlAggregates(tx, this.dialect));
    });
  }

  async ping(): Promise<void> {
    await this.database.get('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
