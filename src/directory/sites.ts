import type { PasswordPolicy, SiteRecord, SiteSettings, Store } from '../store/store.js';
import { RosterError } from '../errors.js';
import { newId } from './ids.js';
import { DEFAULT_PASSWORD_POLICY } from './password-policy.js';

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

  async create(slug: string, name?: string): Promise<SiteRecord> {
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
      createdAt: Date.now(),
    };
    try {
      await this.store.insertSite(site);
    } catch (error) {
      if (error instanceof RosterError && error.constraint === 'sites_slug_lower_key')
        throw new RosterError('site-exists', `Site '${slug}' already exists.`);
      throw error;
    }
    return site;
  }

  /** The site with this slug, created on first use (the `default` site of a fresh install). */
  async ensure(slug: string, name?: string): Promise<{ site: SiteRecord; created: boolean }> {
    const existing = await this.store.getSiteBySlug(slug);
    if (existing) return { site: existing, created: false };
    try {
      return { site: await this.create(slug, name), created: true };
    } catch (error) {
      // Another node created it first.
      const raced = await this.store.getSiteBySlug(slug);
      if (raced) return { site: raced, created: false };
      throw error;
    }
  }

  async get(slug: string): Promise<SiteRecord> {
    const site = await this.store.getSiteBySlug(slug);
    if (!site) throw new RosterError('site-not-found', `Site '${slug}' does not exist.`);
    return site;
  }

  list(): Promise<SiteRecord[]> {
    return this.store.listSites();
  }

  async configure(slug: string, change: SiteSettingsChange): Promise<SiteRecord> {
    const site = await this.get(slug);
    const policy = { ...site.settings.passwordPolicy, ...change.passwordPolicy };
    if (!Number.isInteger(policy.minLength) || policy.minLength < 1 || policy.minLength > 256) {
      throw new RosterError(
        'invalid-setting',
        'The minimum password length must be a whole number from 1 to 256.',
      );
    }
    const settings: SiteSettings = {
      ...site.settings,
      ...(change.passwordSync !== undefined ? { passwordSync: change.passwordSync } : {}),
      ...(change.patchNoContent !== undefined ? { patchNoContent: change.patchNoContent } : {}),
      passwordPolicy: policy,
    };
    await this.store.updateSiteSettings(site.id, settings);
    return { ...site, settings };
  }
}
