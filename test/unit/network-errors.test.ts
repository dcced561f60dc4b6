/**
 * Network failures as each runtime's fetch throws them (shapes recorded from Node 20's fetch/undici and from Bun
 * 1.4.4, the standalone build's runtime), and what the user is told: exit 3 with the system or TLS code.
 */
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/app-error.js';
import { ExitCode } from '../../src/error-codes.js';
import { describeNetworkError, toAppError } from '../../src/oidc/translate-error.js';

const withCode = <T extends Error>(error: T, code: string): T => Object.assign(error, { code });
const nodeFetchFailure = (code: string, message: string) =>
  new TypeError('fetch failed', { cause: withCode(new Error(message), code) });
const bunFetchFailure = (code: string, message: string) => withCode(new TypeError(message), code);
const timeout = () => Object.assign(new Error('The operation timed out.'), { name: 'TimeoutError' });

describe('network failures from either runtime', () => {
  it.each([
    [
      'node, refused',
      nodeFetchFailure('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
      'ECONNREFUSED',
      false,
    ],
    [
      'bun, refused',
      bunFetchFailure(
        'ECONNREFUSED',
        'ECONNREFUSED: Unable to connect. Is the computer able to access the url?',
      ),
      'ECONNREFUSED',
      false,
    ],
    ['node, dns', nodeFetchFailure('EAI_AGAIN', 'getaddrinfo EAI_AGAIN x.invalid'), 'EAI_AGAIN', false],
    ['bun, dns', bunFetchFailure('EAI_AGAIN', 'getaddrinfo EAI_AGAIN x.invalid'), 'EAI_AGAIN', false],
    [
      'node, self-signed',
      nodeFetchFailure('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      true,
    ],
    [
      'bun, self-signed',
      bunFetchFailure('DEPTH_ZERO_SELF_SIGNED_CERT', 'self signed certificate'),
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      true,
    ],
    [
      'bun, unknown CA',
      bunFetchFailure('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      true,
    ],
    [
      'bun, reset',
      bunFetchFailure('ECONNRESET', 'ECONNRESET: The socket connection was closed'),
      'ECONNRESET',
      false,
    ],
    ['either, timeout', timeout(), 'timed out', false],
  ])('%s: exit 3 naming %s', (_label, thrown, reason, certificate) => {
    // openid-client passes fetch's error on as the cause of its own.
    const error = toAppError(
      new Error('request failed', { cause: thrown }),
      'discovery',
      'https://idp.example',
    );
    expect(isAppError(error) && error.exitCode).toBe(ExitCode.provider);
    expect(error.message).toBe(`cannot reach the identity provider at https://idp.example (${reason})`);
    expect(isAppError(error) && error.hint?.includes('--certificate-authority')).toBe(certificate);
  });

  it('leaves a TypeError that is no network failure alone', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    expect(isAppError(toAppError(bug, 'login', 'https://idp.example'))).toBe(false);
  });

  it('describes a network failure by its code, else by its message', () => {
    expect(describeNetworkError(bunFetchFailure('ENETUNREACH', 'ENETUNREACH: Was there a typo'))).toBe(
      'ENETUNREACH',
    );
    expect(describeNetworkError(new TypeError('fetch failed', { cause: new Error('bad port') }))).toBe(
      'bad port',
    );
  });
});
