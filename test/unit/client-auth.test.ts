import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import {
  chooseSecretMethod,
  newClientAuthState,
  queryEscape,
  sendSecretIfAsked,
  withdrawSecretIfAsked,
} from '../../src/oidc/client-auth.js';

const refusal = (status: number, error: string, error_description?: string) =>
  new client.ResponseBodyError('server responded with an error in the response body', {
    cause: { error, ...(error_description ? { error_description } : {}) },
    response: new Response(null, { status }),
  });

describe('client authentication with a secret', () => {
  it.each([
    ['kubernetes-ci', 'kubernetes-ci'],
    ['a_b.c~d', 'a_b.c~d'],
    ["*'()!", '%2A%27%28%29%21'],
    ['a b+c', 'a+b%2Bc'],
    ['x/y:z%', 'x%2Fy%3Az%25'],
    ['é', '%C3%A9'],
  ])('encodes %j as Go url.QueryEscape does: %j', (text, escaped) => {
    expect(queryEscape(text)).toBe(escaped);
  });

  it.each([
    [undefined, false, 'basic'],
    [['client_secret_basic', 'client_secret_post'], false, 'basic'],
    [['client_secret_post'], false, 'post'],
    [['private_key_jwt'], false, 'basic'],
    [['client_secret_basic', 'client_secret_post'], true, 'post'],
  ] as const)('advertised %j, Basic refused before: %s → %s', (advertised, basicRefused, method) => {
    expect(chooseSecretMethod(advertised, { basicRefused })).toBe(method);
  });

  it.each([
    [refusal(401, 'invalid_client', 'client authentication failed'), true],
    [refusal(400, 'invalid_request', 'client_secret is missing.'), true],
    [refusal(400, 'unauthorized_client'), true],
    [refusal(400, 'invalid_grant', 'grant request is invalid'), false],
    [refusal(400, 'invalid_request', 'redirect_uri mismatch'), false],
  ])('a held-back secret is sent after %s: %s', (error, sent) => {
    const state = newClientAuthState(undefined, 'held');
    expect(sendSecretIfAsked(error, state)).toBe(sent);
    expect(state.secret).toBe(sent ? 'held' : undefined);
    // Only once per client.
    expect(sendSecretIfAsked(error, state)).toBe(false);
  });

  it('holds nothing back when a secret is given, and withdraws only the held-back one', () => {
    const given = newClientAuthState('flag', 'env');
    expect(given.secretIfAsked).toBeUndefined();
    withdrawSecretIfAsked(given);
    expect(given.secret).toBe('flag');
    const held = newClientAuthState(undefined, 'env');
    sendSecretIfAsked(refusal(401, 'invalid_client'), held);
    withdrawSecretIfAsked(held);
    expect(held.secret).toBeUndefined();
  });
});
