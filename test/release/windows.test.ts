/**
 * The windows_amd64 executable needs nothing a clean Windows 10/11 lacks: its import table and that of every image
 * embedded in it name only system DLLs (no VCRUNTIME140.dll of the Visual C++ Redistributable), and under wine with
 * VCRUNTIME140.dll switched off it keeps tokens in the Credential Manager (FFI: src/platform/windows-credentials.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackageJson } from '../../scripts/build-info.mjs';
import { platformPackageDirs } from '../../scripts/release/platform-packages.mjs';
import { keyringAddonFile, runtimeFile, windowsKeyringAddonPackage } from '../../scripts/release/targets.mjs';
import {
  type SigningConfig,
  signAuthenticode,
  signingConfigFrom,
} from '../../scripts/release/windows-identity.mjs';
import { repoRoot } from '../rig/build.js';
import { runCommand, tempDir } from '../rig/plugin.js';
import { requirement } from '../rig/requirement.js';
import { makePrivateCa } from '../rig/tls.js';
import { useRigProvider } from '../rig/use-provider.js';
import { expectLoginThenCacheHit } from './login-check.js';
import {
  embeddedImages,
  hasAuthenticodeSignature,
  importedDlls,
  isWindowsSystemDll,
  resourcesByType,
  versionStrings,
} from './pe-imports.js';
import { extractExecutable, releaseBuilt, releaseTarget } from './release-zip.js';
import { startWine, type WineSession, wineToolsPresent } from './wine.js';

const windows = releaseTarget('windows_amd64');
const RT_ICON = 3;
const RT_GROUP_ICON = 14;
const RT_VERSION = 16;
const versionKeys = [
  'CompanyName',
  'FileDescription',
  'FileVersion',
  'OriginalFilename',
  'ProductName',
  'LegalCopyright',
] as const;
const built = releaseBuilt([windows]);

describe('PE import tables', () => {
  it("finds VCRUNTIME140.dll in the keyring addon's Windows build: what the check below guards against", () => {
    const dir = platformPackageDirs(repoRoot, [windowsKeyringAddonPackage]).get(windowsKeyringAddonPackage);
    const imports = importedDlls(
      readFileSync(join(dir as string, keyringAddonFile(windowsKeyringAddonPackage))),
    );
    expect(imports).toContain('VCRUNTIME140.dll');
    expect(imports.filter((name) => !isWindowsSystemDll(name))).toEqual(['VCRUNTIME140.dll']);
  });

  it.skipIf(!built)(
    'the Windows executable and every image embedded in it import only DLLs of a clean Windows 10',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'release-windows-'));
      try {
        const executable = readFileSync(await extractExecutable(windows, dir));
        const images = [0, ...embeddedImages(executable)];
        const imports = images.map((at) => ({ at, dlls: importedDlls(executable, at) }));
        // Bun's runtime itself imports KERNEL32, ntdll, bcryptprimitives and an API set: the parser found them.
        expect(imports[0]?.dlls).toEqual(expect.arrayContaining(['KERNEL32.dll', 'ntdll.dll']));
        expect(
          imports.flatMap(({ at, dlls }) =>
            dlls.filter((name) => !isWindowsSystemDll(name)).map((name) => `${name} (image at ${at})`),
          ),
        ).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe.skipIf(!built)('what the Windows executable says it is', () => {
  let dir: string;
  let executable: string;
  beforeAll(async () => {
    dir = tempDir('windows-identity');
    executable = await extractExecutable(windows, dir);
  });
  const identity = (file: Buffer) => {
    const resources = resourcesByType(file);
    return {
      icons: (resources.get(RT_ICON)?.length ?? 0) + (resources.get(RT_GROUP_ICON)?.length ?? 0),
      versions: (resources.get(RT_VERSION) ?? []).map((resource) => versionStrings(resource, versionKeys)),
    };
  };

  it("names itself in its version resource, not Bun, and carries no Bun icon; Bun's runtime does", () => {
    const pkg = readPackageJson();
    expect(identity(readFileSync(executable))).toEqual({
      icons: 0,
      versions: [
        {
          CompanyName: undefined,
          FileDescription: pkg.description,
          FileVersion: pkg.version,
          OriginalFilename: 'kubectl-together_login.exe',
          ProductName: 'kubectl-together_login',
          LegalCopyright: `Licensed under ${pkg.license}`,
        },
      ],
    });
    // The check reads what Bun puts there: its runtime, as the compile starts from it.
    const runtime = platformPackageDirs(repoRoot, [windows.runtimePackage]).get(windows.runtimePackage);
    const bun = identity(readFileSync(join(runtime as string, runtimeFile(windows))));
    expect(bun.icons).toBeGreaterThan(0);
    expect(bun.versions).toMatchObject([
      { CompanyName: 'Oven', OriginalFilename: 'bun.exe', FileDescription: 'Bun' },
    ]);
  });

  it('is unsigned without a certificate, and signed with one: osslsigncode verifies it, and a changed byte fails', async () => {
    expect(hasAuthenticodeSignature(readFileSync(executable))).toBe(false);
    expect(signingConfigFrom({})).toBeUndefined();

    // A throwaway code-signing certificate from a throwaway CA, as a password-protected PKCS#12.
    const ca = makePrivateCa({
      subject: '/CN=kubectl-together_login test signer',
      extensions: 'extendedKeyUsage=codeSigning\nkeyUsage=digitalSignature\n',
    });
    writeFileSync(join(dir, 'signer.pem'), ca.serverCert);
    writeFileSync(join(dir, 'signer.key'), ca.serverKey);
    const p12 = join(dir, 'signer.p12');
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      join(dir, 'signer.key'),
      '-in',
      join(dir, 'signer.pem'),
      '-certfile',
      ca.caPemPath,
      '-out',
      p12,
      '-passout',
      'pass:throwaway-password',
    ]);
    const config = signingConfigFrom({
      WINDOWS_SIGNING_PKCS12: p12,
      WINDOWS_SIGNING_PASSWORD: 'throwaway-password',
    });
    await signAuthenticode(executable, config as SigningConfig, {
      name: 'kubectl-together_login',
      url: 'https://example.org/kubectl-together_login',
    });
    const signed = readFileSync(executable);
    expect(hasAuthenticodeSignature(signed)).toBe(true);
    const verify = await runCommand('osslsigncode', ['verify', '-CAfile', ca.caPemPath, '-in', executable]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('Signature verification: ok');
    expect(verify.stdout).toContain('kubectl-together_login test signer');

    // One byte of the program changed: the signature no longer matches.
    signed[0x1000] = (signed[0x1000] as number) ^ 0xff;
    writeFileSync(executable, signed);
    const tampered = await runCommand('osslsigncode', ['verify', '-CAfile', ca.caPemPath, '-in', executable]);
    expect(tampered.code).not.toBe(0);
  });
});

const haveWine = requirement(wineToolsPresent, {
  underCi: 'wine64 and gcc-mingw-w64-x86-64-win32 are required under CI=true (.ci/run installs them)',
  skipping: 'the windows_amd64 runs under wine: install wine64 gcc-mingw-w64-x86-64-win32',
});

// Every wine start takes seconds (more on a loaded machine), and a test makes up to five: a bound of its own.
describe.skipIf(!(built && haveWine))(
  'windows_amd64 under wine, without VCRUNTIME140.dll',
  { timeout: 240_000 },
  () => {
    const provider = useRigProvider();
    let wine: WineSession;

    // wineboot creates the prefix: 15 s here when idle.
    beforeAll(async () => {
      wine = await startWine(await extractExecutable(windows, tempDir('windows-bin')));
    }, 240_000);
    afterAll(async () => {
      await wine?.close();
    });

    it('says which build it is', async () => {
      const result = await wine.run(['version']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^build: standalone executable \(Bun 1\.[\d.]+, win32\/x64\)$/m);
    });

    it('prints its help', async () => {
      const help = await wine.run(['--help']);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/^Usage: kubectl-together_login \[options\] \[command\]\r?$/m);
    });

    it("keeps the default disk cache in the Windows profile's .kube\\cache, where kubectl looks, and answers from it", async () => {
      // Wine hides the Unix HOME (it becomes WINEHOMEDIR): the home is %HOMEDRIVE%%HOMEPATH% = %USERPROFILE%.
      await expectLoginThenCacheHit(wine.run, provider);

      const user = userInfo().username;
      const status = await wine.run(['status', '--token-cache-storage=disk']);
      expect(status.stdout).toContain(
        `where:    C:\\users\\${user}\\.kube\\cache\\oidc-login\\together-login-v1-`,
      );
      const cache = join(wine.driveC, 'users', user, '.kube', 'cache', 'oidc-login');
      expect(
        readdirSync(cache).filter((name) => /^together-login-v1-[0-9a-f]{64}\.json$/.test(name)),
      ).toHaveLength(1);
      expect((await wine.run(['clean', '--token-cache-storage=disk'])).code).toBe(0);
    });

    it('keeps the tokens in the Credential Manager: login, cache hit, status, clean', async () => {
      await expectLoginThenCacheHit(wine.run, provider, ['--token-cache-storage=keyring']);

      const status = await wine.run(['status', '--token-cache-storage=keyring']);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/^alice@example\.com {2}\(keyring\)$/m);

      const clean = await wine.run(['clean', '--token-cache-storage=keyring']);
      expect(clean.code, clean.stderr).toBe(0);
      expect((await wine.run(['status', '--token-cache-storage=keyring'])).stdout).toBe(
        'No cached identities.\n',
      );
    });
  },
);
