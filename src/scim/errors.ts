/**
 * The one SCIM error type (RFC 7644 §3.12). It can only be built through the factories below, which
 * pair each `scimType` with the HTTP status the RFC gives it, so an error is valid by construction.
 */

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

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

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

export class ScimError extends Error {
  private constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  get detail(): string {
    return this.message;
  }

  toBody(): ScimErrorBody {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    };
  }

  static badRequest(scimType: Exclude<ScimType, 'uniqueness' | 'sensitive'>, detail: string): ScimError {
    return new ScimError(400, scimType, detail);
  }
  static invalidValue(detail: string): ScimError {
    return new ScimError(400, 'invalidValue', detail);
  }
  static invalidSyntax(detail: string): ScimError {
    return new ScimError(400, 'invalidSyntax', detail);
  }
  static invalidFilter(detail: string): ScimError {
    return new ScimError(400, 'invalidFilter', detail);
  }
  static invalidPath(detail: string): ScimError {
    return new ScimError(400, 'invalidPath', detail);
  }
  static noTarget(detail: string): ScimError {
    return new ScimError(400, 'noTarget', detail);
  }
  static mutability(detail: string): ScimError {
    return new ScimError(400, 'mutability', detail);
  }
  /** A request without a `scimType` that is still a client error (bad query parameter, etc.). */
  static plainBadRequest(detail: string): ScimError {
    return new ScimError(400, undefined, detail);
  }
  static unauthorized(detail: string): ScimError {
    return new ScimError(401, undefined, detail);
  }
  static forbidden(detail: string): ScimError {
    return new ScimError(403, undefined, detail);
  }
  static sensitive(detail: string): ScimError {
    return new ScimError(403, 'sensitive', detail);
  }
  static notFound(detail: string): ScimError {
    return new ScimError(404, undefined, detail);
  }
  static methodNotAllowed(detail: string): ScimError {
    return new ScimError(405, undefined, detail);
  }
  static uniqueness(detail: string): ScimError {
    return new ScimError(409, 'uniqueness', detail);
  }
  /** A conflict that is not about uniqueness, e.g. a product rule that refuses the change. */
  static conflict(detail: string): ScimError {
    return new ScimError(409, undefined, detail);
  }
  static preconditionFailed(detail: string): ScimError {
    return new ScimError(412, undefined, detail);
  }
  static payloadTooLarge(detail: string): ScimError {
    return new ScimError(413, undefined, detail);
  }
  static unsupportedMediaType(detail: string): ScimError {
    return new ScimError(415, undefined, detail);
  }
  static notImplemented(detail: string): ScimError {
    return new ScimError(501, undefined, detail);
  }
  static internal(): ScimError {
    return new ScimError(500, undefined, 'The server could not complete the request.');
  }
}
