import { describe, expect, it } from 'vitest';
import { callbackUrlFromAnswer } from '../../src/flows/pasted-response.js';

const context = { redirectUri: 'http://localhost:8000/callback', state: 'st4te', issuer: undefined };

describe('callbackUrlFromAnswer', () => {
  it.each([
    // [what the user pasted, context changes, expected URL]
    [
      'http://localhost:8000/callback?code=abc&state=xyz',
      {},
      'http://localhost:8000/callback?code=abc&state=xyz',
    ],
    [
      '  http://localhost:8000/callback?code=abc&state=xyz&iss=https%3A%2F%2Fidp  ',
      {},
      'http://localhost:8000/callback?code=abc&state=xyz&iss=https%3A%2F%2Fidp',
    ],
    [
      'http://localhost:8000/callback?error=access_denied&state=xyz',
      {},
      'http://localhost:8000/callback?error=access_denied&state=xyz',
    ],
    ['abc', {}, 'http://localhost:8000/callback?code=abc&state=st4te'],
    [
      'abc',
      { issuer: 'https://idp' },
      'http://localhost:8000/callback?code=abc&state=st4te&iss=https%3A%2F%2Fidp',
    ],
    [
      '4/0Ab_c-D',
      { redirectUri: 'urn:ietf:wg:oauth:2.0:oob' },
      'http://localhost/?code=4%2F0Ab_c-D&state=st4te',
    ],
  ])('%s', (answer, change, expected) => {
    expect(callbackUrlFromAnswer(answer, { ...context, ...change }).href).toBe(expected);
  });

  it.each([
    ['', 'no code was entered'],
    ['   ', 'no code was entered'],
    ['https://localhost:8000/callback?state=xyz', 'the pasted URL carries no code'],
  ])('rejects %j with exit code 4', (answer, message) => {
    expect(() => callbackUrlFromAnswer(answer, context)).toThrow(message);
  });
});
