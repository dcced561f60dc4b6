/**
 * Flows a provider or a client does not offer, and error answers without an OAuth body (a gateway's HTML page, an empty
 * 401): each still ends in one line saying what happened and what is left to try. Against the rig provider's switches:
 * no device_authorization_endpoint, grants left out of grant_types_supported (and refused at the token endpoint), a
 * client registered for the browser flow only, and token-endpoint errors with HTML or empty bodies.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { browserDriverPath } from '../rig/build.js';
import { getTokenArgs, parseCredential, runPlugin, runSetup, startPlugin, tempDir } from '../rig/plugin.js';
import {
  authcodeOnlyClientId,
  confidentialClientId,
  publicClientId,
  rigPassword,
  robotClientId,
  robotClientSecret,
} from '../rig/provider.js';
import { completeLoginWithForms } from '../rig/provider-forms.js';
import { useRigProvider } from '../rig/use-provider.js';

const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code';
/** A machine without a browser: what makes --grant-type=auto choose the device code. */
const overSsh = { SSH_CONNECTION: '10.0.0.1 50000 10.0.0.2 22' };
const user = { login: 'alice', password: 'any' };

function expectOneErrorAndHint(stderr: string): void {
  expect(stderr.match(/^error: /gm)).toHaveLength(1);
  expect(stderr.match(/^hint: /gm)).toHaveLength(1);
}

describe('flows the provider or the client does not offer', () => {
  const provider = useRigProvider();
  /** Offers only the browser flow: no device endpoint, no password or client-credentials grant. */
  const browserOnly = useRigProvider({
    noDeviceAuthorizationEndpoint: true,
    unsupportedGrants: ['password', 'client_credentials'],
  });
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    provider.resetCounts();
    browserOnly.resetCounts();
  });

  describe('device code', () => {
    it('--grant-type=device-code without a device_authorization_endpoint: says so, with the other flows', async () => {
      const result = await runPlugin(
        getTokenArgs(browserOnly.issuer, { cacheDir, extra: ['--grant-type=device-code'] }),
      );
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain(
        'error: the identity provider offers no device-code flow (its discovery document has no device_authorization_endpoint)',
      );
      expect(result.stderr).toContain(
        'hint: use --grant-type=authcode (over SSH, forward the callback port: ssh -L 8000:localhost:8000 HOST) or --grant-type=authcode-keyboard',
      );
      expect(result.stderr).not.toContain('clock');
      expectOneErrorAndHint(result.stderr);
    });

    it.each([
      [undefined, `invalid_request: ${deviceGrant} is not allowed for this client`],
      ['grant-not-allowed-as-unauthorized_client', 'unauthorized_client'],
    ] as const)(
      '--grant-type=device-code for a client without the device grant (%s): names the client and the fix',
      async (fault, answer) => {
        provider.setFault(fault);
        const result = await runPlugin(
          getTokenArgs(provider.issuer, {
            clientId: authcodeOnlyClientId,
            cacheDir,
            extra: ['--grant-type=device-code'],
          }),
        );
        expect(result.code, result.stderr).toBe(3);
        expect(result.stderr).toContain(
          `error: the identity provider does not allow the device-code flow for client ${authcodeOnlyClientId} (${answer}`,
        );
        expect(result.stderr).toContain(
          `hint: allow the grant ${deviceGrant} for the client at the provider, or use`,
        );
        expectOneErrorAndHint(result.stderr);
      },
    );

    it.each([
      [
        'the client may not use it (unauthorized_client)',
        'grant-not-allowed-as-unauthorized_client',
        'unauthorized_client',
      ],
      ['"device_code is not allowed for this client"', undefined, 'is not allowed for this client'],
      ['the device endpoint answers a bare 400', 'token-errors-html', '/device/auth, without an OAuth error'],
      [
        'the device endpoint refuses the client (invalid_client, as Google answers a client not of its TV type)',
        'device-auth-invalid-client',
        '(invalid_client: Invalid client type.)',
      ],
    ] as const)(
      'auto on a headless machine falls back to the browser flow when %s',
      async (_, fault, reason) => {
        provider.setFault(fault);
        const plugin = startPlugin(
          getTokenArgs(provider.issuer, { clientId: authcodeOnlyClientId, cacheDir }),
          overSsh,
        );
        await plugin.waitForStderr(
          /No browser can be opened here \(an SSH session\): using a device code instead\./,
        );
        const [line] = await plugin.waitForStderr(
          /^The identity provider does not allow the device-code flow.*$/m,
        );
        expect(line).toContain(reason);
        expect(line).toContain('using the browser flow instead.');
        // The URL is printed and the callback server listens: the user's browser (here the form driver) completes it.
        const [, url] = await plugin.waitForStderr(/Open this URL in your browser to log in:\n {2}(\S+)/);
        const page = await completeLoginWithForms(url as string, user);
        expect(page.status).toBe(200);
        const result = await plugin.result;
        expect(result.code, result.stderr).toBe(0);
        expect(parseCredential(result.stdout).token).toBeTruthy();
        expect(provider.grants.get('authorization_code')).toBe(1);
        expect(provider.grants.get(deviceGrant)).toBeUndefined();
      },
    );

    it('after the refused device code, says only what happened: the real port, no device code, no flag nobody set', async () => {
      provider.setFault('device-auth-invalid-client');
      const result = await runPlugin(
        getTokenArgs(provider.issuer, {
          clientId: authcodeOnlyClientId,
          cacheDir,
          extra: ['--listen-address=127.0.0.1:18000', '--authentication-timeout-sec=2'],
        }),
        overSsh,
      );
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toContain('using the browser flow instead.');
      expect(result.stderr).toContain(
        'No browser can be opened here (an SSH session). Open the URL above in a browser that can reach http://localhost:18000',
      );
      expect(result.stderr).toContain('ssh -L 18000:localhost:18000 <this host>');
      expect(result.stderr).not.toContain('ssh -L 8000:');
      expect(result.stderr).not.toContain('--skip-open-browser is set');
      expect(result.stderr).not.toContain('--grant-type=device-code');
      expect(result.stderr).toMatch(/^hint: .*use --grant-type=authcode-keyboard$/m);
    });

    it('auto on a headless machine against a provider without device flow: the browser flow, and why', async () => {
      const plugin = startPlugin(getTokenArgs(browserOnly.issuer, { cacheDir }), overSsh);
      await plugin.waitForStderr(
        /No browser can be opened here \(an SSH session\), and the provider offers no device code flow: using the browser flow\./,
      );
      const [, url] = await plugin.waitForStderr(/Open this URL in your browser to log in:\n {2}(\S+)/);
      await completeLoginWithForms(url as string, user);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(browserOnly.grants.get('authorization_code')).toBe(1);
    });
  });

  it('setup says the same about a provider without device flow', async () => {
    const result = await runSetup(browserOnly.issuer, ['--grant-type=device-code']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      '✗ endpoints: the discovery document lacks device_authorization_endpoint\n    fix: the provider offers no device-code flow: enable it for this client at the provider, or use --grant-type=authcode (over SSH, forward the callback port: ssh -L 8000:localhost:8000 HOST) or --grant-type=authcode-keyboard',
    );
  });

  describe('password and client credentials', () => {
    it('a provider without the password grant: named, with what discovery says and the fix', async () => {
      const result = await runPlugin(
        getTokenArgs(browserOnly.issuer, {
          cacheDir,
          extra: ['--username=alice', `--password=${rigPassword}`],
        }),
      );
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain(
        'error: the identity provider does not offer the password grant (unsupported_grant_type',
      );
      expect(result.stderr).toContain(
        'its discovery document does not list "password" in grant_types_supported',
      );
      expect(result.stderr).toContain(
        `hint: enable the password grant for client ${publicClientId} at the provider`,
      );
      expectOneErrorAndHint(result.stderr);
    });

    it.each([
      [undefined, 'invalid_request: requested grant type is not allowed for this client'],
      ['grant-not-allowed-as-unauthorized_client', 'unauthorized_client'],
    ] as const)('a client without the password grant (%s): names the client', async (fault, answer) => {
      provider.setFault(fault);
      const result = await runPlugin(
        getTokenArgs(provider.issuer, {
          clientId: authcodeOnlyClientId,
          cacheDir,
          extra: ['--username=alice', `--password=${rigPassword}`],
        }),
      );
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain(
        `error: the identity provider does not allow client ${authcodeOnlyClientId} the password grant (${answer}`,
      );
      expect(result.stderr).toContain(`hint: enable the password grant for client ${authcodeOnlyClientId}`);
    });

    it('a provider without the client-credentials grant: named, with the fix', async () => {
      const result = await runPlugin(
        getTokenArgs(browserOnly.issuer, {
          clientId: robotClientId,
          cacheDir,
          extra: ['--grant-type=client-credentials'],
        }),
        { OIDC_CLIENT_SECRET: robotClientSecret },
      );
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain(
        'error: the identity provider does not offer the client-credentials grant (unsupported_grant_type',
      );
      expect(result.stderr).toContain(
        'its discovery document does not list "client_credentials" in grant_types_supported',
      );
      expect(result.stderr).toContain(
        `hint: enable the client_credentials grant for client ${robotClientId}`,
      );
    });
  });
});

describe('error answers without an OAuth body', () => {
  const provider = useRigProvider();
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
  });

  it.each([
    ['token-errors-html', 'text/html body'],
    ['token-errors-empty', 'empty body'],
  ] as const)(
    'a wrong password answered with %s: exit code 4, the status and the endpoint, no body',
    async (fault, type) => {
      provider.setFault(fault);
      const result = await runPlugin(
        getTokenArgs(provider.issuer, { cacheDir, extra: ['--username=alice', '--password=wrong', '-v=1'] }),
      );
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toContain(
        `error: the provider refused the username or password (HTTP 400 at ${provider.issuer}/token, without an OAuth error (${type}))`,
      );
      expect(result.stderr).toContain('hint: check the username and password');
      expect(result.stderr).not.toMatch(/^error: .*content-type/m);
      expect(result.stderr).not.toContain('Error: undefined');
      expect(result.stderr).toContain('caused by: HTTP 400 response');
      expect(result.stderr).not.toContain('<html');
      expect(result.stderr).not.toContain('wrong');
    },
  );

  it('a bare 401 to a password grant that carried a client secret: the secret, exit code 3', async () => {
    provider.setFault('token-errors-html');
    const result = await runPlugin(
      getTokenArgs(provider.issuer, {
        clientId: confidentialClientId,
        cacheDir,
        extra: ['--username=alice', `--password=${rigPassword}`],
      }),
      { OIDC_CLIENT_SECRET: 'not-the-secret-of-this-client' },
    );
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      `error: the identity provider refused the login: HTTP 401 at ${provider.issuer}/token, without an OAuth error (text/html body)`,
    );
    expect(result.stderr).toMatch(/^hint: .*--oidc-client-secret \(or OIDC_CLIENT_SECRET\)/m);
    expect(result.stderr).not.toContain('username or password');
    expectOneErrorAndHint(result.stderr);
  });

  it('an issuer without a discovery document: the status and the URL', async () => {
    const result = await runPlugin(
      getTokenArgs(`${provider.issuer}/realms/none`, { cacheDir, extra: ['-v=1'] }),
    );
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      `error: no discovery document at ${provider.issuer}/realms/none/.well-known/openid-configuration (HTTP 404)`,
    );
    expect(result.stderr).not.toContain('Error: undefined');
  });

  it('a wrong password answered with an OAuth error: exit code 4 with the same words', async () => {
    const result = await runPlugin(
      getTokenArgs(provider.issuer, { cacheDir, extra: ['--username=alice', '--password=wrong'] }),
    );
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('error: the provider refused the username or password (invalid_grant');
  });

  it.each([
    [undefined, '(invalid_client: client authentication failed)'],
    ['token-errors-html', '/token, without an OAuth error (text/html body)'],
    ['token-errors-empty', '/token, without an OAuth error (empty body)'],
  ] as const)('a refused client secret (%s): exit code 3 with a client-secret hint', async (fault, what) => {
    provider.setFault(fault);
    const result = await runPlugin(
      getTokenArgs(provider.issuer, {
        clientId: confidentialClientId,
        cacheDir,
        extra: [`--browser-command=${browserDriverPath}`, '-v=1'],
      }),
      { OIDC_CLIENT_SECRET: 'not-the-secret-of-this-client' },
    );
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^error: the identity provider refused the login/m);
    expect(result.stderr).toContain(what);
    expect(result.stderr).toMatch(/^hint: .*--oidc-client-secret \(or OIDC_CLIENT_SECRET\)/m);
    expect(result.stderr).not.toContain('Error: undefined');
    expect(result.stderr).not.toContain('<html');
    expect(result.stderr).not.toContain('not-the-secret-of-this-client');
  });
});
