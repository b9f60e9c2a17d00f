import type { ScimObject } from './resource.js';

export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

export interface ServiceProviderFeatures {
  /** RFC 7643 §5: OPTIONAL; left out when the operator has not set one. */
  readonly documentationUri: string | undefined;
  readonly maxResults: number;
  readonly defaultPageSize: number;
  readonly cursorTimeoutSeconds: number;
  /** RFC 7643 §5 `bulk`: the most operations and the largest body (bytes) of one BulkRequest. */
  readonly bulk: { readonly maxOperations: number; readonly maxPayloadSize: number };
  readonly changePassword: boolean;
  readonly location: string;
}

/**
 * `/ServiceProviderConfig` (RFC 7643 §5). It says only what works: a feature is advertised in
 * the same change that makes it work.
 */
export function serviceProviderConfig(features: ServiceProviderFeatures): ScimObject {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    ...(features.documentationUri !== undefined ? { documentationUri: features.documentationUri } : {}),
    patch: { supported: true },
    bulk: {
      supported: true,
      maxOperations: features.bulk.maxOperations,
      maxPayloadSize: features.bulk.maxPayloadSize,
    },
    filter: { supported: true, maxResults: features.maxResults },
    changePassword: { supported: features.changePassword },
    sort: { supported: true },
    etag: { supported: true },
    // RFC 9865 §4: both paging methods; index stays the default for existing clients.
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: features.defaultPageSize,
      maxPageSize: features.maxResults,
      cursorTimeout: features.cursorTimeoutSeconds,
    },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: "Authentication with a site's SCIM access token in the Authorization header (Bearer).",
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: features.location },
  };
}
