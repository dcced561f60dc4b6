import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { rememberSecrets } from '../../src/app-error.js';
import { describeProviderError, maxDescriptionLength } from '../../src/oidc/provider-text.js';
import { refreshTokenRefused, toAppError } from '../../src/oidc/translate-error.js';

describe('refreshTokenRefused: what a refused refresh means', () => {
  it.each([
    [400, 'invalid_grant', true],
    // What providers whose session ended send instead of invalid_grant.
    [400, 'invalid_request', true],
    [400, 'unauthorized_client', true],
    [400, 'invalid_scope', true],
    [400, undefined, true],
    [401, undefined, true],
    [403, 'access_denied', true],
    // The client is refused, not the token: a new login would fail the same way.
    [401, 'invalid_client', false],
    [400, 'invalid_client', false],
    // "Not now" rather than "never".
    [408, undefined, false],
    [429, undefined, false],
    [500, 'server_error', false],
    [503, undefined, false],
  ] as [number, string | undefined, boolean][])('HTTP %i %s → %s', (status, error, refused) => {
    expect(refreshTokenRefused(status, error)).toBe(refused);
  });
});

describe("toAppError: a login's refusal at the token endpoint", () => {
  /** What openid-client throws for an OAuth error in a token response's body. */
  const refusal = (error: string) =>
    new client.ResponseBodyError('server responded with an error in the response body', {
      cause: { error },
      response: new Response('{}', { status: 400 }),
    });

  it('says what a known refusal means', () => {
    expect(toAppError(refusal('access_denied'), 'login', 'https://idp.example')).toMatchObject({
      code: 'auth.access_denied',
      exitCode: 4,
      message: 'the login was denied at the identity provider (access_denied)',
      hint: 'run the command again and approve the request',
    });
  });

  it.each(['constructor', '__proto__', 'toString'])(
    'takes an error named %s for an unknown refusal, not for a property of every object',
    (name) => {
      expect(toAppError(refusal(name), 'login', 'https://idp.example')).toMatchObject({
        code: `auth.${name}`,
        exitCode: 4,
        message: `the identity provider refused the login (${name})`,
        hint: 'log in again; if it keeps failing, ask the identity provider administrator',
      });
    },
  );
});

describe('describeProviderError: what a provider says, on one line', () => {
  it.each([
    ['invalid_grant', 'Token expired', 'invalid_grant: Token expired'],
    ['invalid_grant', undefined, 'invalid_grant'],
    ['invalid_grant', '', 'invalid_grant'],
    ['invalid_grant', 42, 'invalid_grant'],
    // A forged second line, terminal escapes, CRs and Unicode line separators all end up on the one line.
    [
      'invalid_request',
      'bad\nerror: forged\r\nhint: run this',
      'invalid_request: bad error: forged hint: run this',
    ],
    [
      'invalid_request',
      '\u001b[2J\u001b]0;owned\u0007text\u2028more',
      'invalid_request: [2J ]0;owned text more',
    ],
    ['err\nor', '  spaced   out  ', 'err or: spaced out'],
  ] as [string, unknown, string][])('%j + %j → %j', (error, description, expected) => {
    expect(describeProviderError(error, description)).toBe(expected);
  });

  it('cuts a description longer than a sentence or two', () => {
    const said = describeProviderError('server_error', `<html>${'x'.repeat(5000)}</html>`);
    expect(said.length).toBe('server_error: '.length + maxDescriptionLength);
    expect(said.endsWith('…')).toBe(true);
  });
});

describe('describeProviderError and the secrets a provider echoes', () => {
  it('redacts a known secret before cutting, so no part of it survives the cut', () => {
    const secret = 'A0HmifxNZeJyoWNxpdxEb46secretsecretsecret';
    rememberSecrets(secret);
    const said = describeProviderError('invalid_request', `${'x'.repeat(280)} ${secret} tail`);
    expect(said).not.toContain('A0Hmif');
  });
});
