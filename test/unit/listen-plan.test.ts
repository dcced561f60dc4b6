import { describe, expect, it } from 'vitest';
import {
  checkRedirectCovered,
  coversRedirectHost,
  listenPlan,
  parseListenAddress,
} from '../../src/core/listen-plan.js';
import { defaultListenAddresses } from '../../src/flags/get-token-flags.js';

describe('listenPlan', () => {
  it.each([
    ['127.0.0.1:8000', 'localhost', '127.0.0.1', ['::1']],
    ['[::1]:8000', 'localhost', '::1', ['127.0.0.1']],
    ['localhost:8000', 'localhost', '127.0.0.1', ['::1']],
    ['127.0.0.1:8000', 'LocalHost', '127.0.0.1', ['::1']],
    // A redirect URI that names one address reaches only that address.
    ['127.0.0.1:8000', '127.0.0.1', '127.0.0.1', []],
    ['[::1]:8000', '[::1]', '::1', []],
    // Every interface: the other family's loopback too, for localhost (a warning at bind time).
    ['0.0.0.0:8000', 'localhost', '0.0.0.0', ['::1']],
    ['[::]:8000', 'localhost', '::', ['127.0.0.1']],
    ['0.0.0.0:8000', 'myhost.example', '0.0.0.0', []],
    ['192.168.1.5:8000', 'localhost', '192.168.1.5', []],
  ])('%s for a redirect to %s binds %s and %j', (address, redirectHost, primary, companions) => {
    expect(listenPlan(address, redirectHost)).toMatchObject({ primary, companions });
  });

  it.each(['8000', '127.0.0.1:99999', 'a:b:8000', '[::1:8000', '127.0.0.1:'])(
    'refuses %s as a usage error',
    (address) => {
      expect(() => parseListenAddress(address)).toThrow(
        expect.objectContaining({ exitCode: 2, code: 'usage.listen-address' }),
      );
    },
  );
});

describe('coversRedirectHost: the browser reaches a socket the callback server holds', () => {
  it.each([
    ['127.0.0.1:8000', 'localhost', true],
    ['[::1]:8000', 'LOCALHOST', true],
    ['127.0.0.1:8000', '127.0.0.1', true],
    ['127.0.0.1:8000', '[::1]', false],
    ['127.0.0.1:8000', '127.0.0.2', false],
    ['[::1]:8000', '127.0.0.1', false],
    ['[::1]:8000', '[::1]', true],
    ['0.0.0.0:8000', 'localhost', true],
    ['0.0.0.0:8000', '192.168.1.5', true],
    ['0.0.0.0:8000', '[::1]', false],
    ['[::]:8000', '[::1]', true],
    ['0.0.0.0:8000', 'myhost.example', true],
    ['127.0.0.1:8000', 'myhost.example', false],
    ['myhost.example:8000', 'MyHost.example', true],
    ['192.168.1.5:8000', 'localhost', false],
  ])('listening on %s, a redirect to %s: %s', (address, redirectHost, covered) => {
    expect(coversRedirectHost(listenPlan(address, redirectHost), redirectHost)).toBe(covered);
  });

  it('refuses with exit 2 naming the flag, the host and the listen address; every address of the list counts', () => {
    expect(() => checkRedirectCovered(['127.0.0.1:8000'], '[::1]', '--oidc-redirect-url-hostname')).toThrow(
      expect.objectContaining({
        exitCode: 2,
        code: 'usage.redirect-host',
        message:
          '--oidc-redirect-url-hostname sends the browser to [::1], where the callback server does not listen (--listen-address 127.0.0.1:8000): another program could receive the login there',
        hint: expect.stringContaining('--listen-address=[::1]:8000'),
      }),
    );
    expect(() =>
      checkRedirectCovered(['[::1]:8000', '127.0.0.1:18000'], '[::1]', '--oidc-redirect-url'),
    ).toThrow(/--listen-address 127\.0\.0\.1:18000/);
    expect(() => checkRedirectCovered(['127.0.0.1:8000', '[::1]:18000'], 'localhost', 'x')).not.toThrow();
  });

  // parse-get-token.ts skips the check for the defaults (it costs every cache hit two regular expressions): sound
  // only while the default addresses cover the default redirect host.
  it('passes the default listen addresses with the default redirect host, localhost', () => {
    expect(() => checkRedirectCovered(defaultListenAddresses, 'localhost', undefined)).not.toThrow();
  });
});
