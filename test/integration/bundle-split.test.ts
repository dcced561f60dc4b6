/**
 * What each bundle of the Node build carries (scripts/build.mjs), read from its source map: the entry bundle, which
 * kubectl starts on every command, holds the cache hit and nothing it does not run; the login machinery, the CLI
 * framework and the non-disk stores live in the bundles loaded after it. A module that slips into the entry through
 * a new static import fails here, before `npm run bench` would show it as a slower hit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../rig/build.js';

function bundledSources(bundle: string): string[] {
  const map = JSON.parse(readFileSync(join(repoRoot, 'dist', `${bundle}.map`), 'utf8')) as {
    sources: string[];
  };
  return map.sources.map((source) => source.replace(/^(\.\.\/)+/, ''));
}

describe('the bundles of the Node build', () => {
  const entry = bundledSources('kubectl-together_login.cjs');
  const full = bundledSources('kubectl-together_login-full.cjs');
  const stores = bundledSources('kubectl-together_login-stores.cjs');

  it('the entry holds the cache hit: flags, key, disk store, freshness, ExecCredential', () => {
    expect(entry).toEqual(
      expect.arrayContaining([
        'src/main.ts',
        'src/flags/parse-get-token.ts',
        'src/cache/key.ts',
        'src/cache/disk-store.ts',
        'src/core/freshness.ts',
        'src/kube/exec-credential.ts',
      ]),
    );
  });

  it('the entry holds no package, no login flow, no OIDC client, no CLI program and no other store', () => {
    const unwanted = entry.filter(
      (source) =>
        source.includes('node_modules/') ||
        /^src\/(flows|oidc|cli)\//.test(source) ||
        [
          'src/app/login.ts',
          'src/cache/keyring-store.ts',
          'src/cache/encrypted-store.ts',
          'src/cache/keychain-dump.ts',
          'src/platform/windows-acl.ts',
        ].includes(source),
    );
    expect(unwanted).toEqual([]);
  });

  it('the entry loads no Node module but node:fs and node:path (node:url only inside a getter)', () => {
    const code = readFileSync(join(repoRoot, 'dist', 'kubectl-together_login.cjs'), 'utf8');
    const builtins = new Set([...code.matchAll(/require\("(node:[^"]+)"\)/g)].map((m) => m[1]));
    expect([...builtins].sort()).toEqual(['node:fs', 'node:path', 'node:url']);
  });

  it('the other bundles hold what the entry leaves out', () => {
    expect(full).toEqual(
      expect.arrayContaining(['src/app/login.ts', 'src/cli/program.ts', 'src/oidc/client.ts']),
    );
    expect(full.some((source) => source.includes('node_modules/openid-client/'))).toBe(true);
    expect(stores).toEqual(
      expect.arrayContaining([
        'src/cache/keyring-store.ts',
        'src/cache/encrypted-store.ts',
        'src/platform/windows-acl.ts',
      ]),
    );
  });
});
