/**
 * The source tree's imports form no cycle (static imports, `import()` and `typeof import()` alike), and they point
 * one way, down the floors of the table below (docs/architecture.md, "Imports point one way").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../rig/build.js';

const srcDir = join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Relative module specifiers of a file, resolved to the .ts file they name. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1] as string,
  );
  return specifiers.map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
}

function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * The floors of src/, ground floor first: a module imports its own folder and the floors below, never a floor above,
 * and the folders that share a floor stay out of each other. error-codes.ts (the codes and their exit codes) is the
 * ground floor; core/ (pure decisions, the ports, the cache entry and key) stands on it and app-error.ts alone;
 * platform/ and cache/ are the adapters core's ports name; oidc/ speaks to the provider; flags/ (the exec args'
 * format), flows/ (the login flows) and ci/ (a CI job's token) use those; kube/ reads and writes kubeconfigs in the
 * flags' format; app/ wires it all; cli/ is the commander program; the entries start the process.
 */
const floors: readonly (readonly string[])[] = [
  ['error-codes.ts'],
  ['app-error.ts', 'version.ts'],
  ['core'],
  ['platform'],
  ['cache'],
  ['oidc'],
  ['flags', 'flows', 'ci'],
  ['kube'],
  ['app'],
  ['cli'],
  ['entries'],
];
/** The files at the top of src/ that start the process (loader.ts, main.ts) or a bundle (full.ts, load-full.ts). */
const entryFiles = ['main.ts', 'full.ts', 'load-full.ts', 'loader.ts'];

/**
 * The unit a floor lists: the folder under src/ (a subfolder, such as core/setup/ of one use case, stands on its
 * folder's floor and is part of its unit), a shared file at its top, or the entries.
 */
function unitOf(file: string): string {
  const path = relative(srcDir, file);
  if (path.includes('/')) return path.split('/')[0] as string;
  return entryFiles.includes(path) ? 'entries' : path;
}

function floorOf(file: string): number {
  const floor = floors.findIndex((units) => units.includes(unitOf(file)));
  if (floor < 0) throw new Error(`${relative(srcDir, file)}: its folder is on no floor of the table`);
  return floor;
}

/** Imports that point up a floor or across to another folder of the same floor, as `from → to` paths under src/. */
function wrongWayImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return [...graph].flatMap(([from, targets]) =>
    targets
      .filter(
        (to) => floorOf(to) > floorOf(from) || (floorOf(to) === floorOf(from) && unitOf(to) !== unitOf(from)),
      )
      .map((to) => `${relative(srcDir, from)} → ${relative(srcDir, to)}`),
  );
}

describe('the import graph of src/', () => {
  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toBeUndefined();
  });

  it('has no cycle', () => {
    const files = sourceFiles(srcDir);
    expect(files.length).toBeGreaterThan(40);
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    const cycle = findCycle(graph)?.map((file) => relative(srcDir, file));
    expect(cycle, `import cycle: ${cycle?.join(' → ')}`).toBeUndefined();
  });

  it('points one way, floor by floor: core < platform < cache < oidc < flags, flows, ci < kube < app < cli < entries', () => {
    const file = (path: string) => join(srcDir, path);
    // The check itself works: an import up a floor or across one is found, one down a floor or within a folder is not.
    expect(
      wrongWayImports(
        new Map([
          [file('core/a.ts'), [file('cache/b.ts'), file('core/c.ts'), file('app-error.ts')]],
          [file('flags/d.ts'), [file('flows/e.ts'), file('cache/b.ts')]],
          [file('platform/f.ts'), [file('core/a.ts')]],
          // A subfolder is its folder's floor: core/setup/ may import core/ and core/ it, but neither app/setup/.
          [file('core/setup/h.ts'), [file('core/a.ts'), file('app/setup/i.ts')]],
          [file('core/c.ts'), [file('core/setup/h.ts')]],
        ]),
      ),
    ).toEqual(['core/a.ts → cache/b.ts', 'flags/d.ts → flows/e.ts', 'core/setup/h.ts → app/setup/i.ts']);
    expect(() => floorOf(file('newfolder/g.ts'))).toThrow('on no floor');

    const graph = new Map(sourceFiles(srcDir).map((source) => [source, importsOf(source)]));
    expect(wrongWayImports(graph)).toEqual([]);
  });
});
