import { RosterError } from '../../errors.js';
import type { ExtensionAttribute, ExtensionAttributeType, SiteExtension } from '../../model/site.js';
import { attribute, type SchemaDefinition } from '../../scim/schema/types.js';

/** An extension as an operator declares it; checked by `declareExtension`. */
export interface ExtensionInput {
  readonly urn: string;
  readonly resourceType: string;
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly attributes: readonly {
    readonly name: string;
    readonly type: string;
    readonly multiValued?: boolean;
    readonly required?: boolean;
    readonly caseExact?: boolean;
    readonly description?: string;
  }[];
}

export const EXTENSION_ATTRIBUTE_TYPES: readonly ExtensionAttributeType[] = [
  'string',
  'boolean',
  'integer',
  'decimal',
  'reference',
];
export const MAX_EXTENSIONS_PER_SITE = 20;
export const MAX_ATTRIBUTES_PER_EXTENSION = 100;

/**
 * A URN that travels safely as a JSON key, in filters and PATCH paths (`urn:…:2.0:User:attr`):
 * letters, digits and `:._-`, starting `urn:`, not ending in a colon.
 */
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9._-]*(?::[A-Za-z0-9._-]+)+$/;
/** Namespaces RFC 7643 and 7644 keep for their own schemas and messages. */
const RFC_NAMESPACES: readonly string[] = ['urn:ietf:params:scim:schemas:core:', 'urn:ietf:params:scim:api:'];
/** RFC 7643 §2.1 ATTRNAME. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Checks an extension declaration against the site's resource types and its other extensions, and
 * returns it as the site keeps it. Every problem is an `invalid-schema` naming what to change.
 */
export function declareExtension(
  input: ExtensionInput,
  resourceTypes: readonly string[],
  reservedUrns: readonly string[],
  existing: readonly SiteExtension[],
): SiteExtension {
  const urn = input.urn.trim();
  if (!URN.test(urn) || urn.length > 200) {
    throw invalid(
      `'${input.urn}' is not a schema URN Roster can use: write it like ` +
        "'urn:ietf:params:scim:schemas:extension:acme:2.0:User' (letters, digits and :._- only).",
    );
  }
  const resourceType = resourceTypes.find((type) => type.toLowerCase() === input.resourceType.toLowerCase());
  if (!resourceType)
    throw invalid(`'${input.resourceType}' is not a resource type: use ${resourceTypes.join(' or ')}.`);
  const lower = urn.toLowerCase();
  // A URN under (or above) one of Roster's would make paths such as `urn:…:core:2.0:User:emails`
  // name two things; the RFC's own namespaces are not for extensions either.
  const clashes = (reserved: string): boolean => {
    const other = reserved.toLowerCase();
    return other === lower || other.startsWith(`${lower}:`) || lower.startsWith(`${other}:`);
  };
  if (reservedUrns.some(clashes) || RFC_NAMESPACES.some((namespace) => lower.startsWith(namespace))) {
    throw invalid(`'${urn}' is a schema Roster defines itself, or lies within one.`);
  }
  if (existing.some((extension) => extension.urn.toLowerCase() === lower)) {
    throw new RosterError('schema-exists', `The site already has the extension schema '${urn}'.`);
  }
  if (existing.length >= MAX_EXTENSIONS_PER_SITE) {
    throw invalid(`A site can have at most ${MAX_EXTENSIONS_PER_SITE} extension schemas.`);
  }
  if (input.attributes.length === 0) throw invalid('An extension schema needs at least one attribute.');
  if (input.attributes.length > MAX_ATTRIBUTES_PER_EXTENSION) {
    throw invalid(`An extension schema can have at most ${MAX_ATTRIBUTES_PER_EXTENSION} attributes.`);
  }
  const names = new Set<string>();
  const attributes = input.attributes.map((given): ExtensionAttribute => {
    if (!ATTRIBUTE_NAME.test(given.name)) {
      throw invalid(
        `'${given.name}' is not an attribute name: start with a letter, then letters, digits, _ or - (at most 64).`,
      );
    }
    if (names.has(given.name.toLowerCase())) throw invalid(`Attribute '${given.name}' is declared twice.`);
    names.add(given.name.toLowerCase());
    const type = EXTENSION_ATTRIBUTE_TYPES.find((candidate) => candidate === given.type.toLowerCase());
    if (!type) {
      throw invalid(
        `Attribute '${given.name}' has type '${given.type}': use ${EXTENSION_ATTRIBUTE_TYPES.join(', ')}.`,
      );
    }
    return {
      name: given.name,
      type,
      multiValued: given.multiValued === true,
      required: given.required === true,
      caseExact: given.caseExact === true,
      description: given.description?.trim() ?? '',
    };
  });
  const name = input.name?.trim() || defaultName(urn);
  return {
    urn,
    resourceType,
    name,
    description: input.description?.trim() || `${name} extension of ${resourceType}`,
    attributes,
  };
}

/** The SCIM schema of a site extension (RFC 7643 §7): read-write attributes kept in the resource's JSON. */
export function extensionSchema(extension: SiteExtension): SchemaDefinition {
  return {
    id: extension.urn,
    name: extension.name,
    description: extension.description,
    attributes: extension.attributes.map((declared) =>
      attribute(declared.name, declared.type, {
        multiValued: declared.multiValued,
        required: declared.required,
        caseExact: declared.caseExact,
        description: declared.description,
      }),
    ),
  };
}

/**
 * A name for an extension nobody named: the segment before its version in the RFC's pattern
 * (`…:extension:acme:2.0:User` → `acme`), else its last segment.
 */
function defaultName(urn: string): string {
  const segments = urn.split(':');
  const version = segments.findIndex((segment, i) => i > 1 && /^\d+(\.\d+)*$/.test(segment));
  return (version > 1 ? segments[version - 1] : segments[segments.length - 1]) ?? urn;
}

function invalid(detail: string): RosterError {
  return new RosterError('invalid-schema', detail);
}
