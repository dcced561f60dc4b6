/**
 * The windows_amd64 executable needs nothing a clean Windows 10/11 lacks: its import table and that of every image
 * embedded in it name only system DLLs (no VCRUNTIME140.dll of the Visual C++ Redistributable), and under wine with
 * VCRUNTIME140.dll switched off it keeps tokens in the Credential Manager (FFI: src/platform/windows-credentials.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformPackageDirs } from '../../scripts/release/platform-packages.mjs';
import { keyringAddonFile } from '../../scripts/release/targets.mjs';
import { repoRoot } from '../rig/build.js';
import { tempDir } from '../rig/plugin.js';
import { requirement } from '../rig/requirement.js';
import { useRigProvider } from '../rig/use-provider.js';
import { expectLoginThenCacheHit } from './login-check.js';
import {
  embeddedImages,
  importedDlls,
  isWindowsSystemDll,
  windowsKeyringAddonPackage,
} from './pe-imports.js';
import { extractExecutable, releaseBuilt, releaseTarget } from './release-zip.js';
import { startWine, type WineSession, wineToolsPresent } from './wine.js';

const windows = releaseTarget('windows_amd64');
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

const haveWine = requirement(wineToolsPresent, {
  underCi: 'wine64 and gcc-mingw-w64-x86-64-win32 are required under CI=true (.ci/run installs them)',
  skipping: 'the windows_amd64 runs under wine: install wine64 gcc-mingw-w64-x86-64-win32',
});

describe.skipIf(!(built && haveWine))('windows_amd64 under wine, without VCRUNTIME140.dll', () => {
  const provider = useRigProvider();
  let wine: WineSession;

  beforeAll(async () => {
    wine = await startWine(await extractExecutable(windows, tempDir('windows-bin')));
  });
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
});
