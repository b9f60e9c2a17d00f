import { hash as argon2Hash } from '@node-rs/argon2';
import { RosterError } from '../../errors.js';
import { ScimError } from '../../scim/errors.js';
import type { UserRecord } from '../../model/resource.js';
import type { SiteRecord } from '../../model/site.js';
import { applyPatch } from '../../scim/patch/apply.js';
import type { PatchOperation } from '../../scim/patch/request.js';
import { normalizeResource, type ScimObject } from '../../scim/resource.js';
import { emailsOf } from '../../store/user-emails.js';
import type { StoreTransaction } from '../../store/store.js';
import { newId } from '../ids.js';
import { shortened } from '../shortened.js';
import { describePolicy, passwordViolations } from '../password-policy.js';
import { describeIgnored, namesInBody } from '../provisioning-log.js';
import type { Draft, ResourceKind } from '../registry/resource-kind.js';
import type { TimeZones } from '../time-zones.js';
import { changesBetween, operationName, type UserFields, userFields } from './user-fields.js';

export interface UserDraft extends Draft {
  /** The canonical attributes, `active` included (the directory keeps it as the user's status). */
  readonly attributes: ScimObject;
  /** The writeOnly password, when the request carried one; never stored as sent. */
  readonly password?: string | undefined;
  readonly fields: UserFields;
}

/** Hashes synced passwords; argon2id is @node-rs/argon2's default algorithm. */
export type PasswordHasher = (password: string) => Promise<string>;
export const argon2idHasher: PasswordHasher = (password) => argon2Hash(password);

/** The hash of a password the site's policy accepted, or undefined when there is none to keep. */
type PreparedPassword = string | undefined;

/**
 * The directory's rules for users: Logon unique per site regardless of letter case; deprovisioning
 * disables and never destroys; a SCIM DELETE hides the record (and takes it out of its groups) and a
 * later create of the same Logon brings it back; the site's password policy governs synced
 * passwords; the last active Promaster of a site is never disabled or deleted by an identity provider.
 */
export function userKind(
  hashPassword: PasswordHasher,
  timeZones: TimeZones,
): ResourceKind<UserRecord, UserDraft, PreparedPassword> {
  const draftOf = (
    attributes: ScimObject,
    password: string | undefined,
    ignored: readonly string[],
  ): UserDraft => ({
    attributes,
    password,
    ignored,
    fields: userFields(attributes, timeZones),
  });
  return {
    name: 'User',
    counted: 'User',
    operations: { create: 'create', update: 'update', delete: 'delete', restore: 'restore' },
    names: (user) => ({ resourceName: user.logon, logon: user.logon, externalId: user.externalId }),
    namesInBody: (body) => namesInBody(body, { resourceName: 'userName', logon: 'userName' }),
    notFound: (id) => new RosterError('user-not-found', `User '${shortened(id)}' not found.`),
    uniqueRule: (constraint, user) =>
      constraint === 'users_site_logon' ? logonTaken(user.logon) : undefined,

    read: async (store, siteId, id) => visible(await store.users.get(siteId, id)),
    list: (store, siteId, query) => store.users.page(siteId, query),
    async lock(tx, siteId, id, purpose) {
      if (purpose === 'delete') {
        // A delete takes the user out of its groups: lock them first, in id order, as every
        // write that touches a group and a user does (groups, then users).
        const memberships = await tx.members.groupsOf(siteId, [id]);
        await tx.groups.lockAll(
          siteId,
          (memberships.get(id) ?? []).map((group) => group.id),
        );
      }
      return visible(await tx.users.lock(siteId, id));
    },
    insert: (tx, user) => tx.users.insert(user),
    update: (tx, user, previous) => tx.users.update(user, previous),

    fromBody(schema, body) {
      const input = normalizeResource(schema, body);
      return draftOf(input.attributes, input.password, input.ignored);
    },
    fromPatch(schema, user, operations) {
      refuseRemovingPassword(operations);
      const document: ScimObject = { ...user.resource, active: user.active };
      const result = applyPatch(schema, document, operations);
      // RFC 7644 §3.5.2.2 makes a removed attribute unassigned; a user is active or disabled,
      // never neither, so that is a change the directory will not make: refused, not ignored.
      if (result.document.active === undefined) {
        throw ScimError.invalidValue(
          "'active' cannot be removed or emptied: a user is active or disabled. Replace it with true or false.",
        );
      }
      const input = normalizeResource(schema, result.document);
      return draftOf(input.attributes, input.password, [...input.ignored, ...result.ignored]);
    },
    patchNeedsPreparation: (operations) => operations.some(mayCarryPassword),
    prepare: (site, draft) => acceptPassword(hashPassword, site, draft),

    async claim(tx, siteId, draft) {
      const existing = await tx.users.lockByLogon(siteId, draft.fields.logon);
      if (existing && existing.deletedAt === null) throw logonTaken(draft.fields.logon);
      // The same Logon provisioned again after a SCIM DELETE: that record comes back.
      return existing;
    },
    build(context, existing, draft, password, now) {
      const resource = storedResource(draft.attributes);
      const sent = draft.attributes.active;
      const { fields } = draft;
      // A restore starts active unless told otherwise; PUT and PATCH keep `active` when it is absent.
      const active =
        typeof sent === 'boolean' ? sent : !existing || existing.deletedAt !== null || existing.active;
      return {
        siteId: context.site.id,
        id: existing?.id ?? newId(),
        logon: fields.logon,
        externalId: fields.externalId,
        firstName: fields.firstName,
        lastName: fields.lastName,
        email: fields.email,
        timeZone: fields.timeZone,
        privilege: existing?.privilege ?? 'User',
        active,
        source: existing?.source ?? context.actor.kind,
        resource,
        emails: emailsOf(resource),
        passwordHash: password ?? existing?.passwordHash ?? null,
        passwordChangedAt: password ? now : (existing?.passwordChangedAt ?? null),
        version: existing?.version ?? 1,
        createdAt: existing?.createdAt ?? now,
        updatedAt: existing?.updatedAt ?? now,
        deletedAt: null,
      };
    },
    changes: (before, after, password) => changesBetween(before, after, password !== undefined),
    operation: operationName,
    notes(context, draft) {
      const notes: string[] = [];
      const ignored = describeIgnored(draft.ignored);
      if (ignored) notes.push(ignored);
      if (draft.password !== undefined && !context.site.settings.passwordSync)
        notes.push('Password ignored: password sync is off for this site.');
      return notes;
    },
    async check(tx, before, after) {
      if (before?.active && !after.active) await guardLastPromaster(tx, before, 'disabled');
    },

    async remove(tx, _context, user, now) {
      await guardLastPromaster(tx, user, 'deleted');
      const hidden: UserRecord = {
        ...user,
        active: false,
        version: user.version + 1,
        updatedAt: now,
        deletedAt: now,
      };
      await tx.users.update(hidden, user);
      // RFC 7644 §3.6: a deleted user is no longer a member of any group, and what those groups
      // granted goes with the memberships (a user provisioned again starts from its own privilege).
      const leftGroups = await tx.members.removeEverywhere(user.siteId, user.id);
      if (leftGroups.length > 0) {
        await tx.groups.touchAll(user.siteId, leftGroups, now);
        await tx.users.recomputePrivileges(user.siteId, { ids: [user.id] });
      }
      return {
        changes: user.active ? [{ field: 'active', before: true, after: false }] : [],
        detail: null,
      };
    },

    async derive(store, siteId, users, wants, scimBase) {
      const groups = wants('groups')
        ? await store.members.groupsOf(
            siteId,
            users.map((user) => user.id),
          )
        : undefined;
      return users.map((user) => {
        const memberships = groups?.get(user.id);
        return {
          active: user.active,
          // RFC 7643 §4.1.2: the groups the user belongs to directly (read-only, from the memberships).
          ...(memberships && memberships.length > 0
            ? {
                groups: memberships.map((group) => ({
                  value: group.id,
                  $ref: `${scimBase}/Groups/${group.id}`,
                  display: group.displayName,
                  type: 'direct',
                })),
              }
            : {}),
        };
      });
    },
  };
}

function visible(user: UserRecord | undefined): UserRecord | undefined {
  return user && user.deletedAt === null ? user : undefined;
}

function logonTaken(logon: string): RosterError {
  return new RosterError('logon-taken', `Logon '${logon}' already exists in this site.`);
}

/** The stored resource holds the SCIM attributes but not `active`, which the directory owns. */
function storedResource(attributes: ScimObject): ScimObject {
  const { active: _active, ...rest } = attributes;
  return rest;
}

/** A password is never stored as sent, so there is none to remove: a client meaning to reset it sets a new one. */
function refuseRemovingPassword(operations: readonly PatchOperation[]): void {
  for (const operation of operations) {
    const path = operation.path?.path;
    if (
      operation.op === 'remove' &&
      path &&
      path.subAttribute === undefined &&
      path.attribute.toLowerCase() === 'password'
    ) {
      throw ScimError.invalidValue(
        `Operation ${operation.index}: 'password' cannot be removed: set a new password instead.`,
      );
    }
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
 * With password sync off (the default) a password from an identity provider is ignored: Okta
 * sends a random one on every create. With it on, the site's policy decides, and only the
 * argon2id hash is kept.
 */
async function acceptPassword(
  hashPassword: PasswordHasher,
  site: SiteRecord,
  draft: UserDraft,
): Promise<PreparedPassword> {
  if (draft.password === undefined || !site.settings.passwordSync) return undefined;
  const policy = site.settings.passwordPolicy;
  const violations = passwordViolations(draft.password, policy, draft.fields.logon);
  if (violations.length > 0) {
    throw new RosterError(
      'password-policy',
      `The password does not meet this site's password policy: it needs ${violations.join(', ')} ` +
        `(policy: ${describePolicy(policy)}).`,
    );
  }
  return hashPassword(draft.password);
}

/** The last active Promaster of a site is never disabled or deleted, by an identity provider or an operator. */
async function guardLastPromaster(
  tx: StoreTransaction,
  user: UserRecord,
  becoming: 'disabled' | 'deleted',
): Promise<void> {
  if (user.privilege !== 'Promaster' || !user.active) return;
  if ((await tx.users.countActivePromasters(user.siteId, user.id)) === 0) {
    throw new RosterError(
      'last-promaster',
      `'${user.logon}' is the last active Promaster of this site and cannot be ${becoming}: make another user a Promaster first.`,
    );
  }
}
