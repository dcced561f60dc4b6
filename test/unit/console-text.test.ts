import { describe, expect, it } from 'vitest';
import { consoleCharset, forConsole } from '../../src/platform/console-text.js';

describe('what the console can show', () => {
  it.each([
    ['win32', {}, true, 'ascii'],
    ['win32', { LANG: 'en_US.UTF-8' }, true, 'ascii'],
    ['win32', {}, false, 'unicode'],
    ['linux', {}, true, 'unicode'],
    ['linux', { LANG: 'en_US.UTF-8' }, true, 'unicode'],
    ['linux', { LANG: 'C.utf8' }, true, 'unicode'],
    ['linux', { LANG: 'C' }, true, 'ascii'],
    ['linux', { LANG: 'POSIX' }, false, 'ascii'],
    ['linux', { LANG: 'de_DE.ISO-8859-1' }, true, 'ascii'],
    ['linux', { LC_ALL: 'C', LANG: 'en_US.UTF-8' }, true, 'ascii'],
    ['linux', { LC_CTYPE: 'en_US.UTF-8', LANG: 'C' }, true, 'unicode'],
    ['darwin', { LC_ALL: '', LANG: 'en_US.UTF-8' }, true, 'unicode'],
  ] as const)('%s %o, a console: %s → %s', (platform, env, isConsole, charset) => {
    expect(consoleCharset(platform, env, () => isConsole)).toBe(charset);
  });

  it('Windows asks whether stderr is a console only there', () => {
    expect(
      consoleCharset('linux', {}, () => {
        throw new Error('not asked');
      }),
    ).toBe('unicode');
  });
});

describe('text for the console', () => {
  const report = [
    '✓ discovery: https://idp.example.com',
    '! refresh token: none (add offline_access)',
    '✗ cluster access: RBAC gives alice no right to list pods',
    'Waiting for the login (the code expires in 10 minutes)…',
    'v1beta1 (1.30–1.33) → user josé · Zürich',
  ].join('\n');

  it('unicode: unchanged', () => {
    expect(forConsole(report, 'unicode')).toBe(report);
  });

  it("ascii: our marks in ASCII, the user's own text untouched", () => {
    expect(forConsole(report, 'ascii')).toBe(
      [
        'OK discovery: https://idp.example.com',
        '! refresh token: none (add offline_access)',
        'X cluster access: RBAC gives alice no right to list pods',
        'Waiting for the login (the code expires in 10 minutes)...',
        'v1beta1 (1.30-1.33) -> user josé - Zürich',
      ].join('\n'),
    );
  });
});
