/**
 * RFC 8693 token exchange (a token per cluster's audience, useless at another cluster): the built plugin against the
 * rig provider, whose token-exchange grant issues a JWT for the requested audience signed with its own key
 * (test/rig/provider.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { readDriverLog } from '../rig/driver-log.js';
import { waitUntilExpired } from '../rig/expiry.js';
import { expectOneError } from '../rig/one-error.js';
import {
  execInfoWithCluster,
  loginArgs,
  parseCredential,
  passwordLoginArgs,
  runPlugin,
  runSetup,
  tempDir,
} from '../rig/plugin.js';
import {
  authcodeOnlyClientId,
  confidentialClientId,
  confidentialClientSecret,
  publicClientId,
  rigPassword,
  tokenExchangeGrant,
} from '../rig/provider.js';
import { expectNoSecretLeaked } from '../rig/secrets.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('get-token --token-exchange-audience', () => {
  const provider = useRigProvider();
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    provider.resetCounts();
  });
  const args = (extra: readonly string[] = []) =>
    passwordLoginArgs(provider.issuer, [`--token-cache-dir=${cacheDir}`, ...extra]);

  it("hands kubectl the exchanged token, whose aud is the audience alone; the login's token stays cached", async () => {
    const result = await runPlugin(args(['--token-exchange-audience=cluster-a']));
    expect(result.code, result.stderr).toBe(0);
    const { token, expirationTimestamp } = parseCredential(result.stdout);
    const claims = decodeJwt(token);
    expect(claims.aud).toBe('cluster-a');
    expect(claims.iss).toBe(provider.issuer);
    expect(claims.sub).toBe('alice');
    expect(Date.parse(expirationTimestamp)).toBeLessThan((claims.exp as number) * 1000);
    expect(provider.grants.get('password')).toBe(1);
    expect(provider.grants.get(tokenExchangeGrant)).toBe(1);

    // The next call exchanges from the cached login: no second login, and one request: the discovery document and
    // the keys that checked the login's ID token are cached, and check the exchanged token too.
    const before = provider.totalRequests();
    const again = await runPlugin(args(['--token-exchange-audience=cluster-b']));
    expect(again.code, again.stderr).toBe(0);
    expect(decodeJwt(parseCredential(again.stdout).token).aud).toBe('cluster-b');
    expect(provider.totalRequests() - before).toBe(1);
    expect(provider.grants.get('password')).toBe(1);
    expect(provider.grants.get(tokenExchangeGrant)).toBe(2);

    // Without the flag, the login's own token, for the client.
    const plain = await runPlugin(args());
    expect(decodeJwt(parseCredential(plain.stdout).token).aud).toBe(publicClientId);
    expect(provider.grants.get('password')).toBe(1);
  });

  it("a confidential client's exchange carries its authentication", async () => {
    const result = await runPlugin(
      loginArgs(provider.issuer, confidentialClientId, cacheDir, ['--token-exchange-audience=cluster-a']),
      { OIDC_CLIENT_SECRET: confidentialClientSecret },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(decodeJwt(parseCredential(result.stdout).token).aud).toBe('cluster-a');
    expect(provider.tokenRequests.filter((request) => request.grantType === tokenExchangeGrant)).toEqual([
      { grantType: tokenExchangeGrant, clientAuthentication: 'basic', code: undefined, status: 200 },
    ]);
  });

  it('asks for the token type chosen, and exchanges the access token with --oidc-use-access-token', async () => {
    const jwt = await runPlugin(
      args(['--token-exchange-audience=cluster-a', '--token-exchange-requested-token-type=jwt']),
    );
    expect(jwt.code, jwt.stderr).toBe(0);
    expect(decodeJwt(parseCredential(jwt.stdout).token).aud).toBe('cluster-a');
    const fromAccess = await runPlugin(
      args(['--token-exchange-audience=cluster-a', '--oidc-use-access-token', '-v=1']),
    );
    expect(fromAccess.code, fromAccess.stderr).toBe(0);
    expect(decodeJwt(parseCredential(fromAccess.stdout).token).aud).toBe('cluster-a');
    expect(provider.grants.get(tokenExchangeGrant)).toBe(2);

    const wrong = await runPlugin(
      args(['--token-exchange-audience=cluster-a', '--token-exchange-requested-token-type=saml']),
    );
    expect(wrong.code).toBe(2);
    expectOneError(
      wrong.stderr,
      /--token-exchange-requested-token-type must be one of id-token\|access-token\|jwt/,
    );
  });

  it("each cluster of a provideClusterInfo user names its own audience (token-exchange-audience); the args' wins", async () => {
    const a = await runPlugin(args(), {
      KUBERNETES_EXEC_INFO: execInfoWithCluster({ 'token-exchange-audience': 'cluster-a' }),
    });
    expect(a.code, a.stderr).toBe(0);
    expect(decodeJwt(parseCredential(a.stdout).token).aud).toBe('cluster-a');
    const b = await runPlugin(args(), {
      KUBERNETES_EXEC_INFO: execInfoWithCluster({ 'token-exchange-audience': 'cluster-b' }),
    });
    expect(decodeJwt(parseCredential(b.stdout).token).aud).toBe('cluster-b');
    expect(provider.grants.get('password')).toBe(1);
    const pinned = await runPlugin(args(['--token-exchange-audience=mine']), {
      KUBERNETES_EXEC_INFO: execInfoWithCluster({ 'token-exchange-audience': 'cluster-b' }),
    });
    expect(decodeJwt(parseCredential(pinned.stdout).token).aud).toBe('mine');
  });

  it('a cluster audience that cannot be one (control characters, 100 KB) is exit 2 before any request', async () => {
    for (const audience of ['a\u001b[2Jb\nerror: forged', 'x'.repeat(100_000)]) {
      const result = await runPlugin(args(), {
        KUBERNETES_EXEC_INFO: execInfoWithCluster({ 'token-exchange-audience': audience }),
      });
      expect(result.code, result.stderr).toBe(2);
      expectOneError(result.stderr, /^error: --token-exchange-audience must be an audience .{0,300}$/);
      expect(result.stderr).not.toContain('\u001b');
      expect(result.stdout).toBe('');
    }
    expect(provider.totalRequests()).toBe(0);
  });
});

describe("an exchanged token is checked as kube-apiserver checks it, and never replaced by the login's", () => {
  const provider = useRigProvider();
  let cacheDir: string;
  const exchangeFromCachedLogin = () =>
    runPlugin(
      passwordLoginArgs(provider.issuer, [
        `--token-cache-dir=${cacheDir}`,
        '--token-exchange-audience=cluster-a',
      ]),
    );
  beforeEach(async () => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    // The login, cached without a fault: the exchange alone meets it.
    const login = await runPlugin(passwordLoginArgs(provider.issuer, [`--token-cache-dir=${cacheDir}`]));
    expect(login.code, login.stderr).toBe(0);
  });

  it.each([
    ['id-token-bad-signature', /signature verification failed/],
    ['id-token-wrong-iss', /unexpected "iss" claim value/],
    ['id-token-expired', /it is already expired/],
    ['exchanged-token-opaque', /it is not a JWT/],
  ] as const)('%s: exit 3, one line, no token on stdout', async (fault, reason) => {
    provider.setFault(fault);
    const result = await exchangeFromCachedLogin();
    expect(result.code, result.stderr).toBe(3);
    expectOneError(
      result.stderr,
      new RegExp(`^error: the identity provider's exchanged token is not acceptable: .*${reason.source}`),
    );
    expect(result.stdout).toBe('');
  });

  it("an exchange error that echoes the request shows neither the login's token nor a control sequence", async () => {
    const cached = readdirSync(cacheDir).filter((name) =>
      /^together-login-v1-[0-9a-f]{64}\.json$/.test(name),
    );
    const login = JSON.parse(readFileSync(join(cacheDir, cached[0] as string), 'utf8'));
    provider.setFault('token-error-echo');
    const result = await exchangeFromCachedLogin();
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/cannot parse .*\[redacted\]/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is that none is left
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expectNoSecretLeaked({
      stderr: result.stderr,
      stdout: result.stdout,
      dirs: [cacheDir],
      secrets: [login.idToken, login.accessToken, rigPassword],
    });
  });

  it('a token valid for centuries is believed for a year at most', async () => {
    provider.setFault('id-token-exp-far');
    const result = await exchangeFromCachedLogin();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('the identity provider says the exchanged token is valid for');
    expect(Date.parse(parseCredential(result.stdout).expirationTimestamp)).toBeLessThan(
      Date.now() + 367 * 86_400_000,
    );
  });
});

describe('the exchanged token is cached per audience beside the login', () => {
  // Exchanged tokens live 4 s (the expiry margin is then half of that), logins 10 s, with refresh tokens.
  const provider = useRigProvider({ tokenExchangeTtlSec: 4, idTokenTtlSec: 10 });
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    provider.resetCounts();
  });
  const entries = () =>
    readdirSync(cacheDir).filter((name) => /^together-login-v1-[0-9a-f]{64}\.json$/.test(name));

  it('a second call for the audience is a hit without any request; each audience has its own entry', async () => {
    const args = (audience: string) =>
      passwordLoginArgs(provider.issuer, [
        `--token-cache-dir=${cacheDir}`,
        `--token-exchange-audience=${audience}`,
      ]);
    const first = await runPlugin(args('cluster-a'));
    expect(first.code, first.stderr).toBe(0);
    expect(entries()).toHaveLength(2);
    provider.resetCounts();
    const hit = await runPlugin(args('cluster-a'));
    expect(hit.code, hit.stderr).toBe(0);
    expect(parseCredential(hit.stdout)).toEqual(parseCredential(first.stdout));
    expect(provider.totalRequests()).toBe(0);

    const b = await runPlugin(args('cluster-b'));
    expect(decodeJwt(parseCredential(b.stdout).token).aud).toBe('cluster-b');
    expect(provider.grants.get('password')).toBe(undefined);
    expect(entries()).toHaveLength(3);
  });

  it('an expired exchanged token is exchanged again from the login, and an expired login refreshed first: never a browser', async () => {
    const driverLog = join(tempDir('driver'), 'log');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      '--token-exchange-audience=cluster-a',
    ]);
    const env = { RIG_DRIVER_LOG: driverLog };
    const first = await runPlugin(args, env);
    expect(first.code, first.stderr).toBe(0);
    expect(provider.grants.get('authorization_code')).toBe(1);

    await waitUntilExpired(parseCredential(first.stdout).token);
    const second = await runPlugin(args, env);
    expect(second.code, second.stderr).toBe(0);
    expect(parseCredential(second.stdout).token).not.toBe(parseCredential(first.stdout).token);
    expect(provider.grants.get(tokenExchangeGrant)).toBe(2);
    expect(provider.grants.get('refresh_token')).toBe(undefined);

    // The login's ID token expires too: refreshed, then exchanged; the browser never opens again.
    const cached = entries().map((name) => JSON.parse(readFileSync(join(cacheDir, name), 'utf8')));
    const login = cached.find((entry) => entry.audience === undefined);
    const loginToken = login.idToken as string;
    await waitUntilExpired(loginToken);
    const third = await runPlugin(args, env);
    expect(third.code, third.stderr).toBe(0);
    expect(decodeJwt(parseCredential(third.stdout).token).aud).toBe('cluster-a');
    expect(provider.grants.get('refresh_token')).toBe(1);
    expect(provider.grants.get(tokenExchangeGrant)).toBe(3);
    expect(provider.grants.get('authorization_code')).toBe(1);
    expect((await readDriverLog(driverLog)).match(/ start$/gm)).toHaveLength(1);
  });
});

describe('status and clean', () => {
  const provider = useRigProvider();

  it('status shows the audiences under their login; clean removes them with it', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    for (const audience of ['cluster-a', 'cluster-b']) {
      const result = await runPlugin(
        passwordLoginArgs(provider.issuer, [
          `--token-cache-dir=${cacheDir}`,
          `--token-exchange-audience=${audience}`,
        ]),
      );
      expect(result.code, result.stderr).toBe(0);
    }
    const cacheArgs = [`--token-cache-dir=${cacheDir}`, '--token-cache-storage=disk'];
    const status = await runPlugin(['status', ...cacheArgs]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.match(/^\S.*\(disk\)$/gm)).toEqual(['alice@example.com  (disk)']);
    expect(status.stdout).toMatch(
      /^ {2}refresh: {2}no\n {2}audience: cluster-a \(exchanged token, in \d+ min\)\n {2}audience: cluster-b \(exchanged token, in \d+ min\)$/m,
    );
    const json = JSON.parse((await runPlugin(['status', ...cacheArgs, '-o', 'json'])).stdout);
    expect(json.identities).toHaveLength(1);
    expect(json.identities[0].audiences.map((a: { audience: string }) => a.audience).sort()).toEqual([
      'cluster-a',
      'cluster-b',
    ]);

    const clean = await runPlugin(['clean', ...cacheArgs, `--oidc-issuer-url=${provider.issuer}`]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('(token exchanged for audience cluster-a)');
    expect(clean.stdout).toContain('Removed 1 cached identity and 2 exchanged tokens.');
    expect(
      readdirSync(cacheDir).filter((name) => name.endsWith('.json') && !name.includes('provider-')),
    ).toEqual([]);
  });
});

describe('providers that refuse: one line with the fix, exit 3, never the un-narrowed token', () => {
  const noExchange = useRigProvider({ unsupportedGrants: [tokenExchangeGrant] });
  const refusing = useRigProvider({ tokenExchangeRefusedAudiences: ['cluster-forbidden'] });
  const ignoring = useRigProvider({ tokenExchangeIgnoresAudience: true });

  const run = (issuer: string, audience: string) =>
    runPlugin(
      passwordLoginArgs(issuer, [
        `--token-cache-dir=${join(tempDir('cache'), 'oidc-login')}`,
        `--token-exchange-audience=${audience}`,
      ]),
    );

  it('a provider without the grant (unsupported_grant_type, not in grant_types_supported)', async () => {
    const result = await run(noExchange.issuer, 'cluster-a');
    expect(result.code, result.stderr).toBe(3);
    expectOneError(
      result.stderr,
      /^error: the identity provider does not offer token exchange \(unsupported_grant_type: .*\); its discovery document does not list it in grant_types_supported$/,
      /^hint: remove --token-exchange-audience \(or the cluster's token-exchange-audience\), or use a provider that serves RFC 8693 token exchange/,
    );
    expect(result.stdout).toBe('');
  });

  it('an audience the provider refuses (invalid_target)', async () => {
    const result = await run(refusing.issuer, 'cluster-forbidden');
    expect(result.code, result.stderr).toBe(3);
    expectOneError(
      result.stderr,
      /^error: the identity provider refused to issue a token for audience "cluster-forbidden" \(invalid_target: client kubectl-public may not exchange tokens for audience cluster-forbidden\)$/,
      /^hint: check the audience \(--token-exchange-audience or the cluster's token-exchange-audience\) against the cluster's AuthenticationConfiguration/,
    );
    expect(result.stdout).toBe('');
    const allowed = await run(refusing.issuer, 'cluster-a');
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it('a client the provider does not allow the grant (unauthorized_client)', async () => {
    const result = await runPlugin(
      loginArgs(refusing.issuer, authcodeOnlyClientId, join(tempDir('cache'), 'oidc-login'), [
        '--token-exchange-audience=cluster-a',
      ]),
    );
    expect(result.code, result.stderr).toBe(3);
    expectOneError(
      result.stderr,
      /^error: the identity provider does not let client kubectl-authcode-only exchange tokens \(invalid_request: requested grant type is not allowed for this client\)$/,
      /^hint: ask the identity provider administrator to allow the token exchange grant \(urn:ietf:params:oauth:grant-type:token-exchange\) for client kubectl-authcode-only$/,
    );
    expect(result.stdout).toBe('');
  });

  it('a token without the audience (the provider ignored it)', async () => {
    const result = await run(ignoring.issuer, 'cluster-a');
    expect(result.code, result.stderr).toBe(3);
    expectOneError(
      result.stderr,
      /^error: the identity provider's exchanged token is not for audience "cluster-a" \(its aud is "kubectl-public"\); the login's own token is not used instead$/,
      /^hint: the provider ignored the requested audience: ask its administrator to configure token exchange for client kubectl-public/,
    );
    expect(result.stdout).toBe('');
  });
});

describe('setup --token-exchange-audience', () => {
  const provider = useRigProvider();
  const refusing = useRigProvider({ tokenExchangeRefusedAudiences: ['cluster-forbidden'] });

  it('tries the exchange, shows the narrowed claims, and prints the configuration of that audience only', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const result = await runSetup(provider.issuer, [
      '--token-exchange-audience=cluster-a',
      `--token-cache-dir=${cacheDir}`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /✓ token exchange: a token for audience "cluster-a" \(signature \(JWKS\), iss, aud and exp valid; valid for \d+ min\)/,
    );
    expect(result.stdout).toContain(
      '# Claims of the token exchanged for audience cluster-a, the one the cluster sees (the token itself is never shown)',
    );
    expect(result.stdout).toContain('"aud": "cluster-a"');
    expect(result.stdout).toContain('    audiences:\n    - "cluster-a"\n  claimMappings:');
    expect(result.stdout).not.toContain(`- "${publicClientId}"`);
    expect(result.stdout).toContain('--oidc-client-id=cluster-a\n');
    expect(result.stdout).toContain('--token-exchange-audience=cluster-a');
    expect(result.stdout).toContain('# kube-apiserver will see: user alice@example.com');

    // Cached where get-token looks: the first kubectl call is a hit.
    provider.resetCounts();
    const hit = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--oidc-extra-scope=email,groups',
        '--token-exchange-audience=cluster-a',
      ]),
    );
    expect(hit.code, hit.stderr).toBe(0);
    expect(decodeJwt(parseCredential(hit.stdout).token).aud).toBe('cluster-a');
    expect(provider.totalRequests()).toBe(0);
  });

  it('an audience the provider refuses: the failed step with its fix, exit 3, no configuration', async () => {
    const result = await runSetup(refusing.issuer, ['--token-exchange-audience=cluster-forbidden']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      '✗ token exchange: the identity provider refused to issue a token for audience "cluster-forbidden"',
    );
    expect(result.stdout).not.toContain('AuthenticationConfiguration');
  });
});
