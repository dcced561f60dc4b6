import { describe, expect, it } from 'vitest';
import { redact } from '../../src/errors.js';

describe('redact', () => {
  it.each([
    ['GET /callback?code=abc123&state=s', 'GET /callback?code=[redacted]&state=s'],
    ['grant_type=refresh_token&refresh_token=r.t.x', 'grant_type=refresh_token&refresh_token=[redacted]'],
    ['client_secret=hunter2 password=pw', 'client_secret=[redacted] password=[redacted]'],
    ['code_verifier=v_v-v&id_token=e.y.j', 'code_verifier=[redacted]&id_token=[redacted]'],
    ['nothing secret here', 'nothing secret here'],
  ])('%s', (text, expected) => {
    expect(redact(text, [])).toBe(expected);
  });

  it('removes known secret values wherever they appear', () => {
    expect(redact('the token eyJabc.def.ghi was refused', ['eyJabc.def.ghi'])).toBe(
      'the token [redacted] was refused',
    );
  });

  it('ignores empty and very short values, which would mangle ordinary text', () => {
    expect(redact('a b c', ['', undefined, 'a'])).toBe('a b c');
  });
});
