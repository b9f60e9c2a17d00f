/**
 * The common attributes every SCIM resource carries (RFC 7643 §3.1). They are not part of any
 * schema's attribute list (§8.7.1 leaves them out too): resource handling treats them separately,
 * but they are described here with the same model so validation, projection and filtering can use
 * one shape for everything.
 */

import { attribute, type AttributeDefinition, column } from './types.js';

export const commonAttributes: readonly AttributeDefinition[] = [
  attribute('id', 'string', {
    description:
      'A unique identifier for a SCIM resource as defined by the service provider. REQUIRED and READ-ONLY.',
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
    storage: column('id', { indexed: true }),
  }),
  attribute('externalId', 'string', {
    description:
      'A String that is an identifier for the resource as defined by the provisioning client. OPTIONAL.',
    caseExact: true,
    mutability: 'readWrite',
    storage: column('external_id', { indexed: true }),
    maxLength: 512,
  }),
  attribute('meta', 'complex', {
    description: 'A complex attribute containing resource metadata. READ-ONLY.',
    mutability: 'readOnly',
    subAttributes: [
      attribute('resourceType', 'string', {
        description: 'The name of the resource type of the resource.',
        caseExact: true,
        mutability: 'readOnly',
      }),
      attribute('created', 'dateTime', {
        description: 'The "DateTime" that the resource was added to the service provider.',
        mutability: 'readOnly',
        storage: column('created_at', { instant: true }),
      }),
      attribute('lastModified', 'dateTime', {
        description:
          'The most recent DateTime that the details of this resource were updated at the service provider.',
        mutability: 'readOnly',
        storage: column('updated_at', { instant: true }),
      }),
      attribute('location', 'reference', {
        description: 'The URI of the resource being returned.',
        caseExact: true,
        referenceTypes: ['uri'],
        mutability: 'readOnly',
      }),
      attribute('version', 'string', {
        description: 'The version of the resource being returned (its entity tag).',
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
];
