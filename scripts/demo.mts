/**
 * npm run demo: the whole get-token story against an embedded OpenID Provider on 127.0.0.1.
 *   1. first call: browser login (your browser when there is a display; otherwise the provider's forms are filled in
 *      automatically, and the demo says so), PKCE, code exchange, token validated and cached;
 *   2. second call: answered from the cache, no network;
 *   3. when kubectl is on this machine: `kubectl auth whoami` against a local API server that checks the token.
 * Tokens are never printed; the demo shows their claims. Every heading says who runs: `[plugin]` for the plugin run
 * directly, as kubectl would run it, `[kubectl]` for the real kubectl. It leaves nothing behind (its temporary
 * directory, with a valid token and a kubeconfig, is removed at the end), and writes escape codes only to a terminal.
 */
// First: silences oidc-provider's production warnings before its module loads.
import './quiet-provider.mjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startApiServer } from '../test/rig/api-server.js';
import { browserDriverPath, buildRigExecutables, pluginBin } from '../test/rig/build.js';
import { findKubectls, writeKubeconfig } from '../test/rig/kubectl.js';
import { publicClientId, startProvider } from '../test/rig/provider.js';

// Bold only on a terminal that accepts it: piped into a file or a CI log, the demo writes plain text.
const bold = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const say = (text: string) => process.stdout.write(bold ? `\n\x1b[1m▶ ${text}\x1b[0m\n` : `\n▶ ${text}\n`);

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    // Let the user see the plugin's messages (the URL to open) as they happen.
    child.stderr?.pipe(process.stderr);
  });
}

function hasDisplay(): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

await buildRigExecutables();
const provider = await startProvider({ idTokenTtlSec: 600 });
const workDir = mkdtempSync(join(tmpdir(), 'together-login-demo-'));
const cacheDir = join(workDir, 'oidc-login');
// Ctrl-C skips `finally`: remove the tokens then too.
process.once('SIGINT', () => {
  rmSync(workDir, { recursive: true, force: true });
  process.exit(130);
});
const useRealBrowser = hasDisplay() && process.env.DEMO_HEADLESS !== '1';
const pluginArgs = [
  `--oidc-issuer-url=${provider.issuer}`,
  `--oidc-client-id=${publicClientId}`,
  '--oidc-extra-scope=email,groups',
  `--token-cache-dir=${cacheDir}`,
  ...(useRealBrowser ? [] : [`--browser-command=${browserDriverPath}`]),
];

try {
  say(`An OpenID Provider is running at ${provider.issuer} (demo user: alice, any password)`);
  if (!useRealBrowser) {
    console.log(
      "  No display found: the demo completes the login itself by filling in the provider's login and consent forms.",
    );
  }

  say('[plugin] kubectl-together_login get-token …   (first call: log in; run directly, as kubectl runs it)');
  const first = await run(pluginBin, ['get-token', ...pluginArgs]);
  if (first.code !== 0) throw new Error(`get-token failed with exit code ${first.code}`);
  const credential = JSON.parse(first.stdout) as {
    apiVersion: string;
    status: { token: string; expirationTimestamp: string };
  };
  const claims = decodeJwt(credential.status.token);
  console.log(
    `  kubectl received a ${credential.apiVersion} ExecCredential, valid until ${credential.status.expirationTimestamp}`,
  );
  console.log(
    `  ID token claims: sub=${claims.sub} email=${claims.email} groups=${JSON.stringify(claims.groups)} aud=${claims.aud}`,
  );
  console.log(`  cached in ${cacheDir} (0700 directory, 0600 file; removed when the demo ends)`);

  say('[plugin] kubectl-together_login get-token …   (second call: cache hit)');
  provider.resetCounts();
  const started = process.hrtime.bigint();
  const second = await run(pluginBin, ['get-token', ...pluginArgs]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const same = second.code === 0 && JSON.parse(second.stdout).status.token === credential.status.token;
  console.log(
    `  same token: ${same}; requests to the provider: ${provider.totalRequests()}; took ${ms.toFixed(0)} ms`,
  );
  if (process.env.NODE_EXTRA_CA_CERTS) {
    console.log(
      '  (NODE_EXTRA_CA_CERTS is set here: Node parses that file at every start, which costs more than the',
    );
    console.log('   plugin itself; npm run bench measures without it. See docs/performance.md.)');
  }

  const [kubectl] = findKubectls().reverse();
  if (!kubectl) {
    say('kubectl is not on this machine: skipping the kubectl step');
  } else {
    say(
      `[kubectl] kubectl auth whoami   (kubectl ${kubectl.version} runs the plugin from a kubeconfig; a local API server verifies the token)`,
    );
    const api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
    const kubeconfig = join(cacheDir, '..', 'kubeconfig');
    writeKubeconfig({
      path: kubeconfig,
      serverUrl: api.url,
      caPem: api.caPem,
      pluginCommand: pluginBin,
      pluginArgs,
    });
    const whoami = await run(kubectl.path, [`--kubeconfig=${kubeconfig}`, 'auth', 'whoami']);
    process.stdout.write(whoami.stdout.replace(/^/gm, '  '));
    await api.close();
    if (whoami.code !== 0) throw new Error(`kubectl failed with exit code ${whoami.code}`);
  }
  say(
    'Done. Try it by hand with kubectl: npm run provider (README.md, "Try it by hand"); on your cluster: README.md',
  );
} finally {
  await provider.close();
  rmSync(workDir, { recursive: true, force: true });
}
