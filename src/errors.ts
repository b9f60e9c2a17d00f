/**
 * The one error type of Roster. Every refusal, from a filter that does not parse to a database that
 * is down, is a `RosterError` with a stable `code` (listed in `docs/errors.md`) and a `kind`. The
 * kind and, for SCIM, the `scimType` come from the catalogue below by code, so an error is valid by
 * construction: a `uniqueness` can only be a conflict, an `invalidFilter` only a bad request. Each
 * edge renders it its own way: the SCIM API as an RFC 7644 §3.12 error body, the CLI as one line
 * and an exit code.
 */

/** What went wrong, in the terms every edge maps from; each kind has one HTTP status. */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'timeout'
  | 'conflict'
  | 'precondition-failed'
  | 'too-large'
  | 'uri-too-long'
  | 'unsupported-media-type'
  | 'headers-too-large'
  | 'internal'
  | 'not-implemented'
  | 'unavailable';

/** RFC 7644 §3.12 Table 9, plus RFC 9865's cursor errors. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidCount';

/** The HTTP status of each kind, for the edges that speak HTTP (and the provisioning log). */
export const HTTP_STATUS: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  timeout: 408,
  conflict: 409,
  'precondition-failed': 412,
  'too-large': 413,
  'uri-too-long': 414,
  'unsupported-media-type': 415,
  'headers-too-large': 431,
  internal: 500,
  'not-implemented': 501,
  unavailable: 503,
};

interface ErrorSpec {
  readonly kind: ErrorKind;
  readonly scimType?: ScimType;
}

/**
 * Each kind's `scimType`s: the only pairs RFC 7644 §3.12 allows (400 for most, 409 and 403 for two),
 * and the 409 `invalidValue` of a Bulk operation whose `bulkId` reference cannot be resolved
 * (RFC 7644 §3.7.1–3.7.3).
 */
type SpecOf<K extends ErrorKind> = K extends 'invalid'
  ? { kind: K; scimType?: Exclude<ScimType, 'uniqueness' | 'sensitive'> }
  : K extends 'conflict'
    ? { kind: K; scimType?: 'uniqueness' | 'invalidValue' }
    : K extends 'forbidden'
      ? { kind: K; scimType?: 'sensitive' }
      : { kind: K };

const spec = <K extends ErrorKind>(value: SpecOf<K>): ErrorSpec => value;

/** Every error code, its kind and SCIM type. `docs/errors.md` says what each means; a test keeps the two equal. */
export const ERROR_CODES = {
  // The request (RFC 7644 §3.12).
  'invalid-syntax': spec({ kind: 'invalid', scimType: 'invalidSyntax' }),
  'invalid-value': spec({ kind: 'invalid', scimType: 'invalidValue' }),
  'invalid-filter': spec({ kind: 'invalid', scimType: 'invalidFilter' }),
  'filter-too-complex': spec({ kind: 'invalid', scimType: 'invalidFilter' }),
  'invalid-path': spec({ kind: 'invalid', scimType: 'invalidPath' }),
  'no-target': spec({ kind: 'invalid', scimType: 'noTarget' }),
  mutability: spec({ kind: 'invalid', scimType: 'mutability' }),
  'invalid-cursor': spec({ kind: 'invalid', scimType: 'invalidCursor' }),
  'expired-cursor': spec({ kind: 'invalid', scimType: 'expiredCursor' }),
  'invalid-count': spec({ kind: 'invalid', scimType: 'invalidCount' }),
  'bad-request': spec({ kind: 'invalid' }),
  'body-too-large': spec({ kind: 'too-large' }),
  'too-many-operations': spec({ kind: 'too-large' }),
  'bad-url': spec({ kind: 'invalid', scimType: 'invalidSyntax' }),
  'url-too-long': spec({ kind: 'uri-too-long' }),
  'headers-too-large': spec({ kind: 'headers-too-large' }),
  'request-timeout': spec({ kind: 'timeout' }),
  'unsupported-media-type': spec({ kind: 'unsupported-media-type' }),
  'method-not-allowed': spec({ kind: 'method-not-allowed' }),
  'not-implemented': spec({ kind: 'not-implemented' }),
  'route-not-found': spec({ kind: 'not-found' }),
  'filter-not-supported': spec({ kind: 'forbidden' }),
  // Authentication.
  'token-missing': spec({ kind: 'unauthorized' }),
  'token-malformed': spec({ kind: 'unauthorized' }),
  'token-unknown': spec({ kind: 'unauthorized' }),
  'token-expired': spec({ kind: 'unauthorized' }),
  'token-revoked': spec({ kind: 'unauthorized' }),
  // The directory's rules.
  'user-not-found': spec({ kind: 'not-found' }),
  'group-not-found': spec({ kind: 'not-found' }),
  'site-not-found': spec({ kind: 'not-found' }),
  'token-not-found': spec({ kind: 'not-found' }),
  'resource-type-not-found': spec({ kind: 'not-found' }),
  'schema-not-found': spec({ kind: 'not-found' }),
  'logon-taken': spec({ kind: 'conflict', scimType: 'uniqueness' }),
  'group-name-taken': spec({ kind: 'conflict', scimType: 'uniqueness' }),
  'unique-violation': spec({ kind: 'conflict', scimType: 'uniqueness' }),
  'site-exists': spec({ kind: 'conflict' }),
  'schema-exists': spec({ kind: 'conflict' }),
  'last-promaster': spec({ kind: 'conflict' }),
  'token-already-revoked': spec({ kind: 'conflict' }),
  'bulk-id-unresolved': spec({ kind: 'conflict', scimType: 'invalidValue' }),
  'bulk-circular-reference': spec({ kind: 'conflict', scimType: 'invalidValue' }),
  'version-mismatch': spec({ kind: 'precondition-failed' }),
  'password-policy': spec({ kind: 'invalid', scimType: 'invalidValue' }),
  'invalid-time-zone': spec({ kind: 'invalid', scimType: 'invalidValue' }),
  'invalid-setting': spec({ kind: 'invalid' }),
  'invalid-schema': spec({ kind: 'invalid' }),
  // Operating Roster.
  'invalid-config': spec({ kind: 'invalid' }),
  'invalid-argument': spec({ kind: 'invalid' }),
  'database-not-found': spec({ kind: 'not-found' }),
  'database-not-migrated': spec({ kind: 'precondition-failed' }),
  'port-in-use': spec({ kind: 'conflict' }),
  'database-unavailable': spec({ kind: 'unavailable' }),
  'database-busy': spec({ kind: 'unavailable' }),
  'write-conflict': spec({ kind: 'unavailable' }),
  'query-timeout': spec({ kind: 'unavailable' }),
  internal: spec({ kind: 'internal' }),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorOptions {
  /** Seconds a client should wait before retrying (503s); sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;
  /** The database constraint a `unique-violation` broke, for the write pipeline to name the rule. */
  readonly constraint?: string;
  /** What the refused write would have been in the provisioning log (`disable`), when more than its verb says. */
  readonly operation?: string;
  readonly cause?: unknown;
}

export class RosterError extends Error {
  readonly kind: ErrorKind;
  readonly scimType: ScimType | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly constraint: string | undefined;
  readonly operation: string | undefined;

  constructor(
    readonly code: ErrorCode,
    detail: string,
    options: ErrorOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RosterError';
    const entry: ErrorSpec = ERROR_CODES[code];
    this.kind = entry.kind;
    this.scimType = entry.scimType;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.constraint = options.constraint;
    this.operation = options.operation;
  }

  /** The sentence an administrator reads: what is wrong and, where it helps, what to do. */
  get detail(): string {
    return this.message;
  }

  /** The HTTP status this error is answered with. */
  get status(): number {
    return HTTP_STATUS[this.kind];
  }

  /** The same error with another detail (an operation's position prefixed, say). */
  withDetail(detail: string): RosterError {
    return new RosterError(this.code, detail, { ...this.options(), cause: this.cause });
  }

  /** The same error, naming the operation it refused (a PATCH that was a `disable`). */
  withOperation(operation: string): RosterError {
    return new RosterError(this.code, this.detail, { ...this.options(), operation, cause: this.cause });
  }

  private options(): ErrorOptions {
    return {
      ...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
      ...(this.constraint !== undefined ? { constraint: this.constraint } : {}),
      ...(this.operation !== undefined ? { operation: this.operation } : {}),
    };
  }
}

/** A failure that happens again only by bad luck (a deadlock, a serialization failure): worth retrying. */
export function isRetryable(error: unknown): boolean {
  return error instanceof RosterError && error.code === 'write-conflict';
}
