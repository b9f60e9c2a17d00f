import type { ScimObject } from '../scim/resource.js';
import type { UserEmail } from '../model/resource.js';

/** The emails of a stored SCIM resource, in order. */
export function emailsOf(resource: ScimObject): UserEmail[] {
  const emails = resource.emails;
  if (!Array.isArray(emails)) return [];
  const result: UserEmail[] = [];
  for (const email of emails) {
    if (typeof email !== 'object' || email === null || Array.isArray(email)) continue;
    if (typeof email.value !== 'string') continue;
    result.push({
      value: email.value,
      type: typeof email.type === 'string' ? email.type : null,
      primary: email.primary === true,
      display: typeof email.display === 'string' ? email.display : null,
    });
  }
  return result;
}
