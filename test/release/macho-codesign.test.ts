/**
 * The Mach-O signature checker and ad-hoc signer of the release (scripts/release/macho-codesign.mts), against
 * signatures made by others: Apple's codesign (the Bun runtimes as published, Developer ID with requirements and
 * entitlements) and Bun's own ad-hoc signing of darwin-arm64 executables, which our signer must reproduce byte for
 * byte. Uses the darwin runtimes that `npm run release` fetched (or fetches them: npm registry only).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdHoc, verifyCodeSignature } from '../../scripts/release/macho-codesign.mjs';
import { platformPackageDirs } from '../../scripts/release/platform-packages.mjs';
import { releaseTargets, runtimeFile, zipName } from '../../scripts/release/targets.mjs';
import { repoRoot } from '../rig/build.js';

const darwin = releaseTargets.filter((t) => t.os === 'darwin');
// The darwin runtimes are ~100 MB from the npm registry: fetched by `npm run release` (which .ci/run runs first) and
// kept in node_modules/.cache. A plain `npm test` before any release skips these checks loudly rather than
// downloading them inside a test's time limit.
const released = darwin.every((t) => existsSync(join(repoRoot, 'release', zipName(t))));
if (!released) {
  if (process.env.CI === 'true')
    throw new Error('release/ is incomplete: .ci/run runs `npm run release` first');
  console.warn('\n*** SKIPPING the Mach-O signature checks: run `npm run release` first ***\n');
}
let dir: string;
const runtimes = new Map<string, string>();
/** A tiny program compiled by Bun for each darwin target, signed as Bun left it. */
const compiled = new Map<string, Buffer>();

describe.skipIf(!released)('Mach-O code signatures', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'macho-'));
    const packages = platformPackageDirs(
      repoRoot,
      darwin.map((t) => t.runtimePackage),
    );
    writeFileSync(join(dir, 'hello.js'), 'console.log("hello")\n');
    for (const target of darwin) {
      const runtime = join(packages.get(target.runtimePackage) as string, runtimeFile(target));
      runtimes.set(target.arch, runtime);
      const out = join(dir, `hello-${target.arch}`);
      execFileSync(
        join(repoRoot, 'node_modules', '.bin', 'bun'),
        [
          'build',
          '--compile',
          `--target=${target.bunTarget}`,
          `--compile-executable-path=${runtime}`,
          'hello.js',
          '--outfile',
          out,
        ],
        { cwd: dir, stdio: 'ignore' },
      );
      compiled.set(target.arch, readFileSync(out));
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(darwin.map((t) => [t.arch]))(
    "accepts Apple's signature of the Bun runtime for darwin %s",
    (arch) => {
      const check = verifyCodeSignature(readFileSync(runtimes.get(arch) as string));
      expect(check.problems).toEqual([]);
      expect(check.identifier).toBe('bun');
    },
  );

  it("accepts Bun's ad-hoc signature of a darwin-arm64 executable, and signing it again gives the same bytes", () => {
    const bunSigned = compiled.get('arm64') as Buffer;
    expect(verifyCodeSignature(bunSigned).problems).toEqual([]);
    expect(signAdHoc(bunSigned, 'a.out').equals(bunSigned)).toBe(true);
  });

  it('finds the stale signature Bun leaves on darwin-x64 executables, and a valid one after signing', () => {
    const stale = verifyCodeSignature(compiled.get('amd64') as Buffer);
    // The pages holding the program (and, for a program larger than the runtime's reserved section, everything
    // after the old code limit) no longer match.
    expect(stale.mismatchedPages).toBeGreaterThan(0);
    const signed = verifyCodeSignature(signAdHoc(compiled.get('amd64') as Buffer, 'kubectl-together_login'));
    expect(signed).toMatchObject({ problems: [], identifier: 'kubectl-together_login', mismatchedPages: 0 });
  });

  it('notices one changed byte, and bytes appended after the signature', () => {
    const signed = signAdHoc(compiled.get('arm64') as Buffer, 'kubectl-together_login');
    const changed = Buffer.from(signed);
    changed[70_000] = (changed[70_000] as number) ^ 1;
    expect(verifyCodeSignature(changed).problems).toEqual([
      `1 of ${verifyCodeSignature(signed).pages} page hashes do not match`,
    ]);
    expect(verifyCodeSignature(Buffer.concat([signed, Buffer.alloc(64)])).problems).toContain(
      'data after the signature',
    );
  });
});
