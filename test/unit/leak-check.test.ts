import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectNoSecretLeaked } from '../rig/secrets.js';

const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const challenge = createHash('sha256').update(verifier).digest('base64url');
const base = { stdout: '', dirs: [], secrets: ['refresh-token-123'] };

describe('the leak check used by the secrets tests catches', () => {
  it.each([
    ['a known secret', `log: refresh-token-123`],
    ['an authorization code in a URL', `GET /callback?code=SplxlOBeZQQYbYS6WxSbIA&state=x`],
    ['a PKCE verifier, by its hash', `url: /auth?code_challenge=${challenge}\nverifier ${verifier}`],
  ])('%s', (_what, stderr) => {
    expect(() => expectNoSecretLeaked({ ...base, stderr })).toThrow();
  });

  it('and passes clean output', () => {
    expect(() =>
      expectNoSecretLeaked({ ...base, stderr: `url: /auth?code_challenge=${challenge}&state=abc` }),
    ).not.toThrow();
  });
});
