/**
 * Every parser of outside input returns a value or throws our own typed error, whatever it is given: cache files
 * (written by anyone with access), KUBERNETES_EXEC_INFO, JWT payloads, what a user pastes, argv.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/app-error.js';
import { parseEncryptedFile } from '../../src/cache/encrypted-store.js';
import { CacheEntryError, parseCacheEntry } from '../../src/core/cache-entry.js';
import { readJwtClaims } from '../../src/core/jwt-claims.js';
import { parseGetTokenInput } from '../../src/flags/parse-get-token.js';
import { callbackUrlFromAnswer } from '../../src/flows/pasted-response.js';
import { parseExecInfo } from '../../src/kube/exec-credential.js';

const runs = { numRuns: 400 };
/** Any string, and any JSON document as a string (objects with the expected field names included). */
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc
    .record(
      {
        format: fc.oneof(
          fc.constant('together-login/token-cache/v1'),
          fc.constant('together-login/token-cache-encrypted/v1'),
          fc.string(),
        ),
        issuer: fc.oneof(fc.string(), fc.integer()),
        clientId: fc.oneof(fc.string(), fc.constant(null)),
        obtainedAt: fc.oneof(fc.integer(), fc.double(), fc.string()),
        idToken: fc.oneof(fc.string(), fc.integer()),
        idTokenExpiresAt: fc.oneof(fc.integer(), fc.constant(-1), fc.constant(Number.NaN)),
        iv: fc.string(),
        tag: fc.string(),
        ciphertext: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((doc) => JSON.stringify(doc)),
);

function valueOrTypedError(parse: () => unknown, isTyped: (error: unknown) => boolean): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    return isTyped(error);
  }
}

describe('parsers never crash', () => {
  it('cache entries', () => {
    fc.assert(
      fc.property(text, (input) =>
        valueOrTypedError(
          () => parseCacheEntry(input),
          (e) => e instanceof CacheEntryError,
        ),
      ),
      runs,
    );
  });

  it('encrypted cache files', () => {
    fc.assert(
      fc.property(text, (input) =>
        valueOrTypedError(
          () => parseEncryptedFile(input),
          (e) => e instanceof CacheEntryError,
        ),
      ),
      runs,
    );
  });

  it('JWT payloads (read without verifying) give claims or undefined, never an error', () => {
    const jwtLike = fc
      .tuple(
        fc.string(),
        fc.oneof(
          fc.string(),
          fc.json().map((j) => Buffer.from(j).toString('base64url')),
        ),
        fc.string(),
      )
      .map((parts) => parts.join('.'));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), jwtLike), (input) => {
        const claims = readJwtClaims(input);
        return claims === undefined || (typeof claims === 'object' && !Array.isArray(claims));
      }),
      runs,
    );
  });

  it('KUBERNETES_EXEC_INFO', () => {
    fc.assert(
      fc.property(text, (input) =>
        valueOrTypedError(
          () => parseExecInfo(input),
          (e) => isAppError(e) && e.exitCode === 2,
        ),
      ),
      runs,
    );
  });

  it('pasted codes and URLs', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.webUrl({ withQueryParameters: true })),
        (input) =>
          valueOrTypedError(
            () =>
              callbackUrlFromAnswer(input, {
                redirectUri: 'http://localhost:8000',
                state: 's',
                issuer: undefined,
              }),
            (e) => isAppError(e) && e.exitCode === 4,
          ),
      ),
      runs,
    );
  });

  it('get-token argv', () => {
    const arg = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '--oidc-issuer-url',
        '--oidc-client-id',
        '-v',
        '--grant-type',
        '--listen-address',
        '--oidc-auth-request-extra-params',
        '--skip-open-browser',
        '--',
      ),
      fc
        .tuple(
          fc.constantFrom(
            '--oidc-issuer-url=',
            '--grant-type=',
            '--authentication-timeout-sec=',
            '-v',
            '--token-expiry-margin=',
            '--oidc-request-header=',
          ),
          fc.string(),
        )
        .map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 8 }), (argv) =>
        valueOrTypedError(
          () => parseGetTokenInput(argv, { env: {}, homeDir: '/home/u' }),
          (e) => isAppError(e) && e.exitCode === 2,
        ),
      ),
      runs,
    );
  });

  it('finds the expected typed errors (the properties are not vacuous)', () => {
    expect(() => parseCacheEntry('{')).toThrow(CacheEntryError);
    expect(() => parseExecInfo('[1]')).toThrow();
  });
});
