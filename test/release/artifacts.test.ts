/**
 * The release artifacts of `npm run release` (release/), checked as a user and krew would meet them: names, the
 * zip layout and the executable bit inside it, the checksum files through the real `sha256sum -c`, the krew
 * manifest with every sha256 recomputed, and per executable what can be checked without its OS: `file`'s verdict on
 * format and architecture, the target's own keyring addon inside it, and on darwin a code signature whose every
 * page hash matches. The linux_amd64 executable also runs (the whole suite runs against it: .ci/run).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectHomepage, readPackageJson } from '../../scripts/build-info.mjs';
import { sha256Hex } from '../../scripts/release/artifacts.mjs';
import { parseMachO, verifyCodeSignature } from '../../scripts/release/macho-codesign.mjs';
import { platformPackageDirs } from '../../scripts/release/platform-packages.mjs';
import {
  executableName,
  keyringAddonFile,
  krewPluginName,
  releaseTargets,
  windowsKeyringAddonPackage,
  zipName,
} from '../../scripts/release/targets.mjs';
import { repoRoot } from '../rig/build.js';
import { releaseBuilt, releaseDir, zipEntries } from './release-zip.js';

const built = releaseBuilt();
/** Every target's addon, and the Windows one that the Windows executable must not carry (it needs VCRUNTIME140). */
const keyringAddonPackages = [
  ...releaseTargets.flatMap((t) => (t.keyringPackage ? [t.keyringPackage] : [])),
  windowsKeyringAddonPackage,
];

describe.skipIf(!built).each(releaseTargets.map((t) => [`${t.os}_${t.arch}`, t] as const))(
  'release %s',
  (_name, target) => {
    const zipPath = join(releaseDir, zipName(target));
    let dir: string;
    let executable: Buffer;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'release-check-'));
      const { extract } = await zipEntries(zipPath);
      await extract(executableName(target), join(dir, executableName(target)));
      executable = readFileSync(join(dir, executableName(target)));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('holds exactly the executable, with its executable bit, and LICENSE', async () => {
      const { entries, extract } = await zipEntries(zipPath);
      expect(entries.map((e) => e.name)).toEqual([executableName(target), 'LICENSE']);
      expect(entries.every((e) => e.madeByUnix)).toBe(true);
      expect(entries[0]?.unixMode).toBe(0o100755);
      expect(entries[1]?.unixMode).toBe(0o100644);
      await extract('LICENSE', join(dir, 'LICENSE'));
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(
        readFileSync(join(repoRoot, 'LICENSE'), 'utf8'),
      );
    });

    it('has a checksum file in sha256sum format that sha256sum -c accepts', () => {
      const line = readFileSync(`${zipPath}.sha256`, 'utf8');
      expect(line).toBe(`${sha256Hex(zipPath)}  ${zipName(target)}\n`);
      expect(
        execFileSync('sha256sum', ['-c', `${zipName(target)}.sha256`], { cwd: releaseDir, encoding: 'utf8' }),
      ).toBe(`${zipName(target)}: OK\n`);
    });

    it("is an executable of the target's format and architecture", () => {
      const verdict = execFileSync('file', ['-b', join(dir, executableName(target))], { encoding: 'utf8' });
      expect(verdict).toMatch(target.fileFormat);
    });

    it("carries the target's own keyring addon (none on Windows), and no other", () => {
      const packages = platformPackageDirs(repoRoot, keyringAddonPackages);
      for (const name of keyringAddonPackages) {
        const addon = readFileSync(join(packages.get(name) as string, keyringAddonFile(name)));
        expect(containsWhole(executable, addon), `${name} inside`).toBe(name === target.keyringPackage);
      }
    });

    // Only darwin executables carry a code signature: the test exists for those targets only.
    if (target.os === 'darwin') {
      it('runs on macOS 13 or later, as README and the krew caveats say', () => {
        expect(parseMachO(executable).minimumMacOS).toBe('13.0');
      });

      it('has an ad-hoc code signature whose every page hash matches', () => {
        const check = verifyCodeSignature(executable);
        expect(check.problems).toEqual([]);
        expect(check.pages).toBeGreaterThan(20_000);
        expect((check.flags ?? 0) & 0x2).toBe(0x2); // CS_ADHOC
        expect(check.identifier).toBe('kubectl-together_login');
      });
    }
  },
);

describe.skipIf(!built)('krew manifest', () => {
  it('names one platform per zip, with its selector, URI, recomputed sha256 and bin', () => {
    const manifest = parse(readFileSync(join(releaseDir, `${krewPluginName}.yaml`), 'utf8'));
    expect(manifest).toMatchObject({
      apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
      kind: 'Plugin',
      metadata: { name: 'together-login' },
      spec: {
        version: `v${JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version}`,
        shortDescription: expect.any(String),
      },
    });
    // What the executables need, where krew users read it before installing (docs/release.md, "Targets").
    expect(manifest.spec.caveats).toContain('SSE4.2');
    expect(manifest.spec.caveats).toContain('macOS 13 or later');
    // The project's page only from package.json's homepage, never a made-up one.
    expect(manifest.spec.homepage).toBe(projectHomepage(readPackageJson()));
    const platforms = manifest.spec.platforms as {
      selector: { matchLabels: { os: string; arch: string } };
      uri: string;
      sha256: string;
      bin: string;
      files: { from: string; to: string }[];
    }[];
    expect(platforms.map((p) => p.selector.matchLabels)).toEqual(
      releaseTargets.map((t) => ({ os: t.os, arch: t.arch })),
    );
    const base = new URL('./', platforms[0]?.uri).href;
    for (const [i, target] of releaseTargets.entries()) {
      const platform = platforms[i];
      expect(platform?.uri).toBe(`${base}${zipName(target)}`);
      expect(platform?.sha256).toBe(sha256Hex(join(releaseDir, zipName(target))));
      expect(platform?.bin).toBe(executableName(target));
      expect(platform?.files).toEqual([
        { from: executableName(target), to: '.' },
        { from: 'LICENSE', to: '.' },
      ]);
    }
  });
});

/**
 * Whether `haystack` holds `needle` byte for byte. Buffer.includes with a needle of megabytes degrades badly on
 * the executables' long runs of zeros (over 60 s for one target on a busy machine); finding a 64-byte prefix and
 * comparing the rest at each such place gives the same answer in milliseconds.
 */
function containsWhole(haystack: Buffer, needle: Buffer): boolean {
  const prefix = needle.subarray(0, 64);
  for (let at = haystack.indexOf(prefix); at !== -1; at = haystack.indexOf(prefix, at + 1)) {
    if (haystack.subarray(at, at + needle.length).equals(needle)) return true;
  }
  return false;
}
