/**
 * kubectl runs the plugin again after every failure. These tests play the user nobody is watching: `interactiveMode:
 * Never`, no display, a login nobody completes, through the real kubectl (the newest on this machine). They count
 * what matters to that user: plugin runs, browser launches and device codes at the provider, and kubectl's wall
 * time against the authentication timeout (a bound, not a speed measurement).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../rig/api-server.js';
import { browserDriverPath, pluginBin } from '../rig/build.js';
import { readDriverLog } from '../rig/driver-log.js';
import { findKubectls, type KubectlBinary, writeKubeconfig } from '../rig/kubectl.js';
import { getTokenFlags, runCommand, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { requirement } from '../rig/requirement.js';
import { useRigProvider } from '../rig/use-provider.js';

const newest = findKubectls().at(-1);
requirement(newest !== undefined, {
  underCi: 'kubectl is required for the e2e tests under CI=true, and none was found',
  skipping: 'the login-attempt e2e tests: no kubectl found on this machine',
});

/** Seconds a login may wait in these tests; kubectl must end within this plus a few seconds. */
const timeoutSec = 6;
/** Start-up of kubectl and of the plugin runs that fail fast, on a loaded two-core machine. */
const slackMs = 12_000;

const temp = tempDir;

/**
 * A work directory with: a wrapper that counts plugin runs before running the plugin, a "browser" that counts its
 * launches and opens nothing (nobody logs in), and the files they count in.
 */
function counters() {
  const dir = temp('attempts');
  const runs = join(dir, 'runs');
  const launches = join(dir, 'launches');
  const plugin = join(dir, 'plugin');
  const idleBrowser = join(dir, 'idle-browser');
  writeFileSync(plugin, `#!/bin/sh\necho run >> '${runs}'\nexec '${pluginBin}' "$@"\n`, { mode: 0o755 });
  writeFileSync(idleBrowser, `#!/bin/sh\necho "$(date +%s%N)" >> '${launches}'\n`, { mode: 0o755 });
  const count = (file: string) => {
    try {
      return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  return {
    dir,
    plugin,
    idleBrowser,
    launchesFile: launches,
    runs: () => count(runs),
    launches: () => count(launches),
  };
}

describe.skipIf(!newest)('kubectl retries against a login nobody completes', { timeout: 240_000 }, () => {
  const binary = newest as KubectlBinary;
  const provider = useRigProvider({ deviceCodeTtlSec: 15 });
  let api: ApiServer;

  beforeAll(async () => {
    api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
  });
  afterAll(async () => {
    await api.close();
  });

  function kubeconfig(pluginCommand: string, args: string[], env: Record<string, string> = {}): string {
    const path = join(temp('kubeconfig'), 'config');
    writeKubeconfig({
      path,
      serverUrl: api.url,
      caPem: api.caPem,
      pluginCommand,
      pluginArgs: getTokenFlags(provider.issuer, { extra: args }),
      interactiveMode: 'Never',
      env,
    });
    return path;
  }

  /** kubectl as a user runs it, without a display and without CI set; its wall time in ms. */
  async function timedKubectl(config: string, args: string[]) {
    const started = Date.now();
    const result = await runCommand(binary.path, [`--kubeconfig=${config}`, ...args], {
      HOME: temp('home'),
    });
    const ms = Date.now() - started;
    console.log(`kubectl ${args.join(' ')}: ${(ms / 1000).toFixed(1)} s`);
    return { ...result, ms };
  }

  it('forced browser flow: one browser launch, kubectl ends within the timeout (kubectl get nodes)', async () => {
    const c = counters();
    const cacheDir = join(c.dir, 'cache');
    const config = kubeconfig(c.plugin, [
      '--grant-type=authcode',
      `--browser-command=${c.idleBrowser}`,
      `--authentication-timeout-sec=${timeoutSec}`,
      `--token-cache-dir=${cacheDir}`,
    ]);
    provider.resetCounts();
    const result = await timedKubectl(config, ['get', 'nodes']);
    console.log(`  plugin runs ${c.runs()}, browser launches ${c.launches()}`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`no login completed within ${timeoutSec} s`);
    expect(c.runs()).toBeGreaterThan(1); // kubectl did retry
    expect(c.launches()).toBe(1);
    expect(result.ms).toBeLessThan(timeoutSec * 1000 + slackMs);
  });

  it('device code (15 s lifetime): one code at the provider for all of kubectl’s runs (kubectl get nodes)', async () => {
    const c = counters();
    const config = kubeconfig(c.plugin, [
      '--grant-type=device-code',
      `--token-cache-dir=${join(c.dir, 'cache')}`,
    ]);
    provider.resetCounts();
    const result = await timedKubectl(config, ['get', 'nodes']);
    const codes = provider.requests.get('/device/auth') ?? 0;
    console.log(`  plugin runs ${c.runs()}, device codes ${codes}`);
    expect(result.code).not.toBe(0);
    expect(c.runs()).toBeGreaterThan(1);
    expect(codes).toBe(1);
    expect(result.ms).toBeLessThan(15_000 + slackMs);
  });

  it('auto flow without a display, the bound of the issue: kubectl get --raw /version', async () => {
    const c = counters();
    const config = kubeconfig(c.plugin, [
      `--authentication-timeout-sec=${timeoutSec}`,
      `--token-cache-dir=${join(c.dir, 'cache')}`,
    ]);
    provider.resetCounts();
    const result = await timedKubectl(config, ['get', '--raw', '/version']);
    const codes = provider.requests.get('/device/auth') ?? 0;
    console.log(`  plugin runs ${c.runs()}, device codes ${codes}`);
    expect(result.code).not.toBe(0);
    expect(codes).toBeLessThanOrEqual(1);
    expect(result.ms).toBeLessThan(timeoutSec * 1000 + slackMs);
  });

  it('three kubectl processes at once, three cache keys, one provider: one browser tab', async () => {
    const c = counters();
    const cacheDir = join(c.dir, 'cache');
    const configs = ['a', 'b', 'c'].map((hint) =>
      kubeconfig(c.plugin, [
        '--grant-type=authcode',
        `--browser-command=${c.idleBrowser}`,
        `--authentication-timeout-sec=${timeoutSec}`,
        `--token-cache-dir=${cacheDir}`,
        `--token-cache-hint=${hint}`,
      ]),
    );
    const started = Date.now();
    const results = await Promise.all(configs.map((config) => timedKubectl(config, ['get', 'nodes'])));
    const ms = Date.now() - started;
    console.log(
      `  three at once: ${(ms / 1000).toFixed(1)} s, plugin runs ${c.runs()}, tabs ${c.launches()}`,
    );
    for (const result of results) expect(result.code).not.toBe(0);
    expect(c.launches()).toBe(1);
    expect(ms).toBeLessThan(timeoutSec * 1000 + slackMs);
  });

  it('three kubectl processes at once, three cache keys, logins completed: one tab at a time, all logged in', async () => {
    const c = counters();
    const cacheDir = join(c.dir, 'cache');
    const driverLog = join(c.dir, 'driver-log');
    // The rig's form-filling browser; the wrapper notes when each "tab" opens.
    const browser = join(c.dir, 'browser');
    writeFileSync(
      browser,
      `#!/bin/sh\nnode -e 'console.log(new Date().toISOString())' >> '${c.launchesFile}'\nexec '${browserDriverPath}' "$@"\n`,
      { mode: 0o755 },
    );
    const configs = ['a', 'b', 'c'].map((hint) =>
      kubeconfig(
        c.plugin,
        [
          '--grant-type=authcode',
          `--browser-command=${browser}`,
          '--oidc-extra-scope=email',
          `--token-cache-dir=${cacheDir}`,
          `--token-cache-hint=${hint}`,
        ],
        { RIG_DRIVER_LOG: driverLog },
      ),
    );
    provider.resetCounts();
    const results = await Promise.all(
      configs.map((config) => timedKubectl(config, ['get', '--raw', '/version'])),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(provider.grants.get('authorization_code')).toBe(3);
    // A process that found the tab taken said so.
    expect(results.some((r) => r.stderr.includes('not opening a second tab'))).toBe(true);
    const opens = readFileSync(c.launchesFile, 'utf8').split('\n').filter(Boolean).sort();
    // When each driver sent its browser back to the callback server (path /, not the start URL's /login/…): that
    // login's end is after this.
    const callbacks = [...(await readDriverLog(driverLog)).matchAll(/^(\S+) GET http:\/\/localhost:\d+\/$/gm)]
      .map((match) => match[1] as string)
      .sort();
    expect(opens).toHaveLength(3);
    expect(callbacks).toHaveLength(3);
    // Each tab opens only after the previous tab's login reached the callback (ISO times sort as text).
    expect(opens[1] && callbacks[0] && opens[1] > callbacks[0]).toBe(true);
    expect(opens[2] && callbacks[1] && opens[2] > callbacks[1]).toBe(true);
  });
});
