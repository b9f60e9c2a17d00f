import { hash as argon2Hash } from '@node-rs/argon2';
import { RosterError } from '../errors.js';
import { ScimError } from '../scim/errors.js';
import { bindFilter } from '../scim/filter/bind.js';
import { bindSort } from '../scim/filter/bind-sort.js';
import { applyPatch } from '../scim/patch/apply.js';
import { type PatchOperation, parsePatchRequest } from '../scim/patch/request.js';
import { normalizeResource, type NormalizedResource, type ScimObject } from '../scim/resource.js';
import type { ResourceSchema } from '../scim/schema/registry.js';
import { emailsOf } from '../store/user-emails.js';
import type { FieldChange, SiteRecord, Store, StoreOperations, UserRecord } from '../store/store.js';
import { DEFAULT_CURSOR_TIMEOUT_MS, type ListRequest, type ListResult, Pager } from './paging.js';
import { newId } from './ids.js';
import { describePolicy, passwordViolations } from './password-policy.js';
import { type Actor, diffResources, provisioningEvent, recordingRefusals } from './provisioning-log.js';
import { isValidTimeZone } from './time-zones.js';
import { userVersion } from './user-view.js';
import { type TagCondition, tagMatches } from '../scim/etag.js';

/** Everything a user-changing call needs to know about who is calling and where. */
export interface UserContext {
  readonly site: SiteRecord;
  readonly actor: Actor;
}

export interface WriteOutcome {
  readonly user: UserRecord;
  /** True when a POST brought back a user that a SCIM DELETE had removed. */
  readonly restored?: boolean;
}

/** The product's fields, derived from a SCIM User (DESIGN §5). */
interface UserFields {
  readonly logon: string;
  readonly externalId: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly timeZone: string | null;
}

const RESOURCE_TYPE = 'User';

export type UserListRequest = ListRequest;

export interface UserListResult extends Omit<ListResult<UserRecord>, 'items'> {
  readonly users: UserRecord[];
}

/** Hashes synced passwords; argon2id is @node-rs/argon2's default algorithm. */
export type PasswordHasher = (password: string) => Promise<string>;
export const argon2idHasher: PasswordHasher = (password) => argon2Hash(password);

/**
 * The directory's rules for users: Logon unique per site regardless of letter case; deprovisioning
 * disables and never destroys; a SCIM DELETE hides the record and a later create of the same Logon
 * brings it back; the site's password policy governs synced passwords; and every write, accepted or
 * rejected, leaves a provisioning event — written in the same transaction as an accepted change.
 */
export class UserService {
  private readonly pager: Pager;

  constructor(
    private readonly store: Store,
    private readonly schema: ResourceSchema,
    private readonly hashPassword: PasswordHasher = argon2idHasher,
    options: { readonly cursorTimeoutMs: number } = { cursorTimeoutMs: DEFAULT_CURSOR_TIMEOUT_MS },
  ) {
    this.pager = new Pager(store, options.cursorTimeoutMs);
  }

  /** A user visible to SCIM (not removed by a SCIM DELETE), or 404. */
  async get(context: UserContext, id: string): Promise<UserRecord> {
    const user = await this.store.getUser(context.site.id, id);
    if (!user || user.deletedAt !== null) throw notFound(id);
    return user;
  }

  /** A page of the site's SCIM users (RFC 7644 §3.4.2), by index or by cursor (RFC 9865). */
  async list(context: UserContext, request: UserListRequest): Promise<UserListResult> {
    const filter = request.filter ? bindFilter(request.filter, this.schema) : undefined;
    const sort = request.sortBy ? bindSort(this.schema, request.sortBy, request.sortOrder) : undefined;
    const result = await this.pager.page(
      { siteId: context.site.id, tokenId: context.actor.tokenId, resourceType: RESOURCE_TYPE },
      request,
      async (start) => {
        const page = await this.store.listUsers(context.site.id, {
          ...(filter ? { filter } : {}),
          ...(sort ? { sort } : {}),
          count: request.count,
          start,
        });
        return {
          totalResults: page.totalResults,
          items: page.users,
          positions: page.positions,
          more: page.more,
        };
      },
    );
    const { items, ...rest } = result;
    return { ...rest, users: items };
  }

  create(context: UserContext, body: unknown): Promise<WriteOutcome> {
    return this.logged(context, 'create', undefined, async () => {
      const input = normalizeResource(this.schema, body);
      const fields = userFields(input.attributes);
      const password = await this.acceptPassword(context.site, input, fields.logon);
      const notes = describeIgnored(input, context.site);
      return this.store.transaction(async (tx) => {
        const existing = await tx.findUserByLogon(context.site.id, fields.logon, { forUpdate: true });
        if (existing && existing.deletedAt === null) {
          throw logonTaken(fields.logon);
        }
        const now = Date.now();
        const active = input.attributes.active !== false;
        const resource = storedResource(input.attributes);
        if (existing) {
          // The same Logon provisioned again after a SCIM DELETE: that record comes back.
          const restored: UserRecord = {
            ...existing,
            ...fields,
            active,
            resource,
            emails: emailsOf(resource),
            ...(password ? { passwordHash: password, passwordChangedAt: now } : {}),
            version: existing.version + 1,
            updatedAt: now,
            deletedAt: null,
          };
          await this.writeUpdate(tx, restored, existing);
          await tx.appendEvent(
            provisioningEvent(context.actor, {
              operation: 'restore',
              resourceType: RESOURCE_TYPE,
              resourceId: restored.id,
              logon: restored.logon,
              outcome: 'success',
              httpStatus: 201,
              changes: changesBetween(existing, restored, password !== undefined),
              detail: notes,
            }),
          );
          // Last, so the site's counter row is locked only until the commit that follows.
          await tx.adjustUserCount(context.site.id, 1);
          return { user: restored, restored: true };
        }
        const user: UserRecord = {
          siteId: context.site.id,
          id: newId(),
          ...fields,
          privilege: 'User',
          active,
          source: context.actor.kind === 'scim' ? 'scim' : context.actor.kind,
          resource,
          emails: emailsOf(resource),
          passwordHash: password ?? null,
          passwordChangedAt: password ? now : null,
          version: 1,
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        };
        try {
          await tx.insertUser(user);
        } catch (error) {
          if (error instanceof RosterError && error.constraint === 'users_site_logon')
            throw logonTaken(fields.logon);
          throw error;
        }
        await tx.appendEvent(
          provisioningEvent(context.actor, {
            operation: 'create',
            resourceType: RESOURCE_TYPE,
            resourceId: user.id,
            logon: user.logon,
            outcome: 'success',
            httpStatus: 201,
            changes: changesBetween(undefined, user, password !== undefined),
            detail: notes,
          }),
        );
        await tx.adjustUserCount(context.site.id, 1);
        return { user };
      });
    });
  }

  /** PUT (RFC 7644 §3.5.1): the body replaces every writable attribute; `active` is kept as sent. */
  replace(context: UserContext, id: string, body: unknown, ifMatch?: TagCondition): Promise<WriteOutcome> {
    return this.logged(context, 'update', id, async () => {
      const input = normalizeResource(this.schema, body);
      return this.update(context, id, ifMatch, input);
    });
  }

  /** PATCH (RFC 7644 §3.5.2): operations apply to the current user, then the result is validated whole. */
  patch(context: UserContext, id: string, body: unknown, ifMatch?: TagCondition): Promise<WriteOutcome> {
    return this.logged(context, 'update', id, async () => {
      const operations = parsePatchRequest(body);
      // The operations apply to the latest version, read inside the transaction.
      if (!operations.some(mayCarryPassword)) {
        return this.update(context, id, ifMatch, undefined, (latest) => this.patched(latest, operations));
      }
      // A password has to be checked and hashed before the transaction opens (hashing takes tens
      // of milliseconds), so a first pass over the current version finds it.
      const current = await this.get(context, id);
      const preview = this.patched(current, operations);
      return this.update(context, id, ifMatch, preview, (latest) =>
        latest.version === current.version ? preview : this.patched(latest, operations),
      );
    });
  }

  /** SCIM DELETE: the user disappears from SCIM (404 from now on) but stays in the directory, disabled. */
  delete(context: UserContext, id: string, ifMatch?: TagCondition): Promise<void> {
    return this.logged(context, 'delete', id, () =>
      this.store.transaction(async (tx) => {
        const existing = await tx.getUser(context.site.id, id, { forUpdate: true });
        if (!existing || existing.deletedAt !== null) throw notFound(id);
        checkPrecondition(existing, ifMatch);
        await this.guardLastPromaster(tx, existing, false);
        const now = Date.now();
        const deleted: UserRecord = {
          ...existing,
          active: false,
          version: existing.version + 1,
          updatedAt: now,
          deletedAt: now,
        };
        await this.writeUpdate(tx, deleted, existing);
        await tx.appendEvent(
          provisioningEvent(context.actor, {
            operation: 'delete',
            resourceType: RESOURCE_TYPE,
            resourceId: id,
            logon: existing.logon,
            outcome: 'success',
            httpStatus: 204,
            changes: existing.active ? [{ field: 'active', before: true, after: false }] : null,
          }),
        );
        // RFC 7644 §3.6: a deleted user is no longer a member of any group, and what those groups
        // granted goes with the memberships (a user provisioned again starts from its own privilege).
        const leftGroups = await tx.removeFromAllGroups(context.site.id, id);
        if (leftGroups.length > 0) await tx.recomputePrivileges(context.site.id, { ids: [id] });
        await tx.adjustUserCount(context.site.id, -1);
      }),
    );
  }

  private patched(user: UserRecord, operations: ReturnType<typeof parsePatchRequest>): NormalizedResource {
    const document: ScimObject = { ...user.resource, active: user.active };
    const result = applyPatch(this.schema, document, operations);
    const input = normalizeResource(this.schema, result.document);
    return { ...input, ignored: [...input.ignored, ...result.ignored] };
  }

  private async update(
    context: UserContext,
    id: string,
    ifMatch: TagCondition | undefined,
    input: NormalizedResource | undefined,
    recompute?: (latest: UserRecord) => NormalizedResource,
  ): Promise<WriteOutcome> {
    const firstFields = input ? userFields(input.attributes) : undefined;
    const password =
      input && firstFields ? await this.acceptPassword(context.site, input, firstFields.logon) : undefined;
    return this.store.transaction(async (tx) => {
      const existing = await tx.getUser(context.site.id, id, { forUpdate: true });
      if (!existing || existing.deletedAt !== null) throw notFound(id);
      checkPrecondition(existing, ifMatch);
      const latest = recompute ? recompute(existing) : input;
      if (!latest) throw new Error('update needs a resource or a way to compute one');
      const fields = latest === input && firstFields ? firstFields : userFields(latest.attributes);
      const notes = describeIgnored(latest, context.site);
      const active =
        typeof latest.attributes.active === 'boolean' ? latest.attributes.active : existing.active;
      if (existing.active && !active) await this.guardLastPromaster(tx, existing, true);
      const resource = storedResource(latest.attributes);
      const now = Date.now();
      const updated: UserRecord = {
        ...existing,
        ...fields,
        active,
        resource,
        emails: emailsOf(resource),
        ...(password ? { passwordHash: password, passwordChangedAt: now } : {}),
        version: existing.version + 1,
        updatedAt: now,
      };
      const changes = changesBetween(existing, updated, password !== undefined);
      if (changes.length === 0) {
        // Identity providers push unchanged profiles often; nothing is written, so the ETag holds.
        await tx.appendEvent(
          provisioningEvent(context.actor, {
            operation: 'update',
            resourceType: RESOURCE_TYPE,
            resourceId: id,
            logon: existing.logon,
            outcome: 'success',
            httpStatus: 200,
            detail: notes ? `No changes. ${notes}` : 'No changes.',
          }),
        );
        return { user: existing };
      }
      try {
        await this.writeUpdate(tx, updated, existing);
      } catch (error) {
        if (error instanceof RosterError && error.constraint === 'users_site_logon')
          throw logonTaken(fields.logon);
        throw error;
      }
      await tx.appendEvent(
        provisioningEvent(context.actor, {
          operation: operationName(existing, updated, changes),
          resourceType: RESOURCE_TYPE,
          resourceId: id,
          logon: updated.logon,
          outcome: 'success',
          httpStatus: 200,
          changes,
          detail: notes,
        }),
      );
      return { user: updated };
    });
  }

  private writeUpdate(tx: StoreOperations, user: UserRecord, previous: UserRecord): Promise<void> {
    return tx.updateUser(user, previous);
  }

  /**
   * With password sync off (the default) a password from an identity provider is ignored: Okta
   * sends a random one on every create. With it on, the site's policy decides, and only the
   * argon2id hash is kept.
   */
  private async acceptPassword(
    site: SiteRecord,
    input: NormalizedResource,
    logon: string,
  ): Promise<string | undefined> {
    if (input.password === undefined || !site.settings.passwordSync) return undefined;
    const violations = passwordViolations(input.password, site.settings.passwordPolicy, logon);
    if (violations.length > 0) {
      throw new RosterError(
        'password-policy',
        `The password does not meet this site's password policy: it needs ${violations.join(', ')} ` +
          `(policy: ${describePolicy(site.settings.passwordPolicy)}).`,
      );
    }
    return this.hashPassword(input.password);
  }

  /** The last active Promaster of a site is never disabled or deleted by an identity provider. */
  private async guardLastPromaster(tx: StoreOperations, user: UserRecord, disabling: boolean): Promise<void> {
    if (user.privilege !== 'Promaster' || !user.active) return;
    const others = await tx.countActivePromasters(user.siteId, user.id);
    if (others === 0) {
      throw new RosterError(
        'last-promaster',
        `'${user.logon}' is the last active Promaster of this site and cannot be ${disabling ? 'disabled' : 'deleted'} by an identity provider.`,
      );
    }
  }

  /** Runs a write; a refusal is recorded in the provisioning log, naming the user when it exists. */
  private logged<T>(
    context: UserContext,
    operation: string,
    id: string | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    return recordingRefusals(
      this.store,
      context.actor,
      {
        operation,
        resourceType: RESOURCE_TYPE,
        resourceId: id,
        ...(id ? { logon: async () => (await this.store.getUser(context.site.id, id))?.logon ?? null } : {}),
      },
      work,
    );
  }
}

/** Whether a PATCH operation may set the password (decided before reading the user). */
function mayCarryPassword(operation: PatchOperation): boolean {
  if (operation.path) return operation.path.path.attribute.toLowerCase() === 'password';
  const value = operation.value;
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).some((key) => /(^|:)password$/i.test(key))
  );
}

/**
 * If-Match (RFC 7644 §3.14), checked against the row locked by the write's own transaction, so a
 * client that read version N never overwrites version N+1.
 */
function checkPrecondition(user: UserRecord, ifMatch: TagCondition | undefined): void {
  if (ifMatch && !tagMatches(ifMatch, userVersion(user))) {
    throw new RosterError(
      'version-mismatch',
      `User '${user.id}' has changed: its version is ${userVersion(user)}. Read it again and retry.`,
    );
  }
}

function logonTaken(logon: string): RosterError {
  return new RosterError('logon-taken', `Logon '${logon}' already exists in this site.`);
}

function notFound(id: string): RosterError {
  return new RosterError('user-not-found', `User '${id}' not found.`);
}

/** The stored resource holds the SCIM attributes but not `active`, which the directory owns. */
function storedResource(attributes: ScimObject): ScimObject {
  const { active: _active, ...rest } = attributes;
  return rest;
}

/** Maps the SCIM User onto the product's fields and checks the ones the product gives meaning to. */
function userFields(attributes: ScimObject): UserFields {
  const logon = attributes.userName;
  if (typeof logon !== 'string' || logon.trim() === '')
    throw ScimError.invalidValue("Attribute 'userName' is required.");
  if (logon.length > 256) throw ScimError.invalidValue("Attribute 'userName' is longer than 256 characters.");
  const name = attributes.name;
  const given =
    typeof name === 'object' && name !== null && !Array.isArray(name) ? name.givenName : undefined;
  const family =
    typeof name === 'object' && name !== null && !Array.isArray(name) ? name.familyName : undefined;
  const timeZone = typeof attributes.timezone === 'string' ? attributes.timezone : null;
  if (timeZone !== null && !isValidTimeZone(timeZone)) {
    throw new RosterError(
      'invalid-time-zone',
      `Time zone '${timeZone}' is not an IANA time zone name such as 'Europe/London'.`,
    );
  }
  return {
    logon,
    externalId: typeof attributes.externalId === 'string' ? attributes.externalId : null,
    firstName: typeof given === 'string' ? given : null,
    lastName: typeof family === 'string' ? family : null,
    email: chooseEmail(attributes),
    timeZone,
  };
}

/** The Email field: the primary email, else the work email, else the first (DESIGN §5). */
function chooseEmail(attributes: ScimObject): string | null {
  const emails = emailsOf(attributes);
  const chosen =
    emails.find((email) => email.primary) ??
    emails.find((email) => email.type?.toLowerCase() === 'work') ??
    emails[0];
  return chosen?.value ?? null;
}

function changesBetween(
  before: UserRecord | undefined,
  after: UserRecord,
  passwordChanged: boolean,
): FieldChange[] {
  const changes = diffResources(before?.resource ?? {}, after.resource);
  if (!before || before.active !== after.active) {
    changes.push({ field: 'active', ...(before ? { before: before.active } : {}), after: after.active });
  }
  if (passwordChanged) changes.push({ field: 'password' });
  return changes;
}

function operationName(before: UserRecord, after: UserRecord, changes: readonly FieldChange[]): string {
  if (before.active && !after.active) return 'disable';
  if (!before.active && after.active) return 'enable';
  if (changes.length === 1 && changes[0]!.field === 'password') return 'password change';
  return 'update';
}

function describeIgnored(input: NormalizedResource, site: SiteRecord): string | null {
  const notes: string[] = [];
  if (input.ignored.length > 0)
    notes.push(`Ignored attributes no schema defines: ${input.ignored.join(', ')}.`);
  if (input.password !== undefined && !site.settings.passwordSync)
    notes.push('Password ignored: password sync is off for this site.');
  return notes.length > 0 ? notes.join(' ') : null;
}
