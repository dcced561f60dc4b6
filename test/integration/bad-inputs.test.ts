/**
 * Bad inputs, one table: each ends with its documented exit code, exactly one `error:` line and one `hint:` line on
 * stderr, no stack, and nothing on stdout. (These used to end as exit code 1, "unexpected failure".)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneError } from '../rig/one-error.js';
import { loginArgs, runPlugin, tempDir } from '../rig/plugin.js';
import { publicClientId, type RigFault } from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

interface BadInput {
  readonly name: string;
  /** Flags after get-token; ISSUER is replaced by the rig provider's issuer. */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly fault?: RigFault;
  readonly code: number;
  readonly error: RegExp;
}

const badInputs: readonly BadInput[] = [
  {
    name: 'an issuer URL with a space',
    args: ['--oidc-issuer-url=https://idp example.com'],
    code: 2,
    error: /--oidc-issuer-url must be an http\(s\) URL/,
  },
  {
    name: 'an issuer URL with an unclosed IPv6 bracket',
    args: ['--oidc-issuer-url=http://[::1'],
    code: 2,
    error: /--oidc-issuer-url must be an http\(s\) URL/,
  },
  {
    name: 'an issuer URL with port 99999',
    args: ['--oidc-issuer-url=https://idp.example.com:99999'],
    code: 2,
    error: /--oidc-issuer-url must be an http\(s\) URL/,
  },
  {
    name: 'a 120 KB issuer URL that does not parse: echoed cut to 200 characters',
    args: [`--oidc-issuer-url=https://idp example.com/${'a'.repeat(120_000)}`],
    code: 2,
    error: /^error: --oidc-issuer-url must be an http\(s\) URL, not "https:\/\/idp example\.com\/a{175}…"$/,
  },
  {
    name: 'a 120 KB issuer URL nobody answers: echoed cut to 200 characters',
    args: [`--oidc-issuer-url=https://127.0.0.1:1/${'a'.repeat(120_000)}`],
    code: 3,
    error: /^error: cannot reach the identity provider at https:\/\/127\.0\.0\.1:1\/a{179}… \([^)]+\)$/,
  },
  {
    name: '--oidc-redirect-url that is not a URL',
    args: ['--oidc-redirect-url=notaurl'],
    code: 2,
    error: /--oidc-redirect-url must be a URL/,
  },
  {
    name: '--listen-address with a non-loopback host of another machine',
    args: ['--listen-address=192.0.2.1:8000', '--oidc-redirect-url-hostname=192.0.2.1'],
    code: 2,
    error: /--listen-address 192\.0\.2\.1 is not an address of this machine/,
  },
  {
    name: '--listen-address with a host that does not resolve',
    args: ['--listen-address=no-such-host.invalid:8000', '--oidc-redirect-url-hostname=no-such-host.invalid'],
    code: 2,
    error: /--listen-address no-such-host\.invalid names a host that does not resolve/,
  },
  {
    name: '--oidc-redirect-url-hostname that the callback server does not listen on',
    args: ['--oidc-redirect-url-hostname=[::1]'],
    code: 2,
    error:
      /--oidc-redirect-url-hostname sends the browser to \[::1\], where the callback server does not listen \(--listen-address 127\.0\.0\.1:8000\)/,
  },
  {
    name: '--listen-address off loopback for the default redirect to localhost',
    args: ['--listen-address=192.0.2.1:8000'],
    code: 2,
    error:
      /the default redirect URI \(http:\/\/localhost:PORT\) sends the browser to localhost, where the callback server does not listen \(--listen-address 192\.0\.2\.1:8000\)/,
  },
  {
    name: 'a malformed --listen-address when auto picks the device code (no display)',
    // No browser command (the empty value replaces the rig's): auto then picks the device code over SSH.
    args: ['--listen-address=8000', '--browser-command='],
    env: { SSH_CONNECTION: '10.0.0.1 22 10.0.0.2 22' },
    code: 2,
    error: /--listen-address "8000" is not HOST:PORT/,
  },
  {
    name: '--listen-address with port 99999',
    args: ['--listen-address=127.0.0.1:99999'],
    code: 2,
    error: /--listen-address "127\.0\.0\.1:99999" is not HOST:PORT/,
  },
  {
    name: '--oidc-request-header with CRLF in the value',
    args: ['--oidc-request-header=X-Team=a\r\nX-Injected: 1'],
    code: 2,
    error: /--oidc-request-header X-Team: the value contains a line break or control character/,
  },
  {
    name: '--oidc-request-header with an invalid header name',
    args: ['--oidc-request-header=Bad Name=1'],
    code: 2,
    error: /--oidc-request-header "Bad Name" is not a valid HTTP header name/,
  },
  {
    name: '--provider-request-timeout beyond a day',
    args: ['--provider-request-timeout=99999999999h'],
    code: 2,
    error: /--provider-request-timeout must be at most 24h/,
  },
  {
    name: '--authentication-timeout-sec beyond a day (Node timers overflow at 2147484 s)',
    args: ['--authentication-timeout-sec=2147484'],
    code: 2,
    error: /--authentication-timeout-sec must be at most 86400/,
  },
  {
    name: '--token-expiry-margin beyond a day',
    args: ['--token-expiry-margin=9999999h'],
    code: 2,
    error: /--token-expiry-margin must be at most 24h/,
  },
  {
    name: 'HTTPS_PROXY that is not a URL',
    args: [],
    env: { HTTPS_PROXY: 'not-a-url' },
    code: 2,
    error: /HTTPS_PROXY="not-a-url" is not a proxy URL/,
  },
  {
    name: '--local-server-cert that does not exist',
    args: ['--local-server-cert=/nonexistent/cert.pem', '--local-server-key=/nonexistent/key.pem'],
    code: 2,
    error: /^error: --local-server-cert \/nonexistent\/cert\.pem does not exist$/,
  },
  {
    name: 'KUBECTL_TOGETHER_LOGIN_CACHE_KEY of 16 bytes (encrypted storage, first login)',
    args: ['--token-cache-storage=encrypted'],
    env: { KUBECTL_TOGETHER_LOGIN_CACHE_KEY: Buffer.alloc(16, 7).toString('base64') },
    code: 2,
    error: /^error: KUBECTL_TOGETHER_LOGIN_CACHE_KEY must be 32 bytes in base64, not 16 bytes$/,
  },
  {
    name: 'KUBECTL_TOGETHER_LOGIN_CACHE_KEY that is not base64',
    args: ['--token-cache-storage=encrypted'],
    env: { KUBECTL_TOGETHER_LOGIN_CACHE_KEY: `${'!'.repeat(43)}=` },
    code: 2,
    error:
      /^error: KUBECTL_TOGETHER_LOGIN_CACHE_KEY must be 32 bytes in base64, not text that is not base64$/,
  },
  {
    // A value that carries a line break must not add lines to the two we print (a fake `hint:` or `error:`).
    name: 'a flag value with a line break and a fake error and hint in it',
    args: ['--token-expiry-margin=a\nerror: b\r\nhint: c\u001b[2J'],
    code: 2,
    error: /^error: .*"a\\nerror: b\\r\\nhint: c\\u001b\[2J"$/,
  },
  {
    name: 'a discovery document without authorization_endpoint',
    args: ['--grant-type=authcode'],
    fault: 'discovery-no-authorization-endpoint',
    code: 3,
    error: /discovery document .* has no authorization_endpoint/,
  },
];

describe('bad inputs', () => {
  const provider = useRigProvider();

  it.each(badInputs.map((input) => [input.name, input] as const))('%s', async (_name, input) => {
    provider.setFault(input.fault);
    try {
      const base = loginArgs(provider.issuer, publicClientId, join(tempDir('cache'), 'c'), [
        '--skip-open-browser',
        '--authentication-timeout-sec=10',
      ]);
      // A later flag of the same name wins for single-valued flags; list flags replace the defaults.
      provider.resetCounts();
      const result = await runPlugin([...base, ...input.args], input.env);
      expect(result.code, result.stderr).toBe(input.code);
      expect(result.stdout).toBe('');
      expectOneError(result.stderr, input.error);
      // A bad setting is found before any request: kubectl's retries never repeat a login that cannot end well.
      if (input.code === 2) expect(provider.totalRequests()).toBe(0);
    } finally {
      provider.setFault(undefined);
    }
  });

  it.each([
    ['get-token', /^hint: run `kubectl together-login get-token --help` for the flags$/],
    ['setup', /^hint: run `kubectl together-login setup --help` for the flags$/],
  ])('an unknown flag of %s: the hint names the --help of that command', async (command, hint) => {
    const result = await runPlugin([
      command,
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${publicClientId}`,
      '--no-such-flag',
    ]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expectOneError(result.stderr, /^error: unknown flag: --no-such-flag$/, hint);
  });
});
