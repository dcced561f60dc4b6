import { describe, expect, it } from 'vitest';
import { isLockBusy } from '../../src/cache/lock.js';
import { type ReplaceSeam, replaceFileSync, replaceRetryMs } from '../../src/platform/replace-file.js';

/**
 * A file system whose rename answers the given codes in turn ('ok' succeeds) and a clock that advances only when
 * the code sleeps, or by `renameCostMs` per rename.
 */
function seam(platform: NodeJS.Platform, answers: readonly string[], renameCostMs = 0) {
  let clock = 0;
  const calls: string[] = [];
  const slept: number[] = [];
  const fs: ReplaceSeam = {
    platform,
    rename(from, to) {
      calls.push(`${from}→${to}`);
      clock += renameCostMs;
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (answer !== 'ok') throw Object.assign(new Error(`${answer}: rename`), { code: answer });
    },
    now: () => clock,
    sleep(ms) {
      slept.push(ms);
      clock += ms;
    },
  };
  return { fs, calls, slept, elapsed: () => clock };
}

describe('replacing a file', () => {
  it.each([
    { platform: 'win32', answers: ['ok'], renames: 1 },
    { platform: 'win32', answers: ['EPERM', 'ok'], renames: 2 },
    { platform: 'win32', answers: ['EACCES', 'EBUSY', 'EPERM', 'ok'], renames: 4 },
    { platform: 'linux', answers: ['ok'], renames: 1 },
    { platform: 'darwin', answers: ['ok'], renames: 1 },
  ] as const)(
    '$platform, rename answers $answers: replaced after $renames rename(s)',
    ({ platform, answers, renames }) => {
      const { fs, calls } = seam(platform, answers);
      replaceFileSync('f.tmp', 'f', fs);
      expect(calls).toHaveLength(renames);
    },
  );

  it.each([
    // Elsewhere these codes are a real permission problem: no retry.
    { platform: 'linux', answers: ['EACCES'], code: 'EACCES', renames: 1 },
    { platform: 'darwin', answers: ['EPERM'], code: 'EPERM', renames: 1 },
    { platform: 'linux', answers: ['EBUSY'], code: 'EBUSY', renames: 1 },
    // Other failures are never retried.
    { platform: 'win32', answers: ['ENOENT'], code: 'ENOENT', renames: 1 },
    { platform: 'win32', answers: ['ENOSPC'], code: 'ENOSPC', renames: 1 },
    { platform: 'win32', answers: ['EPERM', 'EXDEV'], code: 'EXDEV', renames: 2 },
  ] as const)(
    '$platform, rename answers $answers: fails with $code after $renames rename(s)',
    ({ platform, answers, code, renames }) => {
      const { fs, calls, slept } = seam(platform, answers);
      expect(() => replaceFileSync('f.tmp', 'f', fs)).toThrow(expect.objectContaining({ code }));
      expect(calls).toHaveLength(renames);
      expect(slept).toHaveLength(renames - 1);
    },
  );

  it.each([0, 7, 250])(
    'Windows, a file held for good: gives up after the bound (rename costs %i ms)',
    (cost) => {
      const { fs, slept, elapsed } = seam('win32', ['EPERM'], cost);
      expect(() => replaceFileSync('f.tmp', 'f', fs)).toThrow(expect.objectContaining({ code: 'EPERM' }));
      expect(elapsed()).toBeGreaterThanOrEqual(replaceRetryMs);
      expect(elapsed()).toBeLessThanOrEqual(replaceRetryMs + 100 + cost);
      // the pause grows to 100 ms and stays there
      expect(slept.slice(0, 3)).toEqual([10, 20, 30].map((ms) => Math.min(ms, replaceRetryMs)));
      expect(Math.max(...slept)).toBe(100);
    },
  );
});

describe('a lock attempt that failed', () => {
  it.each([
    ['ELOCKED', 'linux', true],
    ['ELOCKED', 'win32', true],
    ['EPERM', 'win32', true],
    ['EPERM', 'linux', false],
    ['EACCES', 'win32', false],
    ['EROFS', 'linux', false],
    [undefined, 'win32', false],
  ] as const)('%s on %s is busy: %s', (code, platform, busy) => {
    expect(isLockBusy(code, platform)).toBe(busy);
  });
});
