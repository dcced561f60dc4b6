import { describe, expect, it } from 'vitest';
import { notAllowedText, portsBusyHint } from '../../src/platform/port-failure.js';

describe('a callback port refused with EACCES', () => {
  it.each([
    ['win32', 'reserved by Windows (EACCES: Hyper-V, WSL or Docker exclude ranges of ports)'],
    ['linux', 'not allowed (EACCES)'],
    ['darwin', 'not allowed (EACCES)'],
  ] as const)('%s: %s', (platform, text) => {
    expect(notAllowedText(platform)).toBe(text);
  });
});

describe('the hint when no callback port is left', () => {
  const reserved = `127.0.0.1:8000 is ${notAllowedText('win32')}`;
  const inUse = '127.0.0.1:18000 is in use';
  it.each([
    [
      'win32',
      [reserved, inUse],
      /^list the reserved ranges with `netsh interface ipv4 show excludedportrange protocol=tcp`, then pass --listen-address=127\.0\.0\.1:PORT .* outside them$/,
    ],
    ['win32', [inUse], /^close what uses those ports \(`netstat -ano -p tcp` names its process id\)/],
    ['darwin', [inUse], /^close what uses those ports \(`lsof -nP -iTCP -sTCP:LISTEN` names it\)/],
    ['linux', [inUse], /^close what uses those ports \(`ss -ltnp` names it\), or pass --listen-address/],
    ['linux', ['127.0.0.1:80 is not allowed (EACCES)'], /`ss -ltnp`/],
  ] as const)('%s, %o', (platform, failures, hint) => {
    expect(portsBusyHint(platform, failures)).toMatch(hint);
  });
});
