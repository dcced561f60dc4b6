import { describe, expect, it } from 'vitest';
import { chooseSecretMethod, queryEscape } from '../../src/oidc/client-auth.js';

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
});
