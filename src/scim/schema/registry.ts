import type { AttributePath } from '../filter/ast.js';
import { commonAttributes } from './common.js';
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './types.js';

/** An attribute path resolved against a resource's schemas. */
export interface ResolvedAttribute {
  /** The schema the attribute belongs to; undefined for the common attributes (id, externalId, meta). */
  readonly schema: SchemaDefinition | undefined;
  /** True when the attribute lives in an extension object (`"urn:…:enterprise:2.0:User": {…}`). */
  readonly inExtension: boolean;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
}

/** Case-insensitive lookup of attributes by name (RFC 7643 §2.1: attribute names are case-insensitive). */
export class AttributeIndex {
  private readonly byName = new Map<string, AttributeDefinition>();
  private readonly children = new Map<AttributeDefinition, AttributeIndex>();

  constructor(readonly attributes: readonly AttributeDefinition[]) {
    for (const attribute of attributes) {
      this.byName.set(attribute.name.toLowerCase(), attribute);
      if (attribute.subAttributes) this.children.set(attribute, new AttributeIndex(attribute.subAttributes));
    }
  }

  get(name: string): AttributeDefinition | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The index of a complex attribute's sub-attributes. */
  sub(attribute: AttributeDefinition): AttributeIndex | undefined {
    return this.children.get(attribute);
  }
}

/**
 * One resource type with its core schema and extensions, indexed once at start-up so that every
 * request resolves names by map lookups.
 */
export class ResourceSchema {
  readonly core: AttributeIndex;
  readonly common: AttributeIndex;
  /** Whether any attribute is `returned: request` (RFC 7643 §7), so every response needs projecting. */
  readonly hasRequestOnlyAttributes: boolean;
  private readonly extensionsByUrn = new Map<string, { schema: SchemaDefinition; index: AttributeIndex }>();

  constructor(
    readonly resourceType: ResourceTypeDefinition,
    readonly coreSchema: SchemaDefinition,
    readonly extensions: readonly SchemaDefinition[],
  ) {
    this.core = new AttributeIndex(coreSchema.attributes);
    this.common = new AttributeIndex(commonAttributes);
    for (const extension of extensions) {
      this.extensionsByUrn.set(extension.id.toLowerCase(), {
        schema: extension,
        index: new AttributeIndex(extension.attributes),
      });
    }
    this.hasRequestOnlyAttributes = [coreSchema, ...extensions].some((schema) =>
      anyRequestOnly(schema.attributes),
    );
  }

  /** The extension schema with this URN (case-insensitively), if this resource type has it. */
  extension(urn: string): { schema: SchemaDefinition; index: AttributeIndex } | undefined {
    return this.extensionsByUrn.get(urn.toLowerCase());
  }

  /** Resolves `name`, `name.givenName`, `urn:…:User:userName` or `urn:…:enterprise:2.0:User:manager.value`. */
  resolve(path: AttributePath): ResolvedAttribute | undefined {
    let index: AttributeIndex;
    let schema: SchemaDefinition | undefined = this.coreSchema;
    let inExtension = false;
    if (path.schema !== undefined) {
      if (path.schema.toLowerCase() === this.coreSchema.id.toLowerCase()) {
        index = this.core;
      } else {
        const extension = this.extension(path.schema);
        if (!extension) return undefined;
        index = extension.index;
        schema = extension.schema;
        inExtension = true;
      }
    } else {
      const common = this.common.get(path.attribute);
      if (common) return this.withSub(undefined, false, this.common, common, path.subAttribute);
      index = this.core;
      if (!index.get(path.attribute)) {
        // RFC 7644 §3.10 reads an unqualified name in the core schema; a name only one extension
        // defines is unambiguous, and clients send it so (Entra ID's older jobs: `manager`).
        const owners = [...this.extensionsByUrn.values()].filter((extension) =>
          extension.index.get(path.attribute),
        );
        if (owners.length === 1) {
          const owner = owners[0]!;
          return this.withSub(
            owner.schema,
            true,
            owner.index,
            owner.index.get(path.attribute)!,
            path.subAttribute,
          );
        }
      }
    }
    const attribute = index.get(path.attribute);
    if (!attribute) return undefined;
    return this.withSub(schema, inExtension, index, attribute, path.subAttribute);
  }

  private withSub(
    schema: SchemaDefinition | undefined,
    inExtension: boolean,
    index: AttributeIndex,
    attribute: AttributeDefinition,
    subName: string | undefined,
  ): ResolvedAttribute | undefined {
    if (subName === undefined) return { schema, inExtension, attribute };
    const subAttribute = index.sub(attribute)?.get(subName);
    if (!subAttribute) return undefined;
    return { schema, inExtension, attribute, subAttribute };
  }

  /** Every schema URN of this resource type, core first. */
  get schemaIds(): string[] {
    return [this.coreSchema.id, ...this.extensions.map((extension) => extension.id)];
  }
}

function anyRequestOnly(attributes: readonly AttributeDefinition[]): boolean {
  return attributes.some(
    (attribute) =>
      attribute.returned === 'request' ||
      (attribute.subAttributes ? anyRequestOnly(attribute.subAttributes) : false),
  );
}
