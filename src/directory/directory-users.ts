import { RosterError } from '../errors.js';
import type { PageStart } from '../model/listing.js';
import type { Membership, Privilege, UserRecord } from '../model/resource.js';
import type { SiteRecord } from '../model/site.js';
import { PATCH_OP_SCHEMA } from '../scim/patch/request.js';
import type { ScimObject } from '../scim/resource.js';
import { USER_SCHEMA_ID } from '../scim/schema/user.js';
import type { Store } from '../store/store.js';
import type { RequestContext } from './context.js';
import type { EventPage, EventService } from './events.js';
import { type PrivilegeService, type PrivilegeStanding, userNotFound } from './privileges.js';
import type { ResourceRegistry } from './registry/registry.js';
import type { WritePipeline } from './write-pipeline.js';

const PAGE = 1000;

/** A user as an operator creates one: its Logon and the product's fields. */
export interface NewUser {
  readonly logon: string;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly email?: string | undefined;
  readonly timeZone?: string | undefined;
  readonly privilege?: Privilege | undefined;
}

/** Everything the directory knows about one user, for an operator. */
export interface UserProfile {
  readonly user: UserRecord;
  readonly standing: PrivilegeStanding;
  readonly groups: readonly Membership[];
  /** The user's history, newest first: events naming its Logon or its record. */
  readonly history: EventPage;
}

/**
 * The site's user directory as an administrator sees it: disabled users and SCIM-deleted ones too.
 * An operator's writes go through the same write pipeline as an identity provider's, so the same
 * rules hold (Logon unique, time zones checked, the last active Promaster kept) and the same log
 * records them, with the operator as the actor.
 */
export class UserDirectory {
  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly pipeline: WritePipeline,
    private readonly privileges: PrivilegeService,
    private readonly events: EventService,
  ) {}

  /** Active users, or with `inactive` every user the directory keeps; paged by position, not by index. */
  async list(site: SiteRecord, options: { inactive?: boolean } = {}): Promise<UserRecord[]> {
    const result: UserRecord[] = [];
    let start: PageStart = { index: 1 };
    for (;;) {
      const page = await this.store.users.page(
        site.id,
        { start, count: PAGE },
        { includeDeleted: options.inactive === true, activeOnly: options.inactive !== true },
      );
      result.push(...page.items);
      const last = page.positions[page.positions.length - 1];
      if (!page.more || !last) return result;
      start = { after: last };
    }
  }

  /** A user the directory keeps, SCIM-deleted or not. */
  get(site: SiteRecord, id: string): Promise<UserRecord | undefined> {
    return this.store.users.get(site.id, id);
  }

  /** The user with this Logon (any letter case), SCIM-deleted or not. */
  async find(site: SiteRecord, logon: string): Promise<UserRecord> {
    const user = await this.store.users.byLogon(site.id, logon);
    if (!user) throw userNotFound(site, logon);
    return user;
  }

  async profile(site: SiteRecord, logon: string, historyLimit: number): Promise<UserProfile> {
    const user = await this.find(site, logon);
    const standing = await this.privileges.standing(user);
    const groups = (await this.store.members.groupsOf(site.id, [user.id])).get(user.id) ?? [];
    const history = await this.events.list(site, { limit: historyLimit, user: user.logon });
    return { user, standing, groups, history };
  }

  /**
   * Creates a user as an identity provider would (a Logon a SCIM DELETE removed comes back), then
   * sets its own privilege when one above User is asked for: two events in the log.
   */
  async create(
    context: RequestContext,
    input: NewUser,
  ): Promise<{ readonly user: UserRecord; readonly restored: boolean }> {
    const type = this.registry.forSite(context.site).get('User');
    const { record, restored } = await this.pipeline.create(
      context,
      type.entry.kind,
      type.schema,
      scimUser(input),
    );
    if (input.privilege !== undefined && input.privilege !== 'User') {
      await this.privileges.setUserPrivilege(context, input.logon, input.privilege);
    }
    return { user: (await this.store.users.get(context.site.id, record.id))!, restored };
  }

  /**
   * Enables or disables a user, as an identity provider's PATCH of `active` would. A user already
   * in that state is left alone and nothing is logged.
   */
  async setActive(
    context: RequestContext,
    logon: string,
    active: boolean,
  ): Promise<{ readonly user: UserRecord; readonly changed: boolean }> {
    const user = await this.find(context.site, logon);
    if (user.deletedAt !== null) {
      throw new RosterError(
        'user-not-found',
        `'${user.logon}' was removed by a SCIM DELETE: it stays disabled until it is created again ` +
          `(by the identity provider, or roster users create --logon ${user.logon}).`,
      );
    }
    if (user.active === active) return { user, changed: false };
    const type = this.registry.forSite(context.site).get('User');
    const body = {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [{ op: 'replace', path: 'active', value: active }],
    };
    await this.pipeline.patch(context, type.entry.kind, type.schema, user.id, body, undefined);
    return { user: (await this.store.users.get(context.site.id, user.id))!, changed: true };
  }
}

/** The SCIM User an operator's fields make (DESIGN §5's mapping, read backwards). */
function scimUser(input: NewUser): ScimObject {
  return {
    schemas: [USER_SCHEMA_ID],
    userName: input.logon,
    ...(input.firstName !== undefined || input.lastName !== undefined
      ? {
          name: {
            ...(input.firstName !== undefined ? { givenName: input.firstName } : {}),
            ...(input.lastName !== undefined ? { familyName: input.lastName } : {}),
          },
        }
      : {}),
    ...(input.email !== undefined ? { emails: [{ value: input.email, type: 'work', primary: true }] } : {}),
    ...(input.timeZone !== undefined ? { timezone: input.timeZone } : {}),
  };
}
