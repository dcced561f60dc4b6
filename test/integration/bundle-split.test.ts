/**
 * What each bundle carries, in both builds: the Node package (scripts/build.mjs, read from its source maps) and the
 * standalone executable (scripts/release/standalone.mts, bundled here into a temporary directory, read from esbuild's
 * metafile). The entry bundle, which kubectl starts on every command, holds the cache hit and nothing it does not
 * run; the login machinery, the CLI framework and the non-disk stores live in the bundles loaded after it. A module
 * that slips into the entry through a new static import fails here, before `npm run bench` would show it as a slower
 * hit.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullBundle, hitBundle, recorderBundle, storesBundle } from '../../scripts/bundle-split.mjs';
import {
  type BundleSources,
  bundleForStandalone,
  standaloneEntry,
} from '../../scripts/release/standalone.mjs';
import { hitBundle as loaderHitBundle } from '../../src/core/code-cache.js';
import { repoRoot } from '../rig/build.js';
import { tempDir } from '../rig/plugin.js';

/** npm's command in the Node package: the loader of the entry (src/loader.ts). */
const loaderBundle = 'kubectl-together_login.cjs';

function bundledSources(bundle: string): string[] {
  const map = JSON.parse(readFileSync(join(repoRoot, 'dist', `${bundle}.map`), 'utf8')) as {
    sources: string[];
  };
  return map.sources.map((source) => source.replace(/^(\.\.\/)+/, ''));
}

/** The node: modules a bundle's code requires, wherever the require() sits. */
function requiredBuiltins(code: string): string[] {
  return [...new Set([...code.matchAll(/require\("(node:[^"]+)"\)/g)].map((m) => m[1] as string))].sort();
}

/** The checks both builds pass: what the entry holds, what it must not, and what the other bundles hold instead. */
function checkSplit(entryBundle: string, sourcesOf: () => BundleSources): void {
  it('the entry holds the cache hit: flags, key, disk store, freshness, exchanged tokens, ExecCredential', () => {
    expect(sourcesOf()[entryBundle]).toEqual(
      expect.arrayContaining([
        'src/main.ts',
        'src/flags/parse-get-token.ts',
        'src/core/cache-key.ts',
        'src/cache/disk-store.ts',
        'src/core/freshness.ts',
        // The hit of a token exchanged for a cluster's audience is answered here too.
        'src/core/token-exchange.ts',
        'src/kube/exec-credential.ts',
      ]),
    );
  });

  it('the entry holds no package, no login flow, no OIDC client, no CLI program and no other store', () => {
    const unwanted = sourcesOf()[entryBundle]?.filter(
      (source) =>
        source.includes('node_modules/') ||
        /^src\/(flows|oidc|cli)\//.test(source) ||
        [
          'src/app/authenticator.ts',
          // get-token's miss: refresh, login and write under the lock (3 KB a hit compiled for nothing).
          'src/core/renew-token.ts',
          'src/cache/keyring-store.ts',
          'src/cache/encrypted-store.ts',
          'src/cache/keychain-dump.ts',
          'src/platform/windows-acl.ts',
        ].includes(source),
    );
    expect(unwanted).toEqual([]);
  });

  it('the other bundles hold what the entry leaves out', () => {
    const full = sourcesOf()[fullBundle] ?? [];
    expect(full).toEqual(
      expect.arrayContaining([
        'src/app/authenticator.ts',
        'src/cli/program.ts',
        'src/oidc/client.ts',
        'src/core/renew-token.ts',
      ]),
    );
    expect(full.some((source) => source.includes('node_modules/openid-client/'))).toBe(true);
    expect(sourcesOf()[storesBundle]).toEqual(
      expect.arrayContaining([
        'src/cache/keyring-store.ts',
        'src/cache/encrypted-store.ts',
        'src/platform/windows-acl.ts',
      ]),
    );
  });
}

describe('the bundles of the Node build', () => {
  checkSplit(hitBundle, () =>
    Object.fromEntries(
      [hitBundle, fullBundle, storesBundle].map((bundle) => [bundle, bundledSources(bundle)]),
    ),
  );

  // node:path only through process.getBuiltinModule when a path is not already normal (src/platform/plain-path.ts).
  it('the entry loads no Node module but node:fs (node:url only inside a getter)', () => {
    const code = readFileSync(join(repoRoot, 'dist', hitBundle), 'utf8');
    expect(requiredBuiltins(code)).toEqual(['node:fs', 'node:url']);
  });

  it('the command is a small loader of the entry, which the loader and the build name alike', () => {
    expect(loaderHitBundle).toBe(hitBundle);
    const code = readFileSync(join(repoRoot, 'dist', loaderBundle), 'utf8');
    expect(code.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // node:vm only when a cache is there: it sits in the branch that has one (test/integration/code-cache.test.ts).
    expect(requiredBuiltins(code)).toEqual(['node:fs', 'node:path', 'node:vm']);
    expect(code.length).toBeLessThan(4096);
    expect(code).toContain(hitBundle);
    expect(recorderBundle).not.toBe(loaderBundle);
  });
});

describe('the bundles of the standalone executable', () => {
  let dir = '';
  let sources: BundleSources = {};
  const code = (bundle: string) => readFileSync(join(dir, bundle), 'utf8');
  beforeAll(async () => {
    dir = tempDir('standalone-bundles');
    sources = await bundleForStandalone(repoRoot, dir, undefined, 'addon');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Bun compiles the entry itself, not the Node package's loader: its bytecode is precompiled already.
  checkSplit(standaloneEntry, () => sources);

  it('the entry loads no Node module but node:fs, and hashes with Bun.SHA256', () => {
    expect(requiredBuiltins(code(standaloneEntry))).toEqual(['node:fs']);
    // Our JavaScript SHA-256 (its first round constant is 0x428a2f98) costs Bun more than Node.
    expect(code(standaloneEntry)).toContain('Bun.SHA256.hash(');
    expect(code(standaloneEntry)).not.toMatch(/0x428a2f98|1116352408/i);
  });

  it('the other bundles give the JIT back when they load (the entry runs with it held back)', () => {
    for (const bundle of [fullBundle, storesBundle])
      expect(code(bundle).startsWith('Bun.unsafe.setJITPolicy(1);')).toBe(true);
  });
});
