import { describe, expect, it } from 'vitest';

import type { SiteExtension, SiteRecord } from '../../model/site.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '../../scim/schema/enterprise-user.js';
import { GROUP_SCHEMA_ID } from '../../scim/schema/group.js';
import { USER_SCHEMA_ID } from '../../scim/schema/user.js';
import { createRegistry } from '../services.js';
import type { SiteResources } from './registry.js';
import { declareExtension, type ExtensionInput } from './site-extensions.js';

// Nothing here hashes a password; argon2 would only slow the test down.
const registry = () => createRegistry((password) => Promise.resolve(`hashed:${password}`));

const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
const TEAMS = 'urn:ietf:params:scim:schemas:extension:teams:2.0:Group';

/** A declaration as `roster schemas add` makes it. */
function extension(urn: string, resourceType: string, ...names: string[]): SiteExtension {
  const input: ExtensionInput = {
    urn,
    resourceType,
    attributes: names.map((name) => ({ name, type: 'string' })),
  };
  return declareExtension(input, ['User', 'Group'], [], []);
}

/** A site as the store reads it: a new object on every read, extensions included. */
const site = (id: string, ...extensions: SiteExtension[]): Pick<SiteRecord, 'id' | 'extensions'> => ({
  id,
  extensions: structuredClone(extensions),
});

const schemaIds = (resources: SiteResources) => resources.schemas.map((schema) => schema.id);
const extensionsOf = (resources: SiteResources, type: string) =>
  resources.get(type).definition.schemaExtensions.map((reference) => reference.schema);

describe('ResourceRegistry.forSite', () => {
  it('a site without extensions shares the built schemas', () => {
    const resources = registry();
    const first = resources.forSite(site('site-a'));
    expect(resources.forSite(site('site-b'))).toBe(first);
    expect(schemaIds(first)).toEqual([USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, GROUP_SCHEMA_ID]);
    expect(first.get('User').definition.schemaExtensions).toEqual([
      { schema: ENTERPRISE_USER_SCHEMA_ID, required: false },
    ]);
    expect(extensionsOf(first, 'Group')).toEqual([]);
  });

  it('a site with extensions gets its own /Schemas and /ResourceTypes, each extension on its type', () => {
    const resources = registry();
    const shared = resources.forSite(site('plain'));
    const own = resources.forSite(
      site('acme', extension(ACME, 'User', 'costCenter'), extension(TEAMS, 'Group', 'channel')),
    );
    expect(own).not.toBe(shared);
    expect(schemaIds(own)).toEqual([USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, ACME, GROUP_SCHEMA_ID, TEAMS]);
    expect(own.get('User').definition.schemaExtensions).toEqual([
      { schema: ENTERPRISE_USER_SCHEMA_ID, required: false },
      { schema: ACME, required: false },
    ]);
    expect(extensionsOf(own, 'Group')).toEqual([TEAMS]);
    // The same site's requests resolve the extension's attributes.
    expect(own.get('User').schema.resolve({ schema: ACME, attribute: 'COSTCENTER' })?.attribute.name).toBe(
      'costCenter',
    );
    expect(own.schema(ACME.toUpperCase())?.id).toBe(ACME);
    expect(own.find('user')?.definition.id).toBe('User');
    // The shared set is untouched.
    expect(schemaIds(shared)).toEqual([USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, GROUP_SCHEMA_ID]);
    expect(shared.schema(ACME)).toBeUndefined();
  });

  it('a site read again with the same declarations gets the schemas already built', () => {
    const resources = registry();
    const first = resources.forSite(site('acme', extension(ACME, 'User', 'costCenter')));
    expect(resources.forSite(site('acme', extension(ACME, 'User', 'costCenter')))).toBe(first);
  });

  it('a changed declaration is in force on the next request', () => {
    const resources = registry();
    const before = resources.forSite(site('acme', extension(ACME, 'User', 'costCenter')));
    expect(before.get('User').schema.resolve({ schema: ACME, attribute: 'division' })).toBeUndefined();

    // An attribute added to the same URN.
    const widened = resources.forSite(site('acme', extension(ACME, 'User', 'costCenter', 'division')));
    expect(widened.get('User').schema.resolve({ schema: ACME, attribute: 'division' })).toBeDefined();

    // Another extension added.
    const more = resources.forSite(
      site('acme', extension(ACME, 'User', 'costCenter', 'division'), extension(TEAMS, 'Group', 'channel')),
    );
    expect(extensionsOf(more, 'Group')).toEqual([TEAMS]);

    // One removed.
    const fewer = resources.forSite(site('acme', extension(TEAMS, 'Group', 'channel')));
    expect(schemaIds(fewer)).not.toContain(ACME);
    expect(fewer.get('User').schema.extension(ACME)).toBeUndefined();

    // All removed: back to the shared set.
    expect(resources.forSite(site('acme'))).toBe(resources.forSite(site('plain')));

    // Declared again: seen again.
    const again = resources.forSite(site('acme', extension(ACME, 'User', 'costCenter')));
    expect(again.get('User').schema.extension(ACME)).toBeDefined();
  });

  it('another site is unaffected by a declaration or its change', () => {
    const resources = registry();
    const other = resources.forSite(site('other', extension(TEAMS, 'Group', 'channel')));
    resources.forSite(site('acme', extension(ACME, 'User', 'costCenter')));
    resources.forSite(site('acme', extension(ACME, 'User', 'costCenter', 'division')));

    const otherAgain = resources.forSite(site('other', extension(TEAMS, 'Group', 'channel')));
    expect(otherAgain).toBe(other);
    expect(schemaIds(otherAgain)).not.toContain(ACME);
    expect(otherAgain.get('User').schema.extension(ACME)).toBeUndefined();
    expect(schemaIds(resources.forSite(site('plain')))).toEqual([
      USER_SCHEMA_ID,
      ENTERPRISE_USER_SCHEMA_ID,
      GROUP_SCHEMA_ID,
    ]);
  });

  it('two sites may declare the same URN with different attributes', () => {
    const resources = registry();
    const a = resources.forSite(site('a', extension(ACME, 'User', 'costCenter')));
    const b = resources.forSite(site('b', extension(ACME, 'User', 'badge')));
    expect(a.get('User').schema.resolve({ schema: ACME, attribute: 'badge' })).toBeUndefined();
    expect(b.get('User').schema.resolve({ schema: ACME, attribute: 'costCenter' })).toBeUndefined();
    expect(b.get('User').schema.resolve({ schema: ACME, attribute: 'badge' })).toBeDefined();
  });

  // The registry keeps a bounded number of sites built; one pushed out is built again, correctly.
  it('a site beyond those kept built still sees its own declaration', () => {
    const resources = registry();
    const first = resources.forSite(site('first', extension(ACME, 'User', 'costCenter')));
    for (let n = 0; n < 1000; n++) resources.forSite(site(`site-${n}`, extension(TEAMS, 'Group', `a${n}`)));
    const again = resources.forSite(site('first', extension(ACME, 'User', 'costCenter')));
    expect(again.get('User').schema.extension(ACME)).toBeDefined();
    expect(schemaIds(again)).toEqual(schemaIds(first));
  });
});
