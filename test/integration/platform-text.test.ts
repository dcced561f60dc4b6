/**
 * Platform-facing text and files through the built plugin, where Linux can show them: ASCII marks for a console
 * that is not UTF-8 (LANG=C), a kubeconfig with CRLF line endings keeping them, and a callback port refused with
 * EACCES (a port below 1024 for an ordinary user: the code Windows answers for its reserved ranges). The Windows
 * wording of the last is a table in test/unit/port-failure.test.ts.
 */
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authProviderUserLines } from '../rig/kubeconfig-users.js';
import { getTokenArgs, runCommand, runPlugin, runSetup, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { secondUserDir } from '../rig/second-user.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('platform text and files', () => {
  const provider = useRigProvider();
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('platform-text');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('setup in a console that is not UTF-8 (LANG=C) marks its checks in ASCII', async () => {
    const result = await runSetup(provider.issuer, [], { LANG: 'C' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('OK discovery: ');
    expect(result.stderr).not.toMatch(/[✓✗…]/);
    const utf8 = await runSetup(provider.issuer, [], { LANG: 'C.UTF-8' });
    expect(utf8.stderr).toContain('✓ discovery: ');
  });

  it('convert-kubeconfig keeps CRLF line endings in the lines it writes', async () => {
    const file = join(dir, 'config');
    const lines = [
      'apiVersion: v1',
      'kind: Config',
      'users:',
      ...authProviderUserLines('legacy', { 'idp-issuer-url': provider.issuer, 'client-id': publicClientId }),
      '',
    ];
    writeFileSync(file, lines.join('\r\n'));
    const result = await runPlugin(['convert-kubeconfig', `--kubeconfig=${file}`]);
    expect(result.code, result.stderr).toBe(0);
    const converted = readFileSync(file, 'utf8');
    expect(converted).toContain('command: kubectl-together_login\r\n');
    expect(converted).not.toMatch(/(^|[^\r])\n/);
  });

  it('a callback port refused with EACCES is "not allowed", with the hint naming the next step', async () => {
    // An ordinary user may not bind port 80 on Linux. The run's temporary root is private to root, so that user's
    // plugin and cache directory live in a place it can reach, removed here.
    const nobody = secondUserDir('platform-text-nobody');
    try {
      const cacheDir = join(nobody.path, 'cache');
      mkdirSync(cacheDir, { mode: 0o700 });
      chownSync(cacheDir, 65534, 65534);
      const result = await runCommand('setpriv', [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        nobody.pluginBin,
        ...getTokenArgs(provider.issuer, {
          cacheDir,
          extra: ['--grant-type=authcode', '--listen-address=127.0.0.1:80'],
        }),
      ]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(
        /error: cannot start the callback server: 127\.0\.0\.1:80 is not allowed \(EACCES\)/,
      );
      expect(result.stderr).toContain('hint: close what uses those ports (`ss -ltnp` names it)');
    } finally {
      nobody.remove();
    }
  });
});
