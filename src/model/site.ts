/**
 * A site: one tenant. Users, groups, tokens, settings, extension schemas and the provisioning log
 * all belong to exactly one site (DESIGN §5).
 */

export interface PasswordPolicy {
  readonly minLength: number;
  readonly requireUppercase: boolean;
  readonly requireLowercase: boolean;
  readonly requireDigit: boolean;
  readonly requireSymbol: boolean;
  /** The password may not contain the user's Logon (case-insensitively). */
  readonly disallowLogon: boolean;
}

export interface SiteSettings {
  /** When off, a password an identity provider sends is ignored (Okta sends one on every create). */
  readonly passwordSync: boolean;
  readonly passwordPolicy: PasswordPolicy;
  /** Answer a successful PATCH with 204 and no body instead of 200 and the resource. */
  readonly patchNoContent?: boolean;
}

/** The types a site's extension attribute may have (RFC 7643 §2.3, the simple ones). */
export type ExtensionAttributeType = 'string' | 'boolean' | 'integer' | 'decimal' | 'reference';

export interface ExtensionAttribute {
  readonly name: string;
  readonly type: ExtensionAttributeType;
  readonly multiValued: boolean;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly description: string;
}

/**
 * A schema extension a site declared (`roster schemas add`): identity providers push custom
 * attributes in one (Okta's `urn:ietf:params:scim:schemas:extension:<name>:2.0:User`, Entra ID's
 * custom extension attributes), and the site's resources then carry, filter and patch them.
 */
export interface SiteExtension {
  readonly urn: string;
  /** The resource type it extends: `User` or `Group`. */
  readonly resourceType: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly ExtensionAttribute[];
}

export interface SiteRecord {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly settings: SiteSettings;
  readonly extensions: readonly SiteExtension[];
  readonly createdAt: number;
}
