/**
 * The Linux executables on CPUs this machine does not have, under Debian's qemu-user (called directly:
 * binfmt_misc is not mounted here): the linux_amd64 one on the oldest x64 CPU it needs (Nehalem, SSE4.2) and one
 * older (Core 2, which lacks SSE4.2), so that what README's Install section promises is measured.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommand, tempDir } from '../rig/plugin.js';
import { requirement } from '../rig/requirement.js';
import { extractExecutable, releaseBuilt, releaseTarget } from './release-zip.js';

const qemuX64 = '/usr/bin/qemu-x86_64';
const linuxAmd64 = releaseTarget('linux_amd64');
const haveQemu = requirement(existsSync(qemuX64), {
  underCi: 'qemu-user is required under CI=true (.ci/run installs it)',
  skipping: 'the runs under qemu-user: install qemu-user',
});

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
