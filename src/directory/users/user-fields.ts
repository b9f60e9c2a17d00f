import { RosterError } from '../../errors.js';
import type { FieldChange } from '../../model/event.js';
import type { UserRecord } from '../../model/resource.js';
import { ScimError } from '../../scim/errors.js';
import type { ScimObject } from '../../scim/resource.js';
import { emailsOf } from '../../store/user-emails.js';
import { diffResources } from '../provisioning-log.js';
import type { TimeZones } from '../time-zones.js';

/** The product's fields a SCIM User decides (DESIGN §5). */
export type UserFields = Pick<
  UserRecord,
  'logon' | 'externalId' | 'firstName' | 'lastName' | 'email' | 'timeZone'
>;

/** Maps the SCIM User onto the product's fields and checks the ones the product gives meaning to. */
export function userFields(attributes: ScimObject, timeZones: TimeZones): UserFields {
  const logon = attributes.userName;
  if (typeof logon !== 'string' || logon.trim() === '')
    throw ScimError.invalidValue("Attribute 'userName' is required.");
  const name = attributes.name;
  const given =
    typeof name === 'object' && name !== null && !Array.isArray(name) ? name.givenName : undefined;
  const family =
    typeof name === 'object' && name !== null && !Array.isArray(name) ? name.familyName : undefined;
  const timeZone = typeof attributes.timezone === 'string' ? attributes.timezone : null;
  if (timeZone !== null && !timeZones.isValid(timeZone)) {
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

export function changesBetween(
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

export function operationName(
  before: UserRecord,
  after: UserRecord,
  changes: readonly FieldChange[],
): string {
  if (before.active && !after.active) return 'disable';
  if (!before.active && after.active) return 'enable';
  if (changes.length === 1 && changes[0]!.field === 'password') return 'password change';
  return 'update';
}
