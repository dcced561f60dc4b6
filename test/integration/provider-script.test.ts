/**
 * `npm run provider`: the rig's provider left running for manual trials. What it prints must work as printed: the
 * issuer answers discovery, and the plugin command it suggests logs in against it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserDriverPath, repoRoot } from '../rig/build.js';
import { baseEnvironment, parseCredential, runCommand, tempDir } from '../rig/plugin.js';

describe('npm run provider', () => {
  it('prints the issuer, clients, users and a kubeconfig user that works, and stops on Ctrl-C', async () => {
    const child = spawn(join(repoRoot, 'node_modules/.bin/tsx'), ['scripts/provider.mts', '--port=0'], {
      cwd: repoRoot,
      env: baseEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          out += chunk;
          if (out.includes('Forget the trial tokens')) resolve();
        });
        exited.then(() => reject(new Error(`the provider script ended: ${out}`)));
      });
      const issuer = /issuer {6}(\S+)/.exec(out)?.[1] as string;
      expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(out).toContain('kubectl-public');
      expect(out).toMatch(/alice \(alice@example\.com/);
      expect(out).toContain(`- --oidc-issuer-url=${issuer}`);
      const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe(issuer);

      // The command it suggests, with the rig's form-filling browser as the user.
      const suggested = /Try it without a cluster.*\n {2}(.*) >\/dev\/null/.exec(out)?.[1] ?? '';
      const [command, ...args] = suggested.split(' ');
      const cacheDir = join(tempDir('cache'), 'oidc-login');
      const result = await runCommand(command as string, [
        ...args.map((arg) => (arg.startsWith('--token-cache-dir=') ? `--token-cache-dir=${cacheDir}` : arg)),
        `--browser-command=${browserDriverPath}`,
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(parseCredential(result.stdout).token).toMatch(/^ey/);
    } finally {
      child.kill('SIGINT');
      // Stopped: the script's own handler exits 0; tsx, which runs it, may report the interrupt as 130 instead.
      expect([0, 130]).toContain(await exited);
    }
  });
});
