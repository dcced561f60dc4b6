/**
 * The source tree's imports form no cycle (static imports, `import()` and `typeof import()` alike), and they point
 * one way between the layers: main.ts / full.ts → cli/ → app/ (the composition roots) → everything else.
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

/** The layers, top first: a module may import its own layer and the layers below it, never one above. */
const layers = ['entry', 'cli', 'app', 'rest'] as const;
type Layer = (typeof layers)[number];

function layerOf(file: string): Layer {
  const path = relative(srcDir, file);
  if (!path.includes('/')) return path === 'errors.ts' || path === 'version.ts' ? 'rest' : 'entry';
  const top = path.split('/')[0];
  return top === 'cli' ? 'cli' : top === 'app' ? 'app' : 'rest';
}

/** Imports that point up a layer, as `from → to` paths under src/. */
function upwardImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return [...graph].flatMap(([from, targets]) =>
    targets
      .filter((to) => layers.indexOf(layerOf(to)) < layers.indexOf(layerOf(from)))
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

  it('points one way between the layers: nothing below cli/ imports cli/, nothing below app/ imports app/', () => {
    const file = (path: string) => join(srcDir, path);
    // The check itself works: an upward import is found, a downward one is not.
    expect(upwardImports(new Map([[file('core/a.ts'), [file('cli/b.ts'), file('errors.ts')]]]))).toEqual([
      'core/a.ts → cli/b.ts',
    ]);
    expect(upwardImports(new Map([[file('cli/b.ts'), [file('app/c.ts'), file('flags/d.ts')]]]))).toEqual([]);

    const graph = new Map(sourceFiles(srcDir).map((source) => [source, importsOf(source)]));
    expect(upwardImports(graph)).toEqual([]);
  });
});
