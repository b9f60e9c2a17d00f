/**
 * Random values of the wrong JSON type for every writable attribute of every schema, sent in
 * POST, PUT and PATCH: always a 4xx SCIM error naming the attribute, never a write (issue 9).
 * The attributes come from the schemas themselves, so a new one is covered without a new test.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupResourceSchema, userResourceSchema } from '../../src/scim/schema/resource-types.js';
import type { ResourceSchema } from '../../src/scim/schema/registry.js';
import type { AttributeDefinition } from '../../src/scim/schema/types.js';
import { ERROR_SCHEMA, type Json, PATCH_OP_SCHEMA } from '../fixtures/okta.js';
import { DIALECTS, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

const SEED = Number(process.env.WRONG_TYPES_SEED ?? 20261202);
const RUNS = Number(process.env.WRONG_TYPES_RUNS ?? 60);

/** One place a wrong value can go: the body key, and how to wrap a value for it. */
interface Target {
  readonly label: string;
  /** The name the error detail must mention. */
  readonly leaf: string;
  readonly key: string;
  readonly wrap: (value: unknown) => unknown;
  readonly definition: AttributeDefinition;
}

const writable = (definition: AttributeDefinition): boolean => definition.mutability !== 'readOnly';

/** Every writable attribute and sub-attribute of a resource type, as body keys. */
function targets(schema: ResourceSchema): Target[] {
  const result: Target[] = [];
  const add = (prefix: string | undefined, definition: AttributeDefinition): void => {
    const key = prefix ? `${prefix}:${definition.name}` : definition.name;
    if (!writable(definition) || (prefix === undefined && ['id', 'meta'].includes(definition.name))) return;
    result.push({ label: key, leaf: definition.name, key, wrap: (value) => value, definition });
    for (const sub of definition.subAttributes ?? []) {
      if (!writable(sub)) continue;
      // An element of a list needs its value to be an element at all.
      const element = (value: unknown): Json => ({
        ...(sub.name === 'value' ? {} : { value: 'x' }),
        [sub.name]: value,
      });
      result.push({
        label: `${key}.${sub.name}`,
        leaf: sub.name,
        key,
        wrap: (value) => (definition.multiValued ? [element(value)] : { [sub.name]: value }),
        definition: sub,
      });
    }
  };
  for (const definition of [...schema.common.attributes, ...schema.coreSchema.attributes])
    add(undefined, definition);
  for (const extension of schema.extensions)
    for (const definition of extension.attributes) add(extension.id, definition);
  return result;
}

const anyObject = fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string(), {
  minKeys: 1,
  maxKeys: 2,
});

/** Values of a JSON type the definition does not take (leniencies Roster keeps left out). */
function wrongFor(definition: AttributeDefinition): fc.Arbitrary<unknown> {
  if (definition.multiValued) {
    return definition.type === 'complex'
      ? fc.oneof(fc.string({ minLength: 1 }), fc.integer(), fc.boolean())
      : fc.oneof(fc.string({ minLength: 1 }), fc.integer(), anyObject);
  }
  switch (definition.type) {
    case 'complex':
      return fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.array(anyObject, { minLength: 2, maxLength: 3 }),
        // A bare id is read as `{value}` where there is a value (Entra ID's manager).
        ...(definition.subAttributes?.some((sub) => sub.name === 'value')
          ? []
          : [fc.string({ minLength: 1 })]),
      );
    case 'boolean':
      return fc.oneof(
        fc.integer(),
        anyObject,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
        fc.string({ minLength: 1 }).filter((text) => !/^\s*(true|false)\s*$/i.test(text)),
      );
    case 'integer':
    case 'decimal':
      return fc.oneof(fc.string({ minLength: 1 }), fc.boolean(), anyObject);
    case 'string':
    case 'reference':
    case 'binary':
    case 'dateTime':
      return fc.oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        anyObject,
        fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 2 }),
      );
  }
}

const RESOURCES = [
  {
    endpoint: '/Users',
    schema: userResourceSchema,
    base: (n: number): Json => ({ userName: `typed.${n}@example.com` }),
  },
  {
    endpoint: '/Groups',
    schema: groupResourceSchema,
    base: (n: number): Json => ({ displayName: `Typed ${n}` }),
  },
] as const;

describe.each(DIALECTS)('wrong JSON types (%s)', (dialect) => {
  let harness: TestRoster;
  let site: TestSite;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
    site = await harness.newSite();
  });
  afterAll(async () => harness.close());

  for (const resource of RESOURCES) {
    const places = targets(resource.schema);

    it(`${resource.endpoint}: POST, PUT and PATCH refuse them all, naming the attribute, and write nothing`, async () => {
      const existing = await site.scim('POST', resource.endpoint, resource.base(0));
      expect(existing.status, existing.raw).toBe(201);
      const id = existing.body.id as string;
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc
            .constantFrom(...places)
            .chain((place) => fc.tuple(fc.constant(place), wrongFor(place.definition))),
          fc.constantFrom('POST', 'PUT', 'PATCH'),
          async ([place, wrong], method) => {
            n++;
            const body = { ...resource.base(n), [place.key]: place.wrap(wrong) };
            const response =
              method === 'POST'
                ? await site.scim('POST', resource.endpoint, body)
                : method === 'PUT'
                  ? await site.scim('PUT', `${resource.endpoint}/${id}`, {
                      ...resource.base(0),
                      [place.key]: place.wrap(wrong),
                    })
                  : await site.scim('PATCH', `${resource.endpoint}/${id}`, {
                      schemas: [PATCH_OP_SCHEMA],
                      Operations: [{ op: 'replace', path: place.key, value: place.wrap(wrong) }],
                    });
            const shown = `${method} ${place.label} = ${JSON.stringify(wrong)}: ${response.raw}`;
            expect(response.status, shown).toBeGreaterThanOrEqual(400);
            expect(response.status, shown).toBeLessThan(500);
            expect(response.body?.schemas, shown).toEqual([ERROR_SCHEMA]);
            expect(response.body.detail, shown).toContain(place.leaf);
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
      // Nothing was written: one resource, still at its first version.
      const list = await site.scim('GET', `${resource.endpoint}?count=1000`);
      expect(list.body.totalResults).toBe(1);
      expect(list.body.Resources[0].meta.version).toBe('W/"1"');
    });
  }
});
