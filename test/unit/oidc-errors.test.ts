import { describe, expect, it } from 'vitest';
import { refreshTokenRefused } from '../../src/oidc/errors.js';

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
