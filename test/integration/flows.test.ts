/**
 * Every login flow through the built plugin against the real provider: device code, keyboard, password, client
 * credentials, and the automatic choice. The test plays the user with the HTTP form driver.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { browserDriverPath } from '../rig/build.js';
import { readDriverLog } from '../rig/driver-log.js';
import { expectOneError } from '../rig/one-error.js';
import {
  getTokenArgs,
  neverInteractive,
  parseCredential,
  runPlugin,
  startPlugin,
  tempDir,
} from '../rig/plugin.js';
import {
  defaultUsers,
  oneRedirectClientId,
  oneRedirectUri,
  publicClientId,
  rigPassword,
  robotAudience,
  robotClientId,
  robotClientSecret,
  startProvider,
} from '../rig/provider.js';
import { completeLoginWithForms } from '../rig/provider-forms.js';
import { useRigProvider } from '../rig/use-provider.js';

const interactive = neverInteractive.replace('false', 'true');
const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code';
const user = { login: 'alice', password: 'any' };
/** A password a trimming prompt would spoil. */
const spacedPassword = '  two spaces before, one after ';

describe('login flows against a real OpenID Provider', () => {
  const provider = useRigProvider({
    users: [
      ...defaultUsers,
      { id: 'carol', email: 'carol@example.com', groups: [], password: spacedPassword },
    ],
  });
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    provider.resetCounts();
  });

  describe('device code', () => {
    it('prints the URL and code, waits, and completes without stdin (interactiveMode Never)', async () => {
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir,
          extra: ['--grant-type=device-code', '--oidc-extra-scope=email'],
        }),
        { KUBERNETES_EXEC_INFO: neverInteractive },
      );
      const [, url] = await plugin.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
      // Without --authentication-timeout-sec it waits as long as the code lives, as int128 does,
      // and tells the processes waiting for its lock so.
      await plugin.waitForStderr(/Waiting for the login \(the code expires in 10 minutes\)…/);
      const record = JSON.parse(
        readFileSync(
          join(cacheDir, readdirSync(cacheDir).find((name) => name.endsWith('.login')) as string),
          'utf8',
        ),
      );
      expect(record.holder.until).toBe(record.device.expiresAt);
      await completeLoginWithForms(url as string, user);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(decodeJwt(parseCredential(result.stdout).token)).toMatchObject({
        sub: 'alice',
        email: 'alice@example.com',
      });
      expect(provider.grants.get(deviceGrant)).toBe(1);
      // Cached like any other login.
      provider.resetCounts();
      const again = await runPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir,
          extra: ['--grant-type=device-code', '--oidc-extra-scope=email'],
        }),
      );
      expect(again.code).toBe(0);
      expect(provider.totalRequests()).toBe(0);
    });

    it('opens the verification page with --browser-command, through a one-time loopback start URL', async () => {
      const driverLog = join(tempDir('driver'), 'log');
      const result = await runPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir,
          extra: ['--grant-type=device-code', `--browser-command=${browserDriverPath}`],
        }),
        { KUBERNETES_EXEC_INFO: neverInteractive, RIG_DRIVER_LOG: driverLog },
      );
      expect(result.code, result.stderr).toBe(0);
      // The browser starts at the plugin's one-time start URL (the verification URL carries the code, and a
      // launcher's command line is readable by every local user), which redirects it to the provider's page.
      expect(await readDriverLog(driverLog)).toMatch(
        /GET http:\/\/127\.0\.0\.1:\d+\/login\/[\w-]{20,}\n.* GET http:\/\/127\.0\.0\.1:\d+\/device\n/,
      );
      expect(provider.grants.get(deviceGrant)).toBe(1);
    });

    it('is chosen automatically where no browser can be shown, and says so', async () => {
      const plugin = startPlugin(getTokenArgs(provider.issuer, { cacheDir }), {
        KUBERNETES_EXEC_INFO: neverInteractive,
        SSH_CONNECTION: '10.0.0.1 50000 10.0.0.2 22',
      });
      await plugin.waitForStderr(
        /No browser can be opened here \(an SSH session\): using a device code instead\./,
      );
      const [, url] = await plugin.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
      await completeLoginWithForms(url as string, user);
      expect((await plugin.result).code).toBe(0);
      expect(provider.grants.get(deviceGrant)).toBe(1);
    });

    it('follows KUBECTL_TOGETHER_LOGIN_GRANT_TYPE over the kubeconfig flag', async () => {
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, { cacheDir, extra: ['--grant-type=authcode'] }),
        {
          KUBECTL_TOGETHER_LOGIN_GRANT_TYPE: 'device-code',
        },
      );
      const [, url] = await plugin.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
      await completeLoginWithForms(url as string, user);
      expect((await plugin.result).code).toBe(0);
    });

    it('fails with exit code 4 when the user aborts at the provider', async () => {
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, { cacheDir, extra: ['--grant-type=device-code'] }),
      );
      const [, url] = await plugin.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
      await completeLoginWithForms(url as string, { ...user, abortDevice: true });
      const result = await plugin.result;
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('error: the login was denied at the identity provider (access_denied');
      expect(result.stderr).toContain('hint: run the command again and approve the request');
    });

    it('fails with exit code 4 when the code expires unused', async () => {
      const shortLived = await startProvider({ deviceCodeTtlSec: 2 });
      try {
        const result = await runPlugin(
          getTokenArgs(shortLived.issuer, { cacheDir, extra: ['--grant-type=device-code'] }),
        );
        expect(result.code).toBe(4);
        expect(result.stderr).toMatch(/error: the device code expired/);
        expect(result.stderr).toContain('hint: run the command again and complete the login');
      } finally {
        await shortLived.close();
      }
    });

    it('waits 5 s longer after slow_down', async () => {
      const strict = await startProvider({ deviceSlowDownOnce: true });
      try {
        const plugin = startPlugin(
          getTokenArgs(strict.issuer, { cacheDir, extra: ['--grant-type=device-code'] }),
        );
        const [, url] = await plugin.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
        // Let the first poll (answered with slow_down) happen before the user logs in.
        while (strict.devicePollTimes.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
        await completeLoginWithForms(url as string, user);
        const result = await plugin.result;
        expect(result.code, result.stderr).toBe(0);
        const [first, second] = strict.devicePollTimes as [number, number];
        // interval 1 s + 5 s
        expect(second - first).toBeGreaterThanOrEqual(5500);
      } finally {
        await strict.close();
      }
    });

    it('polls again at once when a poll meets a connection reset before any answer (a stale keep-alive connection)', async () => {
      provider.setFault('device-poll-reset-once');
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, { cacheDir, extra: ['--grant-type=device-code', '-v=1'] }),
      );
      const [, url] = await plugin.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
      // The first poll is reset (and sent again) before the user logs in.
      while (provider.devicePollTimes.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      await completeLoginWithForms(url as string, user);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(
        /the device-code poll failed before any answer \(.+\); sending it once more/,
      );
      expect(provider.grants.get(deviceGrant)).toBe(1);
    });

    it('sends a PKCE challenge and verifier when S256 is advertised, for providers that require it', async () => {
      const strict = await startProvider({ devicePkceRequired: true });
      try {
        const plugin = startPlugin(
          getTokenArgs(strict.issuer, { cacheDir, extra: ['--grant-type=device-code', '-v=1'] }),
        );
        const [, url] = await plugin.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
        await completeLoginWithForms(url as string, user);
        const result = await plugin.result;
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain('device authorization: PKCE S256');
        expect(strict.grants.get(deviceGrant)).toBe(1);
        // Without PKCE such a provider refuses the device authorization, with its own words.
        const without = await runPlugin(
          getTokenArgs(strict.issuer, {
            cacheDir: join(tempDir('cache'), 'c'),
            extra: ['--grant-type=device-code', '--oidc-pkce-method=no'],
          }),
        );
        expect(without.code).not.toBe(0);
        expect(without.stderr).toContain('PKCE (S256) is required for the device grant');
      } finally {
        await strict.close();
      }
    });

    it('without verification_uri_complete: the URL on a line of its own, the code in the sentence', async () => {
      const typed = await startProvider({ deviceNoCompleteUri: true });
      try {
        const result = await runPlugin(
          getTokenArgs(typed.issuer, {
            cacheDir: join(tempDir('cache'), 'c'),
            extra: ['--grant-type=device-code', '--skip-open-browser', '--authentication-timeout-sec=1'],
          }),
        );
        expect(result.code).toBe(4);
        const lines = result.stderr.split('\n');
        const sentence = lines.findIndex((line) => line.startsWith('To log in, open this URL on any device'));
        expect(lines[sentence]).toMatch(
          /^To log in, open this URL on any device and enter the code [A-Z]{4}-[A-Z]{4}:$/,
        );
        expect(lines[sentence + 1]).toBe(`  ${typed.issuer}/device`);
      } finally {
        await typed.close();
      }
    });

    it('waits at most --authentication-timeout-sec when it is given, even the default value', async () => {
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir,
          extra: ['--grant-type=device-code', '--authentication-timeout-sec=180'],
        }),
      );
      await plugin.waitForStderr(
        /Waiting for the login for 3 minutes \(the code stays valid for 10 minutes; a later run shows it again\)/,
      );
      plugin.kill();
      await plugin.result;
    });

    it("accepts Google's verification_url", async () => {
      const google = await startProvider({ deviceVerificationUrlQuirk: true });
      try {
        const plugin = startPlugin(
          getTokenArgs(google.issuer, { cacheDir, extra: ['--grant-type=device-code'] }),
        );
        const [, url] = await plugin.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
        await completeLoginWithForms(url as string, user);
        expect((await plugin.result).code).toBe(0);
        expect(google.requests.get('/device/auth')).toBe(1);
      } finally {
        await google.close();
      }
    });
    it('prints a verification URL whose user code parameter is called code intact', async () => {
      const odd = await startProvider({ deviceUserCodeAsCode: true });
      try {
        const plugin = startPlugin(
          getTokenArgs(odd.issuer, { cacheDir, extra: ['--grant-type=device-code', '--skip-open-browser'] }),
        );
        const [, userCode, url] = await plugin.waitForStderr(
          /check that it shows the code (\S+):\n {2}(\S+)/,
        );
        expect(url).toBe(`${odd.issuer}/device?code=${userCode}`);
        await completeLoginWithForms(url as string, user);
        const result = await plugin.result;
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).not.toContain('[redacted]');
      } finally {
        await odd.close();
      }
    });
  });

  describe('browser flow on a terminal', () => {
    const stopAtCallback = (url: URL) => url.port === '8000';

    it('accepts the pasted URL when the browser cannot reach the callback server', async () => {
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, { cacheDir, extra: ['--grant-type=authcode', '--skip-open-browser'] }),
        { KUBERNETES_EXEC_INFO: interactive },
      );
      // A browser elsewhere: the provider's URL, printed for it on the terminal (the start URL is this machine's).
      const [, url] = await plugin.waitForStderr(
        /cannot reach this machine, open this URL there instead:\n {2}(\S+)/,
      );
      await plugin.waitForStderr(/paste here the URL it ended at \(waiting up to \d+ (s|minutes)\): /);
      const landed = await completeLoginWithForms(url as string, { ...user, stopBefore: stopAtCallback });
      plugin.writeStdin(`${landed.finalUrl}\n`);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(provider.grants.get('authorization_code')).toBe(1);
    });

    it('completes through the callback while the paste question is open, and exits', async () => {
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir,
          extra: ['--grant-type=authcode', `--browser-command=${browserDriverPath}`],
        }),
        { KUBERNETES_EXEC_INFO: interactive },
      );
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('paste here the URL it ended at');
      expect(provider.grants.get('authorization_code')).toBe(1);
    });
  });

  describe('authcode-keyboard', () => {
    const keyboardArgs = () =>
      getTokenArgs(provider.issuer, {
        cacheDir,
        extra: ['--grant-type=authcode-keyboard', '--oidc-redirect-url=http://localhost:8000/callback'],
      });
    const stopAtCallback = (url: URL) => url.port === '8000';

    it('reads the whole redirected URL from stdin and exchanges the code with PKCE', async () => {
      const plugin = startPlugin(keyboardArgs(), { KUBERNETES_EXEC_INFO: interactive });
      const [, url] = await plugin.waitForStderr(/log in:\n {2}(\S+)/);
      expect(new URL(url as string).searchParams.get('code_challenge_method')).toBe('S256');
      await plugin.waitForStderr(/paste the code, or the whole URL/);
      const landed = await completeLoginWithForms(url as string, { ...user, stopBefore: stopAtCallback });
      plugin.writeStdin(`${landed.finalUrl}\n`);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain(new URL(landed.finalUrl).searchParams.get('code'));
      expect(provider.grants.get('authorization_code')).toBe(1);
    });

    it('accepts the bare code as well', async () => {
      const plugin = startPlugin(keyboardArgs(), { KUBERNETES_EXEC_INFO: interactive });
      const [, url] = await plugin.waitForStderr(/log in:\n {2}(\S+)/);
      const landed = await completeLoginWithForms(url as string, { ...user, stopBefore: stopAtCallback });
      plugin.writeStdin(`${new URL(landed.finalUrl).searchParams.get('code')}\n`);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
    });

    it('sends no redirect_uri without --oidc-redirect-url, as int128 v1.36', async () => {
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, {
          clientId: oneRedirectClientId,
          cacheDir,
          extra: ['--grant-type=authcode-keyboard'],
        }),
        { KUBERNETES_EXEC_INFO: interactive },
      );
      const [, url] = await plugin.waitForStderr(/log in:\n {2}(\S+)/);
      expect(new URL(url as string).searchParams.has('redirect_uri')).toBe(false);
      expect(url).not.toContain('oob');
      const landed = await completeLoginWithForms(url as string, { ...user, stopBefore: stopAtCallback });
      expect(landed.finalUrl.startsWith(`${oneRedirectUri}?`)).toBe(true);
      plugin.writeStdin(`${new URL(landed.finalUrl).searchParams.get('code')}\n`);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(provider.grants.get('authorization_code')).toBe(1);
    });

    it('sends --oidc-redirect-url-authcode-keyboard when an older kubeconfig gives it', async () => {
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir,
          extra: [
            '--grant-type=authcode-keyboard',
            '--oidc-redirect-url-authcode-keyboard=urn:ietf:wg:oauth:2.0:oob',
          ],
        }),
        { KUBERNETES_EXEC_INFO: interactive },
      );
      const [, url] = await plugin.waitForStderr(/log in:\n {2}(\S+)/);
      expect(new URL(url as string).searchParams.get('redirect_uri')).toBe('urn:ietf:wg:oauth:2.0:oob');
      plugin.kill();
      await plugin.result;
    });

    it('fails at once with exit code 5 when kubectl gives no terminal', async () => {
      const result = await runPlugin(keyboardArgs(), { KUBERNETES_EXEC_INFO: neverInteractive });
      expect(result.code).toBe(5);
      expect(result.stderr).toContain(
        'error: the keyboard login reads the code from the terminal, but kubectl runs this plugin without a terminal',
      );
      expect(result.stderr).toContain('hint: set interactiveMode: IfAvailable');
    });
  });

  describe('password', () => {
    it('logs in with --username and --password, and never prints the password', async () => {
      const result = await runPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir,
          extra: ['--username=alice', `--password=${rigPassword}`, '-v=9'],
        }),
        { KUBERNETES_EXEC_INFO: neverInteractive },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(decodeJwt(parseCredential(result.stdout).token)).toMatchObject({
        sub: 'alice',
        aud: publicClientId,
        email: 'alice@example.com',
      });
      expect(provider.grants.get('password')).toBe(1);
      expect(result.stderr).not.toContain(rigPassword);
    });

    it('asks for the missing password on stdin', async () => {
      const plugin = startPlugin(getTokenArgs(provider.issuer, { cacheDir, extra: ['--username=alice'] }), {
        KUBERNETES_EXEC_INFO: interactive,
      });
      await plugin.waitForStderr(/Password: /);
      plugin.writeStdin(`${rigPassword}\n`);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain(rigPassword);
    });

    it('takes the typed password exactly, spaces included; only the line ending is removed', async () => {
      const plugin = startPlugin(getTokenArgs(provider.issuer, { cacheDir, extra: ['--username=carol'] }), {
        KUBERNETES_EXEC_INFO: interactive,
      });
      await plugin.waitForStderr(/Password: /);
      plugin.writeStdin(`${spacedPassword}\r\n`);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(decodeJwt(parseCredential(result.stdout).token).sub).toBe('carol');
    });

    it('asks for username and password with --grant-type=password', async () => {
      const plugin = startPlugin(
        getTokenArgs(provider.issuer, { cacheDir, extra: ['--grant-type=password'] }),
        {
          KUBERNETES_EXEC_INFO: interactive,
        },
      );
      await plugin.waitForStderr(/Username: /);
      plugin.writeStdin('bob\n');
      await plugin.waitForStderr(/Password: /);
      plugin.writeStdin(`${rigPassword}\n`);
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(0);
      expect(decodeJwt(parseCredential(result.stdout).token).sub).toBe('bob');
    });

    it('fails at once with exit code 5 when the password is missing and kubectl gives no terminal', async () => {
      const result = await runPlugin(
        getTokenArgs(provider.issuer, { cacheDir, extra: ['--username=alice'] }),
        {
          KUBERNETES_EXEC_INFO: neverInteractive,
        },
      );
      expect(result.code).toBe(5);
      expect(result.stderr).toContain(
        'error: the password login needs a password, but kubectl runs this plugin without a terminal',
      );
      expect(provider.grants.get('password')).toBeUndefined();
    });

    it('fails with exit code 4 on a wrong password', async () => {
      const result = await runPlugin(
        getTokenArgs(provider.issuer, { cacheDir, extra: ['--username=alice', '--password=wrong'] }),
      );
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('error: the provider refused the username or password (invalid_grant');
      expect(result.stderr).toContain('hint: check the username and password');
      expect(result.stderr).not.toContain('--password=wrong');
    });
  });

  describe('client credentials', () => {
    const robotArgs = (extra: string[] = []) =>
      getTokenArgs(provider.issuer, {
        clientId: robotClientId,
        cacheDir,
        extra: ['--grant-type=client-credentials', ...extra],
      });

    it('returns the access token with --oidc-use-access-token, a JWT checked against the issuer', async () => {
      const result = await runPlugin(robotArgs(['--oidc-use-access-token', '-v=1']), {
        OIDC_CLIENT_SECRET: robotClientSecret,
        KUBERNETES_EXEC_INFO: neverInteractive,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        "the access token is a JWT signed by the issuer's keys, with its iss and exp valid",
      );
      expect(decodeJwt(parseCredential(result.stdout).token)).toMatchObject({
        aud: robotAudience,
        client_id: robotClientId,
      });
      expect(provider.grants.get('client_credentials')).toBe(1);
    });

    it('refuses a JWT access token of another issuer, as int128 does', async () => {
      provider.setFault('access-token-wrong-iss');
      const result = await runPlugin(robotArgs(['--oidc-use-access-token']), {
        OIDC_CLIENT_SECRET: robotClientSecret,
      });
      expect(result.code).toBe(3);
      expectOneError(
        result.stderr,
        /^error: the identity provider's access token is not acceptable: unexpected "iss" claim value$/,
        /^hint: with --oidc-use-access-token kube-apiserver checks the access token as a JWT of the issuer/,
      );
      expect(result.stdout).toBe('');
    });

    it('passes an opaque access token through, saying so at -v=1', async () => {
      const result = await runPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir,
          extra: ['--username=alice', `--password=${rigPassword}`, '--oidc-use-access-token', '-v=1'],
        }),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('the access token is not a JWT: it goes to kubectl unchecked');
    });

    it('says what to do when the provider returns no ID token', async () => {
      const result = await runPlugin(robotArgs(), { OIDC_CLIENT_SECRET: robotClientSecret });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('error: the identity provider answered without an ID token');
      expect(result.stderr).toContain('--oidc-use-access-token');
    });

    it('needs a client secret', async () => {
      const result = await runPlugin(robotArgs(['--oidc-use-access-token']));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('error: the client credentials grant needs a client secret');
    });
  });
});
