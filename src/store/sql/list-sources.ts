import type { AttributeStorage } from '../../scim/schema/types.js';
import { and, compare, param, sql, type SqlExpression } from './sql-expression.js';

/** How SQL reads one value: a column or JSON accessor, and what its stored form already is. */
export interface ValueSource {
  readonly expression: string;
  /** The column holds the value lower-cased, so a folded comparison lowers only the literal. */
  readonly lowered?: boolean;
  /** Epoch milliseconds: compared with instants. */
  readonly instant?: boolean;
  /** A JSON scalar that needs the dialect's cast to compare as boolean or number. */
  readonly json?: boolean;
}

/**
 * A multi-valued attribute kept outside the resource's JSON: a side table (`emails`) or a relation
 * the server derives (a user's `groups`, a group's `members`). The attribute's storage names it;
 * this says how SQL reaches its rows from the resource's row.
 */
export interface ListSource {
  /** The FROM item, with its alias. */
  readonly from: string;
  /** The alias its sub-attribute columns are read through. */
  readonly alias: string;
  /** Ties its rows to the resource's row (`u` or `g`). */
  join(owner: string): SqlExpression;
  /** The column naming the resource a row belongs to, for `IN (SELECT …)` lookups. */
  readonly ownerColumn: string;
  /**
   * When the owners are better read as a set (`id IN (SELECT owner …)`, from the source's own
   * index) than tested row by row with a correlated EXISTS: always, only when the filter fixes
   * an indexed `value`, or never.
   */
  readonly lookup: 'always' | 'value-fixed' | 'never';
  /** Sub-attribute columns the source defines itself (relations); side tables declare theirs on the attributes. */
  readonly columns?: Readonly<Record<string, ValueSource>>;
  /** RFC 7644 §3.4.2.3: the value a resource sorts by: the primary value, else the first. */
  sortValue?(owner: string): string;
}

const SIDE_TABLES: Readonly<Record<string, ListSource>> = {
  user_emails: {
    from: 'user_emails e',
    alias: 'e',
    join: (owner) => sql(`e.site_id = ${owner}.site_id AND e.user_id = ${owner}.id`),
    ownerColumn: 'e.user_id',
    lookup: 'value-fixed',
    sortValue: (owner) =>
      `(SELECT e.value_lower FROM user_emails e WHERE e.site_id = ${owner}.site_id AND e.user_id = ${owner}.id ` +
      'ORDER BY e.is_primary DESC, e.position LIMIT 1)',
  },
};

const RELATIONS: Readonly<Record<Extract<AttributeStorage, { kind: 'relation' }>['relation'], ListSource>> = {
  // A user's groups: its memberships joined to the groups' names (RFC 7643 §4.1.2).
  'groups-of-member': {
    from: 'group_members gm JOIN groups gg ON gg.site_id = gm.site_id AND gg.id = gm.group_id',
    alias: 'gm',
    join: (owner) => sql(`gm.site_id = ${owner}.site_id AND gm.member_id = ${owner}.id`),
    ownerColumn: 'gm.member_id',
    lookup: 'never',
    // Ids are lower-case UUIDs: comparing them case-insensitively (RFC 7643 §4.1.2 `value` is not
    // caseExact) needs no lower() on the column, which keeps the member index usable.
    columns: {
      value: { expression: 'gm.group_id', lowered: true },
      display: { expression: 'gg.display_name' },
      type: { expression: "'direct'" },
    },
  },
  // A group's members, from their own table (indexed by group, and by member for `members.value eq`).
  'members-of-group': {
    from: 'group_members m',
    alias: 'm',
    join: (owner) => sql(`m.site_id = ${owner}.site_id AND m.group_id = ${owner}.id`),
    ownerColumn: 'm.group_id',
    lookup: 'always',
    columns: {
      value: { expression: 'm.member_id', lowered: true },
      type: { expression: 'm.member_type' },
      display: { expression: 'm.display' },
    },
  },
};

/** The list source an attribute's storage names, if it is kept outside the JSON. */
export function listSourceOf(storage: AttributeStorage | undefined): ListSource | undefined {
  if (storage?.kind === 'side-table') {
    const source = SIDE_TABLES[storage.table];
    if (!source) throw new Error(`no side table '${storage.table}'`);
    return source;
  }
  if (storage?.kind === 'relation') return RELATIONS[storage.relation];
  return undefined;
}

/** `source.site_id = ?`: keeps a scan of a list source inside the site's index range. */
export function sameSite(source: ListSource, siteId: string): SqlExpression {
  return compare(sql(`${source.alias}.site_id`), '=', param(siteId));
}

export function within(source: ListSource, owner: string, siteId: string | undefined): SqlExpression {
  return siteId === undefined ? source.join(owner) : and(source.join(owner), sameSite(source, siteId));
}
