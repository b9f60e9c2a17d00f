import type { Command } from 'commander';
import type { ExtensionInput } from '../../directory/registry/site-extensions.js';
import { RosterError } from '../../errors.js';
import type { SiteExtension } from '../../model/site.js';
import { type CliIo, printJson, printTable, withServices } from '../context.js';

const FLAGS = ['multi', 'required', 'caseExact'] as const;

/** `name:type[:multi][:required][:caseExact]`, as `--attribute` takes it. */
export function parseAttributeSpec(spec: string): ExtensionInput['attributes'][number] {
  const [name = '', type = '', ...flags] = spec.split(':');
  if (name === '' || type === '') {
    throw new RosterError(
      'invalid-argument',
      `--attribute '${spec}' is not name:type[:multi][:required][:caseExact], e.g. costCenter:string or badges:string:multi.`,
    );
  }
  const given = new Set<string>();
  for (const flag of flags) {
    const known = FLAGS.find((candidate) => candidate.toLowerCase() === flag.toLowerCase());
    if (!known) {
      throw new RosterError(
        'invalid-argument',
        `--attribute '${spec}': '${flag}' is not one of ${FLAGS.join(', ')}.`,
      );
    }
    given.add(known);
  }
  return {
    name,
    type,
    multiValued: given.has('multi'),
    required: given.has('required'),
    caseExact: given.has('caseExact'),
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function extensionJson(extension: SiteExtension): object {
  return {
    urn: extension.urn,
    resourceType: extension.resourceType,
    name: extension.name,
    description: extension.description,
    attributes: extension.attributes,
  };
}

function describeAttributes(extension: SiteExtension): string {
  return extension.attributes
    .map((attribute) =>
      [
        attribute.name,
        attribute.type,
        ...FLAGS.filter((flag) => (flag === 'multi' ? attribute.multiValued : attribute[flag])),
      ].join(':'),
    )
    .join(' ');
}

export function registerSchemaCommands(program: Command, io: CliIo): void {
  const schemas = program
    .command('schemas')
    .description("Declare a site's own extension schemas: custom attributes identity providers push");

  schemas
    .command('add')
    .description(
      'Declare an extension schema; its attributes are then accepted, stored, returned, filtered and patched',
    )
    .requiredOption('--site <slug>', 'the site')
    .requiredOption(
      '--urn <urn>',
      'the schema URN, e.g. urn:ietf:params:scim:schemas:extension:acme:2.0:User',
    )
    .requiredOption(
      '--attribute <name:type[:multi][:required][:caseExact]>',
      'an attribute (repeat for each); types: string, boolean, integer, decimal, reference',
      collect,
      [],
    )
    .option('--resource-type <type>', 'the resource type it extends: User or Group', 'User')
    .option('--name <name>', 'a short name for the schema')
    .option('--description <text>', 'what the schema is for')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(
      async (options: {
        site: string;
        urn: string;
        attribute: string[];
        resourceType: string;
        name?: string;
        description?: string;
        json?: boolean;
        database?: string;
      }) => {
        const attributes = options.attribute.map(parseAttributeSpec);
        const extension = await withServices(io, options.database, (services) =>
          services.schemas.add(
            options.site,
            {
              urn: options.urn,
              resourceType: options.resourceType,
              name: options.name,
              description: options.description,
              attributes,
            },
            'cli',
          ),
        );
        if (options.json) printJson(io, extensionJson(extension));
        else
          io.out(
            `Site '${options.site}' now has the ${extension.resourceType} extension ${extension.urn}: ${describeAttributes(extension)}.`,
          );
      },
    );

  schemas
    .command('list')
    .description("List a site's extension schemas")
    .requiredOption('--site <slug>', 'the site')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: { site: string; json?: boolean; database?: string }) => {
      const list = await withServices(io, options.database, async (services) =>
        services.schemas.list(await services.sites.get(options.site)),
      );
      if (options.json) printJson(io, list.map(extensionJson));
      else
        printTable(
          io,
          ['URN', 'RESOURCE TYPE', 'ATTRIBUTES'],
          list.map((extension) => [extension.urn, extension.resourceType, describeAttributes(extension)]),
        );
    });

  schemas
    .command('remove')
    .description('Remove an extension schema; stored values stay but are no longer shown or accepted')
    .requiredOption('--site <slug>', 'the site')
    .requiredOption('--urn <urn>', 'the schema URN')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: { site: string; urn: string; json?: boolean; database?: string }) => {
      const removed = await withServices(io, options.database, (services) =>
        services.schemas.remove(options.site, options.urn, 'cli'),
      );
      if (options.json) printJson(io, extensionJson(removed));
      else io.out(`Removed the extension ${removed.urn} from site '${options.site}'.`);
    });
}
