/**
 * `npm run provider`: the playground left running for manual trials. What it prints must work as printed: the
 * issuer answers discovery, the plugin command it suggests logs in against it, and with the kubeconfig it exports
 * the real kubectl lists pods (none) and says who you are, after a device code approved with the command it names.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { browserDriverPath, repoRoot } from '../rig/build.js';
import { findKubectls } from '../rig/kubectl.js';
import { baseEnvironment, parseCredential, runCommand, startProcess, tempDir } from '../rig/plugin.js';

const running: { child: ChildProcess; exited: Promise<number | null> }[] = [];
afterEach(async () => {
  for (const { child, exited } of running.splice(0)) {
    child.kill('SIGINT');
    // Stopped: the script's own handler exits 0; tsx, which runs it, may report the interrupt as 130 instead.
    expect([0, 130]).toContain(await exited);
  }
});

/** Starts the script and resolves with everything it printed once the banner is complete (stdout, then stderr). */
async function startScript(args: string[]): Promise<string> {
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/tsx'),
    ['scripts/provider.mts', '--port=0', ...args],
    {
      cwd: repoRoot,
      env: baseEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  running.push({ child, exited });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Forget the trial tokens')) resolve();
    });
    exited.then(() => reject(new Error(`the provider script ended: ${out}${err}`)));
  });
  return `${out}${err}`;
}

describe('npm run provider', () => {
  it('prints the issuer, clients, users and a kubeconfig user that works, and stops on Ctrl-C', async () => {
    const out = await startScript(['--provider-only', `--dir=${tempDir('playground')}`]);
    const issuer = /issuer {6}(\S+)/.exec(out)?.[1] as string;
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out).toContain('kubectl-public');
    expect(out).toMatch(/alice \(alice@example\.com/);
    expect(out).toContain(`- --oidc-issuer-url=${issuer}`);
    expect(out).not.toContain('export KUBECONFIG');
    // oidc-provider's production warnings (one says to use Node 22, while the README says 20.19+) are silenced.
    expect(out).not.toMatch(/oidc-provider (WARNING|NOTICE)|Node.js v22/);
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
  });

  it.each(
    [...new Set([findKubectls()[0], findKubectls().at(-1)])]
      .filter((kubectl) => kubectl !== undefined)
      .map((kubectl) => [kubectl.version, kubectl.path] as const),
  )(
    'with a cluster: kubectl %s get pods answers an empty list after the printed device-code approval',
    async (_, kubectl) => {
      const out = await startScript([`--dir=${tempDir('playground')}`]);
      const kubeconfig = /^ {2}export KUBECONFIG=(\S+)$/m.exec(out)?.[1] as string;
      expect(kubeconfig).toBeDefined();
      const approve = /approve it as alice from another terminal:\n {2}(\S+) 'URL'/.exec(out)?.[1] as string;
      expect(approve).toBeDefined();
      const env = { KUBECONFIG: kubeconfig, HOME: tempDir('home') };

      // No display here: the plugin (run by kubectl) shows a device code; the user approves it from another terminal.
      const pods = startProcess(kubectl, ['get', 'pods'], env);
      const [url] = (await pods.waitForStderr(/http:\/\/\S+\/device\?user_code=\S+/)) as RegExpMatchArray;
      const approved = await runCommand(approve, [url as string]);
      expect(approved.code, approved.stderr).toBe(0);
      const listed = await pods.result;
      expect(listed.code, listed.stderr).toBe(0);
      expect(`${listed.stdout}${listed.stderr}`).toContain('No resources found in default namespace.');

      const whoami = await runCommand(kubectl, ['auth', 'whoami'], env);
      expect(whoami.code, whoami.stderr).toBe(0);
      expect(whoami.stdout).toMatch(/Username\s+alice@example\.com/);
    },
  );

  it("README's playground, as written: its commands in a second terminal list pods, say who you are and show the cached identity", async () => {
    // A stand-in for the checkout: the README's commands use $PWD/bin and $PWD/.test-out/playground.
    const checkout = tempDir('checkout');
    symlinkSync(join(repoRoot, 'bin'), join(checkout, 'bin'));
    const out = await startScript([`--dir=${join(checkout, '.test-out', 'playground')}`]);
    const approve = /approve it as alice from another terminal:\n {2}(\S+) 'URL'/.exec(out)?.[1] as string;
    const block = readmeBlocks('## Try it by hand')[1] as string;
    expect(block).toContain('kubectl get pods');

    const terminal = startProcess('sh', ['-ec', `cd '${checkout}'\n${block}`], { HOME: tempDir('home') });
    const [url] = (await terminal.waitForStderr(/http:\/\/\S+\/device\?user_code=\S+/)) as RegExpMatchArray;
    expect((await runCommand(approve, [url as string])).code).toBe(0);
    const result = await terminal.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('No resources found in default namespace.');
    expect(result.stdout).toMatch(/Username\s+alice@example\.com/);
    expect(result.stdout).toContain('alice@example.com  (disk)');
  });
});

/** The ```sh blocks of the README section whose heading starts with `heading`. */
function readmeBlocks(heading: string): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}`);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}
