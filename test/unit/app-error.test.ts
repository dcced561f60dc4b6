import { describe, expect, it } from 'vitest';
import { redact } from '../../src/app-error.js';

describe('redact', () => {
  it.each([
    ['GET /callback?code=abc123&state=s', ['abc123'], 'GET /callback?code=[redacted]&state=s'],
    ['refresh_token=r.t.x1', ['r.t.x1'], 'refresh_token=[redacted]'],
    ['nothing secret here', [], 'nothing secret here'],
  ])('%s: the values held are redacted', (text, held, expected) => {
    expect(redact(text, held)).toBe(expected);
  });

  it('leaves a parameter alone for its name: a device URL ?code=ABCD-EFGH reaches the user', () => {
    const url = 'https://idp.example.com/device?code=ABCD-EFGH';
    expect(redact(`open ${url}`, [])).toBe(`open ${url}`);
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
