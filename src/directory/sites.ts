import { RosterError } from '../errors.js';
import type { PasswordPolicy, SiteRecord, SiteSettings } from '../model/site.js';
import type { Store } from '../store/store.js';
import { newId } from './ids.js';
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
      extensions: [],
      createdAt: Date.now(),
    };
    try {
      await this.store.transaction((tx) => tx.sites.insert(site));
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

  /** Changes settings on the site's locked row, so two changes at once never lose one another. */
  configure(slug: string, change: SiteSettingsChange): Promise<SiteRecord> {
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
      return { ...site, settings };
    });
  }
}

export function siteNotFound(slug: string): RosterError {
  return new RosterError('site-not-found', `Site '${slug}' does not exist.`);
}
