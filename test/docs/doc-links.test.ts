import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../support/shared.js';

/**
 * The README and the pages under docs/ are read from a checkout or the npm package, where
 * nothing beside the repository exists: every path they link to, or name with `../`, must be
 * a file or directory inside the repository. Web links (http, https, mailto) and in-page
 * anchors are not paths and are not checked here.
 */

interface Problem {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly why: 'outside the repository' | 'does not exist';
}

const WEB = /^[a-z][a-z0-9+.-]*:/i;

/** Link targets: `[text](target)`, `[text](target "title")` and `[ref]: target` definitions. */
function linkTargets(line: string): string[] {
  const targets: string[] = [];
  for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(match[1] ?? '');
  const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line);
  if (definition !== null) targets.push(definition[1] ?? '');
  return targets;
}

/** Paths named in the text (code spans and commands included) that climb with `../`. */
function climbingPaths(line: string): string[] {
  return [...line.matchAll(/(?<![\w./-])((?:\.\.\/)+[\w@.+-][\w@./+-]*)/g)].map((m) => m[1] ?? '');
}

/** Every problem with the paths `text` (the content of `file`, relative to `root`) links to or names. */
function pathProblems(root: string, file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  const base = dirname(resolve(root, file));
  let fenced = false;
  text.split('\n').forEach((content, index) => {
    const line = index + 1;
    if (/^\s*(```|~~~)/.test(content)) fenced = !fenced;
    const candidates = new Set<string>(climbingPaths(content));
    if (!fenced) for (const target of linkTargets(content)) candidates.add(target);
    for (const raw of candidates) {
      if (raw === '' || raw.startsWith('#') || WEB.test(raw)) continue;
      const path = decodeURI(raw.split('#')[0] ?? '').replace(/[.,;:]+$/, '');
      if (path === '') continue;
      const resolved = path.startsWith('/') ? path : resolve(base, path);
      const inside = relative(root, resolved);
      if (inside.startsWith('..') || isAbsolute(inside)) problems.push({ file, line, target: raw, why: 'outside the repository' });
      else if (!existsSync(resolved)) problems.push({ file, line, target: raw, why: 'does not exist' });
    }
  });
  return problems;
}

/** README.md, every docs/*.md, and every other Markdown file the README links to. */
function documentationFiles(): string[] {
  const docs = readdirSync(resolve(PROJECT_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  const readme = readFileSync(resolve(PROJECT_ROOT, 'README.md'), 'utf8');
  const linked = readme
    .split('\n')
    .flatMap(linkTargets)
    .filter((target) => !WEB.test(target) && target.split('#')[0]?.endsWith('.md') === true)
    .map((target) => relative(PROJECT_ROOT, resolve(PROJECT_ROOT, target.split('#')[0] ?? '')))
    .filter((path) => !path.startsWith('..') && existsSync(resolve(PROJECT_ROOT, path)));
  return [...new Set(['README.md', ...docs, ...linked])].sort();
}

test('README.md and docs/*.md link only to files inside the repository that exist', () => {
  const files = documentationFiles();
  expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/design.md', 'docs/byteair-api.md', 'bench/RESULTS.md']));
  const problems = files.flatMap((file) => pathProblems(PROJECT_ROOT, file, readFileSync(resolve(PROJECT_ROOT, file), 'utf8')));
  expect(problems).toEqual([]);
});

test('the check finds a link outside the repository, a missing file and a `../` path in a code span (control)', () => {
  const text = [
    'See [design](../shared/docs/DESIGN.md) and [gone](docs/no-such-page.md#part).',
    'The protocol: `../shared/docs/byteair-protocol.md`.',
    '[ref]: /etc/passwd',
  ].join('\n');
  expect(pathProblems(PROJECT_ROOT, 'README.md', text)).toEqual([
    { file: 'README.md', line: 1, target: '../shared/docs/DESIGN.md', why: 'outside the repository' },
    { file: 'README.md', line: 1, target: 'docs/no-such-page.md#part', why: 'does not exist' },
    { file: 'README.md', line: 2, target: '../shared/docs/byteair-protocol.md', why: 'outside the repository' },
    { file: 'README.md', line: 3, target: '/etc/passwd', why: 'outside the repository' },
  ]);
});

test('the check accepts what stays inside: a page, a directory, an anchor, a web link, `../` back into the repository (control)', () => {
  const text = [
    '[cli](docs/cli.md#status), [bench](bench/), [top](#two-commands), <https://example.com/x>, [api](https://example.com/y).',
    'From docs/: [readme](../README.md) and `../packages/byteair-sync/src/config/settings.ts`.',
  ].join('\n');
  expect(pathProblems(PROJECT_ROOT, 'README.md', text.split('\n')[0] ?? '')).toEqual([]);
  expect(pathProblems(PROJECT_ROOT, 'docs/x.md', text.split('\n')[1] ?? '')).toEqual([]);
});
