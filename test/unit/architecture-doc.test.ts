/**
 * docs/architecture.md is the map a newcomer reads first: every file under src/ is on it, so a file added, moved or
 * renamed without its line fails here instead of leaving the map wrong.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : [relative(root, join(dir, entry.name))],
  );
}

/**
 * The layout blocks' entries: a line that starts with a path (`src/core/`, `src/main.ts`) opens an entry, and the
 * indented lines under it continue it.
 */
function layoutEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  let current: string | undefined;
  for (const block of doc.matchAll(/```\n([\s\S]*?)```/g)) {
    for (const line of (block[1] as string).split('\n')) {
      const opening = /^(src\/\S*)\s*(.*)$/.exec(line);
      if (opening) {
        current = opening[1] as string;
        entries.set(current, `${entries.get(current) ?? ''} ${opening[2]}`);
      } else if (current && /^\s/.test(line)) {
        entries.set(current, `${entries.get(current)} ${line.trim()}`);
      } else {
        current = undefined;
      }
    }
  }
  return entries;
}

/** Named: its own entry, or the entry of a folder above it names it by its path from that folder. */
function named(file: string, entries: Map<string, string>): boolean {
  if (entries.has(file)) return true;
  return [...entries].some(([path, text]) => {
    if (!path.endsWith('/') || !file.startsWith(path)) return false;
    const rest = file.slice(path.length).replace(/[.$]/g, '\\$&');
    return new RegExp(`(^|[\\s(,;:\`])${rest}([\\s),;:\`]|$)`).test(text);
  });
}

describe('docs/architecture.md', () => {
  it('names every file under src/ in its layout, in the entry of its folder', () => {
    const entries = layoutEntries();
    expect(sourceFiles(join(root, 'src')).filter((file) => !named(file, entries))).toEqual([]);
  });

  it('names no file under src/ that is not there', () => {
    const files = new Set(sourceFiles(join(root, 'src')));
    const gone = [...layoutEntries()].flatMap(([path, text]) => {
      const folder = path.endsWith('/') ? path : path.slice(0, path.lastIndexOf('/') + 1);
      // A name in an entry is of its folder, or a path from src/ (`core/cache-key.ts`) or from the root.
      const mentioned = [path, ...[...text.matchAll(/[\w./-]+\.ts\b/g)].map((match) => match[0])];
      return mentioned.filter(
        (name) =>
          !name.endsWith('/') &&
          ![name, `${folder}${name}`, `src/${name}`].some((candidate) => files.has(candidate)),
      );
    });
    expect(gone).toEqual([]);
  });
});
