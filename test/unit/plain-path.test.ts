/**
 * joinPath and parentDir answer as node:path's join and dirname do, whatever the parts: plain concatenation only where
 * node:path's normalisation would change nothing (issue 25: the standalone's hit no longer loads node:path).
 */
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinPath, parentDir } from '../../src/platform/plain-path.js';

/** Path parts made of what normalisation acts on: separators, `.` and `..` segments, empty parts, backslashes. */
const part = fc
  .array(fc.constantFrom('/', '//', '.', '..', '...', 'a', 'b.c', '.d', 'e..', '\\', ' ', ''), {
    maxLength: 6,
  })
  .map((pieces) => pieces.join(''));

describe('plain paths (node:path without loading it)', () => {
  it('joins as path.join does', () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        expect(joinPath(...parts)).toBe(join(...parts));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the parent as path.dirname does', () => {
    fc.assert(
      fc.property(part, (path) => {
        expect(parentDir(path)).toBe(dirname(path));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    [['/home/ada', '.kube', 'cache', 'oidc-login'], '/home/ada/.kube/cache/oidc-login'],
    [['/home/ada/', '.kube'], '/home/ada/.kube'],
    [['/home/ada', '../bob', 'x'], '/home/bob/x'],
    [['', 'x'], 'x'],
    [['/', 'x'], '/x'],
    [['relative/dir', 'x.json'], 'relative/dir/x.json'],
  ])('joins %j as %s', (parts, joined) => {
    expect(joinPath(...parts)).toBe(joined);
    expect(join(...parts)).toBe(joined);
  });

  it.each([
    ['/home/ada/x.json', '/home/ada'],
    ['/x.json', '/'],
    ['x.json', '.'],
    ['/home/ada/', '/home'],
    ['/', '/'],
    ['', '.'],
  ])('takes the parent of %s as %s', (path, parent) => {
    expect(parentDir(path)).toBe(parent);
    expect(dirname(path)).toBe(parent);
  });
});
