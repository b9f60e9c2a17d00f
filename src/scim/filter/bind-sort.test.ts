import { describe, expect, it } from 'vitest';

import { RosterError } from '../../errors.js';
import { userResourceSchema } from '../schema/resource-types.js';
import type { AttributeDefinition } from '../schema/types.js';
import { type BoundSort, bindSort } from './bind-sort.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// The schema's own definitions, so a bound sort is compared with exactly what the binder resolves.
const schema = userResourceSchema;
const coreAttr = (name: string): AttributeDefinition => schema.core.get(name)!;
const coreSub = (parent: string, name: string): AttributeDefinition =>
  schema.core.sub(coreAttr(parent))!.get(name)!;
const commonAttr = (name: string): AttributeDefinition => schema.common.get(name)!;
const metaSub = (name: string): AttributeDefinition => schema.common.sub(commonAttr('meta'))!.get(name)!;
const enterprise = schema.extension(ENTERPRISE)!.index;
const entAttr = (name: string): AttributeDefinition => enterprise.get(name)!;
const entSub = (parent: string, name: string): AttributeDefinition =>
  enterprise.sub(entAttr(parent))!.get(name)!;

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but nothing was thrown');
}

describe('bindSort (RFC 7644 §3.4.2.3)', () => {
  const sort = (
    path: string[],
    definition: AttributeDefinition,
    kind: BoundSort['kind'],
    descending = false,
  ): BoundSort => ({ attribute: { path, definition }, kind, descending });

  it.each<[string, string | undefined, BoundSort]>([
    ['userName', undefined, sort(['userName'], coreAttr('userName'), 'folded')],
    ['USERNAME', 'ascending', sort(['userName'], coreAttr('userName'), 'folded')],
    ['userName', 'Descending', sort(['userName'], coreAttr('userName'), 'folded', true)],
    ['userName', '', sort(['userName'], coreAttr('userName'), 'folded')],
    [`${CORE}:userName`, 'descending', sort(['userName'], coreAttr('userName'), 'folded', true)],
    ['name.givenName', undefined, sort(['name', 'givenName'], coreSub('name', 'givenName'), 'folded')],
    [
      'Name.FamilyName',
      'DESCENDING',
      sort(['name', 'familyName'], coreSub('name', 'familyName'), 'folded', true),
    ],
    ['timezone', undefined, sort(['timezone'], coreAttr('timezone'), 'folded')],
    // caseExact attributes sort by code point, without folding.
    ['externalId', undefined, sort(['externalId'], commonAttr('externalId'), 'string')],
    ['id', 'descending', sort(['id'], commonAttr('id'), 'string', true)],
    ['active', undefined, sort(['active'], coreAttr('active'), 'boolean')],
    ['meta.created', undefined, sort(['meta', 'created'], metaSub('created'), 'instant')],
    [
      'meta.LastModified',
      'descending',
      sort(['meta', 'lastModified'], metaSub('lastModified'), 'instant', true),
    ],
    // emails sorts by its primary value, else its first (the store picks it; the bound sort names the list).
    ['emails', undefined, sort(['emails'], coreAttr('emails'), 'folded')],
    ['Emails.Value', 'descending', sort(['emails'], coreAttr('emails'), 'folded', true)],
    [
      `${ENTERPRISE}:department`,
      undefined,
      sort([ENTERPRISE, 'department'], entAttr('department'), 'folded'),
    ],
    [
      `${ENTERPRISE.toUpperCase()}:manager.value`,
      undefined,
      sort([ENTERPRISE, 'manager', 'value'], entSub('manager', 'value'), 'folded'),
    ],
  ])('sortBy=%s sortOrder=%s', (sortBy, sortOrder, expected) => {
    expect(bindSort(schema, sortBy, sortOrder)).toEqual(expected);
  });

  it.each<[string, string | undefined]>([
    ['nickname2', undefined],
    ['', undefined],
    ['password', undefined],
    ['name', undefined],
    [`${ENTERPRISE}:manager`, undefined],
    ['phoneNumbers', undefined],
    ['emails.type', undefined],
    ['addresses.locality', undefined],
    ['meta.location', undefined],
    ['meta.resourceType', undefined],
    ['meta.version', undefined],
    ['x509Certificates.value', undefined],
    ['name.givenName.first', undefined],
    ['emails[type eq "work"].value', undefined],
    ['1st', undefined],
    ['userName', 'sideways'],
    ['userName', 'asc'],
  ])('sortBy=%s sortOrder=%s is 400 invalidValue', (sortBy, sortOrder) => {
    const error = thrown(() => bindSort(schema, sortBy, sortOrder));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidValue');
  });
});
