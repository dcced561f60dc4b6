/**
 * `setup` against the real provider: the checklist, what it prints for the admin and the user, the mistakes it
 * catches, and the loop closed with the real kubectl: the kubeconfig entry setup printed logs in, and the API server
 * sees the identity setup predicted.
 */

import { execFile } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../rig/api-server.js';
import { browserDriverPath, pluginBin } from '../rig/build.js';
import { findKubectls } from '../rig/kubectl.js';
import { runPlugin, runSetup, tempDir } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  publicClientId,
  type RigProvider,
  startProvider,
} from '../rig/provider.js';

describe('setup', () => {
  let provider: RigProvider;
  let withPath: RigProvider;
  beforeAll(async () => {
    provider = await startProvider();
    withPath = await startProvider({ issuerPath: '/realms/k8s' });
  });
  afterAll(async () => {
    await provider.close();
    await withPath.close();
  });

  const setup = runSetup;

  it('passes every check and prints the admin configuration and the kubeconfig user, never a token', async () => {
    const result = await setup(provider.issuer, ['--groups-prefix=oidc:']);
    expect(result.code, result.stderr).toBe(0);
    for (const step of [
      'discovery',
      'endpoints',
      'PKCE',
      'grant types',
      'login (authcode)',
      'ID token',
      'clock',
      'lifetime',
      'refresh token',
      'username claim',
      'groups claim',
    ]) {
      expect(result.stderr).toContain(`✓ ${step}: `);
    }
    expect(result.stdout).toContain(
      '# kube-apiserver will see: user alice@example.com, groups oidc:developers, oidc:oncall, system:authenticated',
    );
    expect(result.stdout).toContain(
      `--oidc-issuer-url=${provider.issuer}\n--oidc-client-id=${publicClientId}\n--oidc-username-claim=email\n`,
    );
    expect(result.stdout).toContain('kind: AuthenticationConfiguration');
    expect(result.stdout).toContain(
      'kubectl create clusterrolebinding oidc-user-view --clusterrole=view --user=alice@example.com',
    );
    expect(result.stdout).toContain(
      '      command: kubectl-together_login\n      args:\n      - get-token\n',
    );
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('accepts an issuer with a path', async () => {
    const result = await setup(withPath.issuer, ['--output=json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).checks[0]).toMatchObject({ step: 'discovery', status: 'passed' });
  });

  it('catches a trailing slash the provider does not use, and names the exact issuer', async () => {
    const result = await setup(`${provider.issuer}/`);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `✗ discovery: the provider's discovery document names the issuer "${provider.issuer}", not "${provider.issuer}/"`,
    );
    expect(result.stderr).toContain(`fix: use --oidc-issuer-url=${provider.issuer} exactly`);
  });

  it('catches the trailing slash an Auth0-style issuer needs, and passes with it', async () => {
    const auth0Style = await startProvider({ issuerTrailingSlash: true });
    try {
      const withoutSlash = auth0Style.issuer.replace(/\/$/, '');
      const missing = await setup(withoutSlash);
      expect(missing.code).toBe(3);
      expect(missing.stderr).toContain(
        `✗ discovery: the provider's discovery document names the issuer "${auth0Style.issuer}", not "${withoutSlash}"`,
      );
      expect(missing.stderr).toContain(`fix: use --oidc-issuer-url=${auth0Style.issuer} exactly`);
      const exact = await setup(auth0Style.issuer, ['-o', 'json']);
      expect(exact.code, exact.stderr).toBe(0);
      const report = JSON.parse(exact.stdout);
      expect(report.admin.authenticationConfiguration).toContain(`url: "${auth0Style.issuer}"`);
      expect(report.admin.apiserverFlags).toContain(`--oidc-issuer-url=${auth0Style.issuer}\n`);
    } finally {
      await auth0Style.close();
    }
  });

  it('predicts issuer#value for a non-email username claim, as JSON for scripts', async () => {
    const result = await setup(provider.issuer, [
      '--username-claim=sub',
      '-o',
      'json',
      '--authentication-config-version=v1beta1',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.identity.username).toBe(`${provider.issuer}#alice`);
    expect(report.admin.authenticationConfiguration).toContain('apiVersion: apiserver.config.k8s.io/v1beta1');
    expect(report.admin.authenticationConfiguration).toContain(`prefix: "${provider.issuer}#"`);
    expect(report.checks.every((check: { status: string }) => check.status !== 'failed')).toBe(true);
  });

  it('fails the username check for a claim the token lacks, and says which claims it has', async () => {
    const result = await setup(provider.issuer, ['--username-claim=upn']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('✗ username claim: the ID token has no "upn" claim');
    expect(result.stderr).toMatch(/fix: choose a --username-claim the token has: .*email/);
  });

  it('keeps the client secret out of the printed kubeconfig', async () => {
    const result = await runPlugin([
      'setup',
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${confidentialClientId}`,
      `--oidc-client-secret=${confidentialClientSecret}`,
      '--oidc-extra-scope=email',
      `--browser-command=${browserDriverPath}`,
      '-v=2',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(confidentialClientSecret);
    expect(result.stderr).not.toContain(confidentialClientSecret);
    expect(result.stdout).toContain('export OIDC_CLIENT_SECRET=');
    expect(result.stdout).not.toContain('-v=2');
  });

  it('closes the loop: the printed kubeconfig entry logs in through kubectl as the predicted identity', async () => {
    const [kubectl] = findKubectls().reverse();
    if (!kubectl) throw new Error('kubectl is required');
    const report = JSON.parse((await setup(provider.issuer, ['-o', 'json'])).stdout);
    const api = await startApiServer({
      issuer: provider.issuer,
      audience: publicClientId,
      usernameClaim: 'email',
    });
    try {
      // kubectl finds the plugin by the command name setup printed.
      const bin = tempDir('bin');
      symlinkSync(pluginBin, join(bin, 'kubectl-together_login'));
      const kubeconfig = join(tempDir('kubeconfig'), 'config');
      writeFileSync(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            {
              name: 'c',
              cluster: {
                server: api.url,
                'certificate-authority-data': Buffer.from(api.caPem).toString('base64'),
              },
            },
          ],
          users: [{ name: 'oidc', user: { exec: report.user.exec } }],
          contexts: [{ name: 'c', context: { cluster: 'c', user: 'oidc' } }],
          'current-context': 'c',
        }),
      );
      const whoami = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          kubectl.path,
          [`--kubeconfig=${kubeconfig}`, 'auth', 'whoami', '-o', 'json'],
          { env: { PATH: `${bin}:${process.env.PATH}`, HOME: tempDir('home') } },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
        ),
      );
      expect(whoami.code, whoami.stderr).toBe(0);
      const userInfo = JSON.parse(whoami.stdout).status.userInfo;
      expect(userInfo.username).toBe(report.identity.username);
      expect(userInfo.groups).toEqual(report.identity.groups);
    } finally {
      await api.close();
    }
  });

  it('reports the quirks of real providers: PKCE not advertised, no refresh token without offline_access, groups with slashes', async () => {
    const quirky = await startProvider({
      noPkceAdvertised: true,
      refreshOnlyWithOfflineAccess: true,
      users: [{ id: 'alice', email: 'alice@example.com', groups: ['/admins', '/dev/team-a'] }],
    });
    try {
      const result = await setup(quirky.issuer, ['--oidc-pkce-method=S256']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('! PKCE: code_challenge_methods_supported does not list S256');
      expect(result.stderr).toContain(
        'fix: if the provider supports PKCE anyway (most do), add --oidc-pkce-method=S256',
      );
      expect(result.stderr).toContain('! refresh token: none issued');
      expect(result.stderr).toContain('fix: add --oidc-extra-scope=offline_access');
      expect(result.stdout).toContain('groups /admins, /dev/team-a, system:authenticated');
      expect(result.stdout).toContain('--group=/admins');
    } finally {
      await quirky.close();
    }
  });
});
