import { RosterError } from '../errors.js';
import type { PasswordPolicy, SiteRecord, SiteSettings } from '../model/site.js';
import type { Store } from '../store/store.js';
import type { ScimObject } from '../scim/resource.js';
import { type Actor, operatorActor, type RequestContext } from './context.js';
import { newId } from './ids.js';
import { diffResources, provisioningEvent } from './provisioning-log.js';
import { DEFAULT_PASSWORD_POLICY, MAX_PASSWORD_LENGTH } from './password-policy.js';

export const DEFAULT_SITE_SETTINGS: SiteSettings = {
  passwordSync: false,
  passwordPolicy: DEFAULT_PASSWORD_POLICY,
};

/** A site slug is what operators type and what URLs could carry: short, lower-case, no surprises. */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface SiteSettingsChange {
  readonly passwordSync?: boolean;
  readonly patchNoContent?: boolean;
  readonly passwordPolicy?: Partial<PasswordPolicy>;
}

export class SiteService {
  constructor(private readonly store: Store) {}

  /** Creates a site; with `by`, its log starts with who created it. */
  async create(slug: string, name?: string, by?: Actor['kind']): Promise<SiteRecord> {
    if (!SLUG.test(slug)) {
      throw new RosterError(
        'invalid-argument',
        `Site slug '${slug}' is not valid: use 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen.`,
      );
    }
    const site: SiteRecord = {
      id: newId(),
      slug,
      name: name?.trim() || slug,
      settings: DEFAULT_SITE_SETTINGS,
      extensions: [],
      createdAt: Date.now(),
    };
    try {
      await this.store.transaction(async (tx) => {
        await tx.sites.insert(site);
        if (by) {
          await tx.events.append(
            provisioningEvent(operatorActor(site.id, by), {
              operation: 'site create',
              resourceType: 'Site',
              resourceId: site.id,
              resourceName: site.name,
              outcome: 'success',
              httpStatus: 201,
              detail: `Slug '${site.slug}'.`,
            }),
          );
        }
      });
    } catch (error) {
      if (error instanceof RosterError && error.code === 'unique-violation')
        throw new RosterError('site-exists', `Site '${slug}' already exists.`);
      throw error;
    }
    return site;
  }

  /** The site with this slug, created on first use (the `default` site of a fresh install). */
  async ensure(slug: string, name?: string): Promise<{ site: SiteRecord; created: boolean }> {
    const existing = await this.store.sites.bySlug(slug);
    if (existing) return { site: existing, created: false };
    try {
      return { site: await this.create(slug, name), created: true };
    } catch (error) {
      // Another node created it first.
      const raced = await this.store.sites.bySlug(slug);
      if (raced) return { site: raced, created: false };
      throw error;
    }
  }

  async get(slug: string): Promise<SiteRecord> {
    const site = await this.store.sites.bySlug(slug);
    if (!site) throw siteNotFound(slug);
    return site;
  }

  list(): Promise<SiteRecord[]> {
    return this.store.sites.list();
  }

  /**
   * Gives the site another display name (its slug, which tokens and commands use, stays), on its
   * locked row; logged in the site's log with who did it. The same name changes and logs nothing.
   */
  rename(context: RequestContext, name: string): Promise<{ site: SiteRecord; changed: boolean }> {
    const wanted = siteName(name);
    return this.store.transaction(async (tx) => {
      const site = await tx.sites.lock(context.site.slug);
      if (!site) throw siteNotFound(context.site.slug);
      if (site.name === wanted) return { site, changed: false };
      await tx.sites.rename(site.id, wanted);
      await tx.events.append(
        provisioningEvent(context.actor, {
          operation: 'site rename',
          resourceType: 'Site',
          resourceId: site.id,
          resourceName: wanted,
          outcome: 'success',
          httpStatus: 200,
          changes: [{ field: 'name', before: site.name, after: wanted }],
        }),
      );
      return { site: { ...site, name: wanted }, changed: true };
    });
  }

  /** Changes settings on the site's locked row, so two changes at once never lose one another. */
  configure(slug: string, change: SiteSettingsChange, by?: Actor['kind']): Promise<SiteRecord> {
    return this.store.transaction(async (tx) => {
      const site = await tx.sites.lock(slug);
      if (!site) throw siteNotFound(slug);
      const policy = { ...site.settings.passwordPolicy, ...change.passwordPolicy };
      if (
        !Number.isInteger(policy.minLength) ||
        policy.minLength < 1 ||
        policy.minLength > MAX_PASSWORD_LENGTH
      ) {
        throw new RosterError(
          'invalid-setting',
          `The minimum password length must be a whole number from 1 to ${MAX_PASSWORD_LENGTH}.`,
        );
      }
      const settings: SiteSettings = {
        ...site.settings,
        ...(change.passwordSync !== undefined ? { passwordSync: change.passwordSync } : {}),
        ...(change.patchNoContent !== undefined ? { patchNoContent: change.patchNoContent } : {}),
        passwordPolicy: policy,
      };
      await tx.sites.updateSettings(site.id, settings);
      const changes = diffResources(
        site.settings as unknown as ScimObject,
        settings as unknown as ScimObject,
      );
      if (by && changes.length > 0) {
        await tx.events.append(
          provisioningEvent(operatorActor(site.id, by), {
            operation: 'site configure',
            resourceType: 'Site',
            resourceId: site.id,
            resourceName: site.name,
            outcome: 'success',
            httpStatus: 200,
            changes,
          }),
        );
      }
      return { ...site, settings };
    });
  }
}

/** A site's display name: what operators and the console read, so one line of sensible length. */
const MAX_SITE_NAME_LENGTH = 200;

function siteName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_SITE_NAME_LENGTH || /\p{Cc}/u.test(trimmed)) {
    throw new RosterError(
      'invalid-argument',
      `A site's name is 1 to ${MAX_SITE_NAME_LENGTH} characters on one line, got '${name.slice(0, 40)}'.`,
    );
  }
  return trimmed;
}

export function siteNotFound(slug: string): RosterError {
  return new RosterError('site-not-found', `Site '${slug}' does not exist.`);
}
