/**
 * The core User schema, RFC 7643 §4.1, with the characteristics of its JSON representation in
 * §8.7.1, in the RFC's order. The common attributes `id`, `externalId` and `meta` (§3.1) are not
 * listed here: see `./common.ts`.
 */

import { attribute, type AttributeDefinition, column, type SchemaDefinition } from './types.js';

export const USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The `display` sub-attribute §8.7.1 gives most multi-valued attributes (readWrite there). */
function display(): AttributeDefinition {
  return attribute('display', 'string', {
    description: 'A human-readable name, primarily used for display purposes.',
  });
}

/** The `primary` sub-attribute of RFC 7643 §2.4. */
function primary(example?: string): AttributeDefinition {
  return attribute('primary', 'boolean', {
    description:
      "A Boolean value indicating the 'primary' or preferred attribute value for this attribute" +
      (example ? `, e.g., ${example}` : '') +
      ". The primary attribute value 'true' MUST appear no more than once.",
  });
}

export const userSchema: SchemaDefinition = {
  id: USER_SCHEMA_ID,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute('userName', 'string', {
      description:
        "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users. REQUIRED.",
      required: true,
      caseExact: false,
      uniqueness: 'server',
      storage: column('logon_lower', { folded: true, indexed: true }),
      maxLength: 256,
    }),
    attribute('name', 'complex', {
      description:
        "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.",
      subAttributes: [
        attribute('formatted', 'string', {
          description:
            "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
        }),
        attribute('familyName', 'string', {
          description:
            "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III').",
          storage: column('last_name'),
        }),
        attribute('givenName', 'string', {
          description:
            "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III').",
          storage: column('first_name'),
        }),
        attribute('middleName', 'string', {
          description:
            "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III').",
        }),
        attribute('honorificPrefix', 'string', {
          description:
            "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III').",
        }),
        attribute('honorificSuffix', 'string', {
          description:
            "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III').",
        }),
      ],
    }),
    attribute('displayName', 'string', {
      description:
        'The name of the User, suitable for display to end-users. The name SHOULD be the full name of the User being described, if known.',
    }),
    attribute('nickName', 'string', {
      description:
        "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'. This attribute SHOULD NOT be used to represent a User's username.",
    }),
    attribute('profileUrl', 'reference', {
      description: "A fully qualified URL pointing to a page representing the User's online profile.",
      referenceTypes: ['external'],
    }),
    attribute('title', 'string', {
      description: 'The user\'s title, such as "Vice President."',
    }),
    attribute('userType', 'string', {
      description:
        "Used to identify the relationship between the organization and the user. Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.",
    }),
    attribute('preferredLanguage', 'string', {
      description:
        "Indicates the User's preferred written or spoken language. Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US.",
    }),
    attribute('locale', 'string', {
      description:
        "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    }),
    attribute('timezone', 'string', {
      description:
        "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
      storage: column('time_zone'),
    }),
    attribute('active', 'boolean', {
      description: "A Boolean value indicating the User's administrative status.",
      storage: column('active'),
    }),
    attribute('password', 'string', {
      description:
        "The User's cleartext password. This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
      mutability: 'writeOnly',
      returned: 'never',
    }),
    attribute('emails', 'complex', {
      multiValued: true,
      description:
        "Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.",
      // Identity providers look users up by email: a side table indexed on the folded value.
      storage: { kind: 'side-table', table: 'user_emails' },
      subAttributes: [
        attribute('value', 'string', {
          description:
            "Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'.",
          storage: column('value_lower', { folded: true, indexed: true }),
          maxLength: 512,
        }),
        { ...display(), storage: column('display') },
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
          canonicalValues: ['work', 'home', 'other'],
          storage: column('type'),
        }),
        {
          ...primary('the preferred mailing address or primary email address'),
          storage: column('is_primary', { absentAsFalse: true }),
        },
      ],
    }),
    attribute('phoneNumbers', 'complex', {
      multiValued: true,
      description:
        "Phone numbers for the User. The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
      subAttributes: [
        attribute('value', 'string', { description: 'Phone number of the User.' }),
        display(),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
          canonicalValues: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
        }),
        primary('the preferred phone number or primary phone number'),
      ],
    }),
    attribute('ims', 'complex', {
      multiValued: true,
      description: 'Instant messaging addresses for the User.',
      subAttributes: [
        attribute('value', 'string', { description: 'Instant messaging address for the User.' }),
        display(),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
          canonicalValues: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
        }),
        primary('the preferred messenger or primary messenger'),
      ],
    }),
    attribute('photos', 'complex', {
      multiValued: true,
      description: 'URLs of photos of the User.',
      subAttributes: [
        attribute('value', 'reference', {
          description: 'URL of a photo of the User.',
          referenceTypes: ['external'],
        }),
        display(),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.",
          canonicalValues: ['photo', 'thumbnail'],
        }),
        primary('the preferred photo or thumbnail'),
      ],
    }),
    attribute('addresses', 'complex', {
      multiValued: true,
      description:
        "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.",
      subAttributes: [
        attribute('formatted', 'string', {
          description:
            'The full mailing address, formatted for display or use with a mailing label. This attribute MAY contain newlines.',
        }),
        attribute('streetAddress', 'string', {
          description:
            'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information. This attribute MAY contain newlines.',
        }),
        attribute('locality', 'string', { description: 'The city or locality component.' }),
        attribute('region', 'string', { description: 'The state or region component.' }),
        attribute('postalCode', 'string', { description: 'The zip code or postal code component.' }),
        attribute('country', 'string', { description: 'The country name component.' }),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
          canonicalValues: ['work', 'home', 'other'],
        }),
        primary('the preferred mailing address'),
      ],
    }),
    attribute('groups', 'complex', {
      multiValued: true,
      description:
        'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
      mutability: 'readOnly',
      storage: { kind: 'relation', relation: 'groups-of-member' },
      subAttributes: [
        attribute('value', 'string', {
          description: "The identifier of the User's group.",
          mutability: 'readOnly',
        }),
        attribute('$ref', 'reference', {
          description: "The URI of the corresponding 'Group' resource to which the user belongs.",
          referenceTypes: ['User', 'Group'],
          mutability: 'readOnly',
        }),
        attribute('display', 'string', {
          description: 'A human-readable name, primarily used for display purposes. READ-ONLY.',
          mutability: 'readOnly',
        }),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
          canonicalValues: ['direct', 'indirect'],
          mutability: 'readOnly',
        }),
      ],
    }),
    attribute('entitlements', 'complex', {
      multiValued: true,
      description: 'A list of entitlements for the User that represent a thing the User has.',
      subAttributes: [
        attribute('value', 'string', { description: 'The value of an entitlement.' }),
        display(),
        attribute('type', 'string', { description: "A label indicating the attribute's function." }),
        primary(),
      ],
    }),
    attribute('roles', 'complex', {
      multiValued: true,
      description:
        "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      subAttributes: [
        attribute('value', 'string', { description: 'The value of a role.' }),
        display(),
        attribute('type', 'string', { description: "A label indicating the attribute's function." }),
        primary(),
      ],
    }),
    attribute('x509Certificates', 'complex', {
      multiValued: true,
      description: 'A list of certificates issued to the User.',
      subAttributes: [
        // RFC 7643 §2.3.6: binary values are case exact and have no uniqueness (§8.7.1's JSON says
        // caseExact false; errata 6000 and 8470 correct it).
        attribute('value', 'binary', {
          description: 'The value of an X.509 certificate.',
          caseExact: true,
        }),
        display(),
        attribute('type', 'string', { description: "A label indicating the attribute's function." }),
        primary(),
      ],
    }),
  ],
};
