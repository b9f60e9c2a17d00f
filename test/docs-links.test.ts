/**
 * Every relative link in the README and `docs/` resolves inside the repository: to a file (or a
 * folder) of this checkout, and an `#anchor` to a heading of the Markdown file it names, slugged
 * as GitHub does. A link that leaves the repository, or one written as a bare `[reference]` with
 * no definition, is refused too: readers of a fresh clone or of the GitHub page have nothing else.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Present in a working copy but not part of the repository (see .gitignore). */
const OUTSIDE = ['node_modules', 'dist', 'data', 'coverage', '.git'];

function markdownFiles(): string[] {
  const files = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files.sort();
}

/**
 * The text a reader sees as prose: fenced blocks blanked (line numbers kept) and, unless asked to
 * keep them, code spans replaced by a placeholder.
 */
function prose(markdown: string, keepCodeSpans = false): string {
  const lines = markdown.split('\n');
  let fence: string | undefined;
  const kept = lines.map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker?.startsWith(fence)) fence = undefined;
      return '';
    }
    if (marker !== undefined) {
      fence = marker;
      return '';
    }
    return line;
  });
  const text = kept.join('\n');
  if (keepCodeSpans) return text;
  // Code spans may run over a line break; their content is never a link. Brackets in them are
  // blanked, the rest kept, so line numbers and a link's text stay as written.
  return text.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, (span) => span.replace(/[[\]()]/g, ' '));
}

/** GitHub's heading anchors: lower case, punctuation and symbols dropped, spaces to hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*~]/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown file defines: its headings (`-1`, `-2` for repeats) and explicit ids. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown, true).split('\n')) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const match of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) found.add(match[1]!);
  return found;
}

interface Link {
  readonly text: string;
  readonly target: string;
  readonly line: number;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Inline links and images, reference definitions, and bare `[references]` with no definition. */
function links(markdown: string): { links: Link[]; undefinedReferences: Link[] } {
  const text = prose(markdown);
  const found: Link[] = [];
  for (const match of text.matchAll(/!?\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
    found.push({ text: match[1]!, target: match[2]!, line: lineOf(text, match.index) });
  }
  const definitions = new Set<string>();
  for (const match of text.matchAll(/^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) {
    definitions.add(match[1]!.toLowerCase());
    found.push({ text: match[1]!, target: match[2]!, line: lineOf(text, match.index) });
  }
  const undefinedReferences: Link[] = [];
  // `[text][label]`, `[label][]` and `[label]` alone are references; `[text](…)` and `[label]:` are
  // not, nor brackets right after a word (`emails[type eq "work"]`, a SCIM value path).
  for (const match of text.matchAll(/(?<![\w\\\]!])\[((?:[^\]\\]|\\.)+)\](?:\[([^\]]*)\])?(?![(:[])/g)) {
    const label = (match[2] || match[1]!).toLowerCase();
    if (/^[ xX]$/.test(match[1]!)) continue; // a task-list box
    if (!definitions.has(label)) {
      undefinedReferences.push({ text: match[0], target: '', line: lineOf(text, match.index) });
    }
  }
  return { links: found, undefinedReferences };
}

/** Why a relative link does not resolve inside the repository, or undefined when it does. */
function problem(from: string, target: string): string | undefined {
  if (target === '') return 'an empty link';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined; // absolute URL
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const file = pathPart === '' ? join(ROOT, from) : resolve(ROOT, dirname(from), pathPart.split('?')[0]!);
  const inRepo = relative(ROOT, file);
  if (inRepo.startsWith('..') || OUTSIDE.includes(inRepo.split(sep)[0]!)) {
    return `${pathPart} is outside the repository`;
  }
  if (!existsSync(file)) return `${inRepo} does not exist`;
  if (relative(ROOT, realpathSync(file)).startsWith('..')) return `${inRepo} leads outside the repository`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return undefined;
  const headings = anchors(readFileSync(file, 'utf8'));
  return headings.has(anchor) ? undefined : `${inRepo} has no heading #${anchor}`;
}

describe('the slug rules', () => {
  it('follow GitHub: lower case, punctuation dropped, spaces to hyphens, code and links unwrapped', () => {
    expect(slug('Connect Okta')).toBe('connect-okta');
    expect(slug('Durability and write speed: `ROSTER_SQLITE_SYNCHRONOUS`')).toBe(
      'durability-and-write-speed-roster_sqlite_synchronous',
    );
    expect(slug('The core restructured (issue 8): before and after, in one session')).toBe(
      'the-core-restructured-issue-8-before-and-after-in-one-session',
    );
    expect(slug('One write pipeline (`src/directory/write-pipeline.ts`)')).toBe(
      'one-write-pipeline-srcdirectorywrite-pipelinets',
    );
    expect(slug('[Linked](x.md) — and §6')).toBe('linked--and-6');
  });

  it('number repeated headings and ignore headings in code blocks', () => {
    const found = anchors('# A\n## Groups\n```sh\n# not a heading\n```\n## Groups\n');
    expect([...found]).toEqual(['a', 'groups', 'groups-1']);
  });

  it('find inline links, definitions and bare references outside code', () => {
    const found = links(
      'See [a](x.md#y) and `[b](no.md)` and [DESIGN §6].\n\n[c][d] and [e]\n\n[d]: z.md\n- [ ] task\n',
    );
    expect(found.links.map((link) => link.target)).toEqual(['x.md#y', 'z.md']);
    expect(found.undefinedReferences.map((link) => link.text)).toEqual(['[DESIGN §6]', '[e]']);
  });
});

describe('documentation links', () => {
  const files = markdownFiles();

  it('refuses a link out of the repository, to a missing file, or to a missing heading', () => {
    expect(problem('docs/architecture.md', '../../shared/DESIGN.md')).toMatch(/outside the repository/);
    expect(problem('README.md', 'docs/nothing.md')).toMatch(/does not exist/);
    expect(problem('README.md', 'docs/benchmarks.md#no-such-section')).toMatch(/has no heading/);
    expect(problem('docs/identity-providers/okta.md', '../../README.md#connect-okta')).toBeUndefined();
    expect(problem('README.md', 'https://example.com/x#y')).toBeUndefined();
  });

  it('covers the README and every page under docs/', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/architecture.md');
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)('%s: every relative link resolves inside the repository', (file) => {
    const { links: found, undefinedReferences } = links(readFileSync(join(ROOT, file), 'utf8'));
    const broken = found.flatMap((link) => {
      const why = problem(file, link.target);
      return why ? [`${file}:${link.line} [${link.text}](${link.target}): ${why}`] : [];
    });
    const bare = undefinedReferences.map(
      (link) => `${file}:${link.line} ${link.text} is written as a link but has no target`,
    );
    expect([...broken, ...bare]).toEqual([]);
  });
});
