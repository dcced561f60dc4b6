/**
 * The Linux executables on CPUs this machine does not have, under Debian's qemu-user (called directly:
 * binfmt_misc is not mounted here): the linux_arm64 one with Debian's arm64 glibc (libc6-arm64-cross), and the
 * linux_amd64 one on the oldest x64 CPU it needs (Nehalem, SSE4.2) and one older (Core 2, which lacks SSE4.2), so
 * that what README's Install section promises is measured. Each start under emulation takes a second or two.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommand, tempDir } from '../rig/plugin.js';
import { requirement } from '../rig/requirement.js';
import { useRigProvider } from '../rig/use-provider.js';
import { expectLoginThenCacheHit } from './login-check.js';
import { extractExecutable, releaseBuilt, releaseTarget } from './release-zip.js';

const qemuX64 = '/usr/bin/qemu-x86_64';
const qemuArm64 = '/usr/bin/qemu-aarch64';
const arm64Sysroot = '/usr/aarch64-linux-gnu';
const linuxAmd64 = releaseTarget('linux_amd64');
const linuxArm64 = releaseTarget('linux_arm64');
const haveQemu = requirement(
  [qemuX64, qemuArm64, `${arm64Sysroot}/lib/ld-linux-aarch64.so.1`].every((path) => existsSync(path)),
  {
    underCi: 'qemu-user and libc6-arm64-cross are required under CI=true (.ci/run installs them)',
    skipping: 'the runs under qemu-user: install qemu-user libc6-arm64-cross',
  },
);

// Each start under emulation takes a second or two, more on a loaded machine: a bound of its own.
describe.skipIf(!(releaseBuilt([linuxArm64]) && haveQemu))(
  'linux_arm64 (qemu-aarch64)',
  { timeout: 180_000 },
  () => {
    const provider = useRigProvider();
    let executable: string;
    let cacheDir: string;
    beforeAll(async () => {
      const dir = tempDir('qemu-arm64');
      executable = await extractExecutable(linuxArm64, dir);
      cacheDir = join(dir, 'cache');
    });
    const run = (args: readonly string[]) => runCommand(qemuArm64, ['-L', arm64Sysroot, executable, ...args]);

    it('says which build it is, and prints its help', async () => {
      const version = await run(['version']);
      expect(version.code, version.stderr).toBe(0);
      expect(version.stdout).toMatch(/^build: standalone executable \(Bun 1\.[\d.]+, linux\/arm64\)$/m);
      const help = await run(['--help']);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/^Usage: kubectl-together_login \[options\] \[command\]$/m);
      expect(help.stdout).toContain('get-token [options]');
    });

    it('logs in with the password grant, then answers from its cache', async () => {
      await expectLoginThenCacheHit(run, provider, [`--token-cache-dir=${cacheDir}`]);
    });
  },
);

describe.skipIf(!(releaseBuilt([linuxAmd64]) && haveQemu))(
  'linux_amd64 on old x64 CPUs (qemu-x86_64)',
  () => {
    let executable: string;
    beforeAll(async () => {
      executable = await extractExecutable(linuxAmd64, tempDir('qemu-amd64'));
    });

    it('runs on a Nehalem (SSE4.2, no AVX)', async () => {
      const result = await runCommand(qemuX64, ['-cpu', 'Nehalem', executable, 'version']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^build: standalone executable \(Bun 1\.[\d.]+, linux\/x64\)$/m);
    });

    it('stops with an illegal instruction on a Core 2 (no SSE4.2): the Node.js package is the way there', async () => {
      const result = await runCommand(qemuX64, ['-cpu', 'core2duo', executable, 'version']);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/Illegal instruction|signal 4/);
    });
  },
);
