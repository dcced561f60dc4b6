/**
 * `setup` against the real provider: the checklist, what it prints for the admin and the user, and the mistakes it
 * catches. The loop with a cluster and the real kubectl is in setup-cluster.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { browserDriverPath } from '../rig/build.js';
import { runPlugin, runSetup } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  publicClientId,
  startProvider,
} from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('setup', () => {
  const provider = useRigProvider();
  const withPath = useRigProvider({ issuerPath: '/realms/k8s' });

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
    // The refresh was tried for real, once.
    expect(result.stderr).toContain('✓ refresh token: refreshed once: a new ID token came back');
    // The rig's issuer is plain http, which kube-apiserver refuses: said in the checklist and above the flags.
    expect(result.stderr).toContain('! issuer scheme: kube-apiserver accepts only https issuers');
    expect(result.stdout).toContain(
      '# WARNING: kube-apiserver accepts only https issuers: the flags and AuthenticationConfiguration below will be refused\n# For the cluster admin: kube-apiserver flags',
    );
  });

  it('refreshes once for real and says what came back: no id_token (a warning, fine with access tokens), or a refusal', async () => {
    try {
      provider.setFault('refresh-without-id-token');
      const idTokenMode = await setup(provider.issuer);
      expect(idTokenMode.code, idTokenMode.stderr).toBe(0);
      expect(idTokenMode.stderr).toContain(
        '! refresh token: refreshed once, but the answer has no id_token: in the default ID-token mode every expiry means a new login',
      );
      expect(idTokenMode.stderr).toContain(
        'fix: raise the ID token lifetime at the provider, or use --oidc-use-access-token',
      );
      const accessTokenMode = await setup(provider.issuer, ['--oidc-use-access-token']);
      expect(accessTokenMode.stderr).toContain(
        '✓ refresh token: refreshed once: a new access token came back',
      );
      provider.setFault('refresh-refused');
      const refused = await setup(provider.issuer);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(
        /✗ refresh token: issued, but refused when used: .*refresh tokens are not allowed for this client/,
      );
    } finally {
      provider.setFault(undefined);
    }
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
    // The checklist has said it: no `error:` line repeats it (the exit code is an AppError's like any other).
    expect(result.stderr).not.toMatch(/^error:/m);
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
    expect(result.stderr).not.toMatch(/^error:/m);
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

  it('reports the quirks of real providers: PKCE not advertised, no refresh token without offline_access, groups with slashes', async () => {
    const quirky = await startProvider({
      noPkceAdvertised: true,
      refreshOnlyWithOfflineAccess: true,
      users: [{ id: 'alice', email: 'alice@example.com', groups: ['/admins', '/dev/team-a'] }],
    });
    try {
      const result = await setup(quirky.issuer, ['--oidc-pkce-method=S256']);
      expect(result.code, result.stderr).toBe(0);
      // The line says what the login sent, not what discovery advertised: S256, as the flag asked.
      expect(result.stderr).toContain(
        '✓ PKCE: S256 (--oidc-pkce-method=S256), sent though code_challenge_methods_supported does not list it',
      );
      expect(result.stderr).not.toContain('PKCE stays off');
      expect(result.stderr).toContain('! refresh token: none issued');
      expect(result.stderr).toContain('fix: add --oidc-extra-scope=offline_access');
      expect(result.stdout).toContain('groups /admins, /dev/team-a, system:authenticated');
      expect(result.stdout).toContain('--group=/admins');
    } finally {
      await quirky.close();
    }
  });
});
