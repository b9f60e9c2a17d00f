/**
 * A site's own extension schemas, declared through the CLI (`roster schemas add`) and then driven
 * over SCIM as an identity provider would push custom attributes: discovery, create, validation,
 * filter, sort, PATCH; another site does not see them. Both dialects. Nothing in the routes,
 * services or store names these attributes: the registry is data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { ERROR_SCHEMA, type Json, PATCH_OP_SCHEMA, USER_SCHEMA } from '../fixtures/okta.js';
import { DIALECTS, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe.each(DIALECTS)('site extension schemas (%s)', (dialect) => {
  let harness: TestRoster;
  let site: TestSite;
  let other: TestSite;

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--database', harness.database.url], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: {},
    });
    return { code, out, err };
  };

  const createUser = async (target: TestSite, userName: string, extension?: Json) => {
    const response = await target.scim('POST', '/Users', {
      schemas: [USER_SCHEMA, ...(extension ? [ACME] : [])],
      userName,
      ...(extension ? { [ACME]: extension } : {}),
    });
    return response;
  };

  const ids = async (target: TestSite, filter: string, sort = '') => {
    const response = await target.scim('GET', `/Users?filter=${encodeURIComponent(filter)}${sort}`);
    expect(response.status, `${filter}: ${response.raw}`).toBe(200);
    return (response.body.Resources as Json[]).map((user) => user.userName as string);
  };

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
    site = await harness.newSite();
    other = await harness.newSite();
    const added = await cli(
      'schemas',
      'add',
      '--site',
      site.site.slug,
      '--urn',
      ACME,
      '--attribute',
      'costCenter:string',
      '--attribute',
      'badges:string:multi',
      '--attribute',
      'level:integer',
      '--attribute',
      'remote:boolean',
      '--attribute',
      'badgeId:string:caseExact',
      '--json',
    );
    expect(added.code, added.err.join('\n')).toBe(0);
    expect(JSON.parse(added.out.join('\n'))).toMatchObject({ urn: ACME, resourceType: 'User' });
  });
  afterAll(async () => harness.close());

  it('is listed by the CLI and shown by the site’s discovery endpoints, and by no other site’s', async () => {
    const listed = await cli('schemas', 'list', '--site', site.site.slug);
    expect(listed.out.join('\n')).toMatch(/acme:2\.0:User\s+User\s+costCenter:string badges:string:multi/);

    const schema = await site.scim('GET', `/Schemas/${ACME}`);
    expect(schema.status, schema.raw).toBe(200);
    expect(
      schema.body.attributes.map((attribute: Json) => [
        attribute.name,
        attribute.type,
        attribute.multiValued,
      ]),
    ).toEqual([
      ['costCenter', 'string', false],
      ['badges', 'string', true],
      ['level', 'integer', false],
      ['remote', 'boolean', false],
      ['badgeId', 'string', false],
    ]);
    expect(schema.body.attributes[4].caseExact).toBe(true);
    const all = await site.scim('GET', '/Schemas');
    expect(all.body.Resources.map((s: Json) => s.id)).toContain(ACME);
    const userType = await site.scim('GET', '/ResourceTypes/User');
    expect(userType.body.schemaExtensions).toEqual([
      { schema: ENTERPRISE, required: false },
      { schema: ACME, required: false },
    ]);

    expect((await other.scim('GET', `/Schemas/${ACME}`)).status).toBe(404);
    const otherType = await other.scim('GET', '/ResourceTypes/User');
    expect(otherType.body.schemaExtensions).toEqual([{ schema: ENTERPRISE, required: false }]);
  });

  it('validates, stores and returns the attributes', async () => {
    const created = await createUser(site, 'ext.one@acme.test', {
      costCenter: 'CC-1',
      badges: ['gold', 'Night-Shift'],
      level: 4,
      remote: 'True',
    });
    expect(created.status, created.raw).toBe(201);
    expect(created.body.schemas).toEqual([USER_SCHEMA, ACME]);
    expect(created.body[ACME]).toEqual({
      costCenter: 'CC-1',
      badges: ['gold', 'Night-Shift'],
      level: 4,
      remote: true,
    });
    const read = await site.scim('GET', `/Users/${created.body.id}`);
    expect(read.body[ACME]).toEqual(created.body[ACME]);

    const wrong = await createUser(site, 'ext.bad@acme.test', { level: 'high' });
    expect(wrong.status, wrong.raw).toBe(400);
    expect(wrong.body).toMatchObject({ schemas: [ERROR_SCHEMA], scimType: 'invalidValue' });
    expect(wrong.body.detail).toMatch(/level/);
    expect(await ids(site, 'userName eq "ext.bad@acme.test"')).toEqual([]);
  });

  it('filters and sorts on them like core attributes', async () => {
    await createUser(site, 'ext.two@acme.test', {
      costCenter: 'CC-2',
      badges: ['silver'],
      level: 2,
      remote: false,
    });
    await createUser(site, 'ext.three@acme.test', { costCenter: 'CX-3', level: 9, badgeId: 'AbC' });
    await createUser(site, 'ext.none@acme.test');
    const q = (expression: string) => ids(site, `userName sw "ext." and (${expression})`);
    expect(await q(`${ACME}:costCenter eq "cc-1"`)).toEqual(['ext.one@acme.test']);
    expect(await q(`${ACME}:costCenter sw "CC"`)).toEqual(['ext.one@acme.test', 'ext.two@acme.test']);
    expect(await q(`${ACME}:badges eq "GOLD"`)).toEqual(['ext.one@acme.test']);
    expect(await q('badges co "shift"')).toEqual(['ext.one@acme.test']);
    expect(await q(`${ACME}:level gt 3`)).toEqual(['ext.one@acme.test', 'ext.three@acme.test']);
    expect(await q(`${ACME}:remote eq true`)).toEqual(['ext.one@acme.test']);
    expect(await q(`${ACME}:level pr and not (${ACME}:remote pr)`)).toEqual(['ext.three@acme.test']);
    expect(await q(`${ACME}:badgeId eq "abc"`)).toEqual([]);
    expect(await q(`${ACME}:badgeId eq "AbC"`)).toEqual(['ext.three@acme.test']);
    expect(
      await ids(
        site,
        'userName sw "ext."',
        `&sortBy=${encodeURIComponent(`${ACME}:level`)}&sortOrder=descending`,
      ),
    ).toEqual(['ext.none@acme.test', 'ext.three@acme.test', 'ext.one@acme.test', 'ext.two@acme.test']);
    // `costCenter` alone is ambiguous: the enterprise extension has one too.
    const ambiguous = await site.scim('GET', `/Users?filter=${encodeURIComponent('costCenter eq "CC-1"')}`);
    expect(ambiguous).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
  });

  it('compares the elements of typed lists as their type: numbers as numbers, booleans as booleans', async () => {
    const target = await harness.newSite();
    const urn = 'urn:example:metrics:2.0:User';
    const added = await cli(
      'schemas',
      'add',
      '--site',
      target.site.slug,
      '--urn',
      urn,
      '--attribute',
      'levels:integer:multi',
      '--attribute',
      'flags:boolean:multi',
      '--attribute',
      'ratios:decimal:multi',
    );
    expect(added.code, added.err.join('\n')).toBe(0);
    const created = await target.scim('POST', '/Users', {
      userName: 'typed@acme.test',
      [urn]: { levels: [9, 10], flags: [true], ratios: [0.5] },
    });
    expect(created.status, created.raw).toBe(201);
    expect(created.body[urn]).toEqual({ levels: [9, 10], flags: [true], ratios: [0.5] });
    const matches = async (expression: string) =>
      (await ids(target, `userName eq "typed@acme.test" and ${urn}:${expression}`)).length === 1;
    expect(await matches('levels eq 9')).toBe(true);
    expect(await matches('levels gt 50')).toBe(false); // as text, "9" > "50"
    expect(await matches('levels lt 2')).toBe(false); // as text, "10" < "2"
    expect(await matches('levels ge 10')).toBe(true);
    expect(await matches('flags eq true')).toBe(true);
    expect(await matches('flags eq false')).toBe(false);
    expect(await matches('ratios eq 0.5')).toBe(true);
    expect(await matches('ratios lt 0.25')).toBe(false);
  });

  it('patches them by path, by value filter and without a path', async () => {
    const created = await createUser(site, 'ext.patch@acme.test', { costCenter: 'CC-9', badges: ['a'] });
    const id = created.body.id as string;
    const patch = (...Operations: Json[]) =>
      site.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP_SCHEMA], Operations });
    const replaced = await patch(
      { op: 'replace', path: `${ACME}:costCenter`, value: 'CC-10' },
      { op: 'add', path: `${ACME}:badges`, value: ['b'] },
      { op: 'replace', value: { [`${ACME}:level`]: 7 } },
    );
    expect(replaced.status, replaced.raw).toBe(200);
    expect(replaced.body[ACME]).toEqual({ costCenter: 'CC-10', badges: ['a', 'b'], level: 7 });
    const removed = await patch(
      { op: 'remove', path: `${ACME}:badges` },
      { op: 'replace', path: `${ACME}:remote`, value: true },
    );
    expect(removed.body[ACME]).toEqual({ costCenter: 'CC-10', level: 7, remote: true });
    const badType = await patch({ op: 'replace', path: `${ACME}:level`, value: 'seven' });
    expect(badType).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    const unknown = await patch({ op: 'replace', path: `${ACME}:nope`, value: 1 });
    expect(unknown).toMatchObject({ status: 400, body: { scimType: 'invalidPath' } });
    expect(await ids(site, `${ACME}:costCenter eq "CC-10"`)).toEqual(['ext.patch@acme.test']);
  });

  it('is not another site’s: there it is an undefined attribute', async () => {
    const created = await createUser(other, 'ext.elsewhere@acme.test', { costCenter: 'CC-1' });
    expect(created.status, created.raw).toBe(201);
    expect(created.body[ACME]).toBeUndefined();
    expect(created.body.schemas).toEqual([USER_SCHEMA]);
    const filtered = await other.scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`${ACME}:costCenter eq "CC-1"`)}`,
    );
    expect(filtered).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
  });

  it('refuses declarations it cannot honour, with one line each', async () => {
    const refuse = async (pattern: RegExp, ...argv: string[]) => {
      const result = await cli('schemas', 'add', '--site', site.site.slug, ...argv);
      expect(result.code, result.out.join('\n')).toBe(1);
      expect(result.err).toHaveLength(1);
      expect(result.err[0]).toMatch(pattern);
    };
    await refuse(/already has/, '--urn', ACME, '--attribute', 'x:string');
    await refuse(/not a schema URN/, '--urn', 'acme stuff', '--attribute', 'x:string');
    await refuse(/Roster defines itself/, '--urn', ENTERPRISE, '--attribute', 'x:string');
    await refuse(/type 'date'/, '--urn', `${ACME}2`, '--attribute', 'x:date');
    await refuse(/not an attribute name/, '--urn', `${ACME}2`, '--attribute', '9lives:string');
    await refuse(
      /declared twice/,
      '--urn',
      `${ACME}2`,
      '--attribute',
      'x:string',
      '--attribute',
      'X:integer',
    );
    await refuse(/'often' is not one of/, '--urn', `${ACME}2`, '--attribute', 'x:string:often');
    await refuse(
      /not a resource type/,
      '--urn',
      `${ACME}2`,
      '--attribute',
      'x:string',
      '--resource-type',
      'Device',
    );
    const missing = await cli('schemas', 'remove', '--site', site.site.slug, '--urn', `${ACME}2`);
    expect(missing.err[0]).toMatch(/has no extension schema/);
  });

  it('holds its required attributes to resources that carry it, and groups can have their own', async () => {
    const team = 'urn:ietf:params:scim:schemas:extension:acme:2.0:Group';
    const added = await cli(
      'schemas',
      'add',
      '--site',
      site.site.slug,
      '--urn',
      team,
      '--resource-type',
      'Group',
      '--attribute',
      'code:string:required',
      '--attribute',
      'floor:integer',
    );
    expect(added.code, added.err.join('\n')).toBe(0);
    const plain = await site.scim('POST', '/Groups', { displayName: 'Plain team' });
    expect(plain.status, plain.raw).toBe(201);
    const incomplete = await site.scim('POST', '/Groups', { displayName: 'Half team', [team]: { floor: 3 } });
    expect(incomplete).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    expect(incomplete.body.detail).toMatch(/code' is required/);
    const whole = await site.scim('POST', '/Groups', {
      displayName: 'Whole team',
      [team]: { code: 'T1', floor: 3 },
    });
    expect(whole.status, whole.raw).toBe(201);
    expect(whole.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Group', team]);
    const found = await site.scim('GET', `/Groups?filter=${encodeURIComponent(`${team}:floor ge 3`)}`);
    expect(found.body.Resources.map((group: Json) => group.displayName)).toEqual(['Whole team']);
  });

  it('once removed, stops being shown, filtered or accepted; declared again, the values come back', async () => {
    const target = await harness.newSite();
    const urn = 'urn:example:custom:2.0:User';
    expect(
      (await cli('schemas', 'add', '--site', target.site.slug, '--urn', urn, '--attribute', 'tag:string'))
        .code,
    ).toBe(0);
    const created = await target.scim('POST', '/Users', { userName: 'keep@acme.test', [urn]: { tag: 'x' } });
    expect(created.body[urn]).toEqual({ tag: 'x' });
    expect((await cli('schemas', 'remove', '--site', target.site.slug, '--urn', urn)).code).toBe(0);
    const hidden = await target.scim('GET', `/Users/${created.body.id}`);
    expect(hidden.body[urn]).toBeUndefined();
    expect(hidden.body.schemas).toEqual([USER_SCHEMA]);
    expect(
      (await target.scim('GET', `/Users?filter=${encodeURIComponent(`${urn}:tag eq "x"`)}`)).status,
    ).toBe(400);
    expect(
      (await cli('schemas', 'add', '--site', target.site.slug, '--urn', urn, '--attribute', 'tag:string'))
        .code,
    ).toBe(0);
    expect((await target.scim('GET', `/Users/${created.body.id}`)).body[urn]).toEqual({ tag: 'x' });
  });
});
