/** One entry of a site's provisioning log: every write, accepted or refused (DESIGN §5). */
export interface ProvisioningEvent {
  readonly siteId: string;
  readonly id: string;
  readonly at: number;
  readonly requestId: string | null;
  readonly tokenId: string | null;
  readonly actor: 'scim' | 'cli' | 'console';
  readonly operation: string;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  /** What the resource is called: a user's Logon, a group's name, a token's description. */
  readonly resourceName: string | null;
  /** The user's Logon (user events only), also on a create that was refused when its body named one. */
  readonly logon: string | null;
  /** The identity provider's id for the resource (`externalId`), when known. */
  readonly externalId: string | null;
  readonly outcome: 'success' | 'failure';
  readonly httpStatus: number;
  readonly changes: readonly FieldChange[] | null;
  readonly detail: string | null;
  /** How many times it happened: repeated refusals of one token are one event with a count. */
  readonly occurrences: number;
  /** When it last happened (the same as `at` for an event that happened once). */
  readonly lastAt: number;
}

/** What an event calls the resource it concerns (each kind of resource says what its names are). */
export interface EventNames {
  readonly resourceName?: string | null;
  /** Users only. */
  readonly logon?: string | null;
  readonly externalId?: string | null;
}

export interface FieldChange {
  readonly field: string;
  readonly before?: unknown;
  readonly after?: unknown;
}
