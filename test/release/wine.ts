/**
 * The windows_amd64 executable under Debian's wine 8 (`wine64`), as on a clean Windows: a private wine prefix, and
 * VCRUNTIME140.dll switched off (wine has its own copy; a clean Windows has none: the Visual C++ Redistributable is
 * not part of it). Wine 8 lacks bcryptprimitives.dll's ProcessPrng, which Bun's runtime imports: a one-function
 * shim built with mingw-w64 (fixtures/process-prng-shim.c) sits beside the executable. What wine does not show:
 * docs/platforms.md.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../rig/build.js';
import { type PluginResult, runCommand, tempDir } from '../rig/plugin.js';

export const wine64 = '/usr/lib/wine/wine64';
const mingwGcc = '/usr/bin/x86_64-w64-mingw32-gcc';
export const wineToolsPresent = existsSync(wine64) && existsSync(mingwGcc);

export interface WineSession {
  run(args: readonly string[]): Promise<PluginResult>;
  /** C:\ of the prefix, as a Linux path. */
  readonly driveC: string;
  close(): Promise<void>;
}

/** A prefix of its own with the executable (copied from `executable`) and the ProcessPrng shim beside it. */
export async function startWine(executable: string): Promise<WineSession> {
  const dir = tempDir('wine');
  const exe = join(dir, 'kubectl-together_login.exe');
  copyFileSync(executable, exe);
  execFileSync(mingwGcc, [
    '-shared',
    '-O2',
    '-o',
    join(dir, 'bcryptprimitives.dll'),
    join(repoRoot, 'test/release/fixtures/process-prng-shim.c'),
    '-ladvapi32',
  ]);
  const env = {
    HOME: dir,
    WINEPREFIX: join(dir, 'prefix'),
    WINEDEBUG: '-all',
    // The shim before wine's own DLL; no Mono or Gecko (their installers would ask); no VCRUNTIME140.dll.
    WINEDLLOVERRIDES: 'bcryptprimitives=n,b;mscoree=;mshtml=;vcruntime140=',
  };
  const boot = await runCommand(wine64, ['wineboot', '--init'], env);
  if (boot.code !== 0) throw new Error(`wineboot failed (${boot.code}): ${boot.stderr}`);
  return {
    run: (args) => runCommand(wine64, [exe, ...args], env),
    driveC: join(env.WINEPREFIX, 'drive_c'),
    close: async () => {
      // The wine server of this prefix outlives its last program for a few seconds: end it now.
      await runCommand('/usr/lib/wine/wineserver', ['-k'], env);
    },
  };
}
