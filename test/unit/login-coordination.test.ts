import { describe, expect, it } from 'vitest';
import {
  browserSlotName,
  browserSlotWaitMs,
  emptyLoginRecord,
  failureToReplay,
  holderKeepsLock,
  isRememberedFailure,
  type LockHolder,
  type LoginRecord,
  lockWaitDeadline,
  loginRecordSummary,
  type RecordedFailure,
  reusableDeviceCode,
  waitingMessage,
} from '../../src/core/login-coordination.js';
import type { ErrorCode } from '../../src/error-codes.js';
import { loginFailedText, messagePage } from '../../src/flows/pages.js';

const now = 1_800_000_000_000;
const failure: RecordedFailure = {
  at: now - 10_000,
  code: 'auth.timeout',
  message: 'no login',
  hint: 'h',
  exitCode: 4,
};
const device = {
  deviceCode: 'dc',
  userCode: 'ABCD-EFGH',
  verificationUri: 'https://idp/device',
  verificationUriComplete: 'https://idp/device?user_code=ABCD-EFGH',
  intervalSec: 5,
  expiresAt: now + 300_000,
  codeVerifier: undefined,
};
const record = (change: Partial<LoginRecord>): LoginRecord => ({ ...emptyLoginRecord, ...change });
const holder = (change: Partial<LockHolder> = {}): LockHolder => ({
  pid: 42,
  host: 'here',
  flow: 'authcode',
  until: now + 60_000,
  ...change,
});

describe('a failed login', () => {
  it.each<[ErrorCode, boolean]>([
    ['auth.timeout', true],
    ['auth.access_denied', true],
    ['auth.expired_token', true],
    ['auth.start-url-raced', true],
    ['provider.unreachable', false],
    ['auth.invalid_grant', false],
  ])('%s is remembered: %s', (code, remembered) => {
    expect(isRememberedFailure(code)).toBe(remembered);
  });

  it.each([
    ['10 s ago', failure.at, false, true],
    ['59.9 s ago', now - 59_900, false, true],
    ['60 s ago', now - 60_000, false, false],
    ['in the future (clock moved back)', now + 1_000, false, false],
    ['10 s ago, --force-refresh', failure.at, true, false],
  ])('replayed when it failed %s: %s', (_, at, force, replayed) => {
    const result = failureToReplay(record({ failure: { ...failure, at } }), now, force);
    expect(result !== undefined).toBe(replayed);
  });

  it('is not replayed without a record', () => {
    expect(failureToReplay(undefined, now, false)).toBeUndefined();
  });
});

describe('a device code', () => {
  it('is reused while at least 20 s are left', () => {
    expect(reusableDeviceCode(record({ device }), now)).toEqual(device);
    expect(
      reusableDeviceCode(record({ device: { ...device, expiresAt: now + 19_000 } }), now),
    ).toBeUndefined();
    expect(reusableDeviceCode(record({}), now)).toBeUndefined();
  });
});

describe('the lock wait bound', () => {
  it('is the waiter’s timeout plus 30 s', () => {
    expect(lockWaitDeadline(now, 5_000, undefined)).toBe(now + 35_000);
    expect(lockWaitDeadline(now, 5_000, holder({ until: now + 900_000 }))).toBe(now + 35_000);
  });
  it('is longer only for a holder doing a device-code login that runs longer', () => {
    expect(lockWaitDeadline(now, 5_000, holder({ flow: 'device-code', until: now + 600_000 }))).toBe(
      now + 630_000,
    );
    expect(lockWaitDeadline(now, 180_000, holder({ flow: 'device-code', until: now + 10_000 }))).toBe(
      now + 210_000,
    );
  });
  it('has no grace where the wait is part of a login (the browser slot)', () => {
    expect(lockWaitDeadline(now, 5_000, undefined, 0)).toBe(now + 5_000);
  });
});

describe('a holder whose lock looks stale', () => {
  // PID 42 is alive and started at tick 1000; every other PID is gone.
  const observe = (pid: number) => ({ alive: pid === 42, started: pid === 42 ? '1000' : undefined });
  const here = { host: 'here', now, observe };
  it('keeps it while alive on this machine and within its deadline', () => {
    expect(holderKeepsLock(holder(), here)).toBe(true);
    expect(holderKeepsLock(holder({ started: '1000' }), here)).toBe(true);
  });
  it('keeps it when a start time is unknown: an older holder, or a system that does not tell', () => {
    const untold = { ...here, observe: (pid: number) => ({ alive: pid === 42, started: undefined }) };
    expect(holderKeepsLock(holder({ started: '1000' }), untold)).toBe(true);
  });
  it.each([
    ['it is dead', holder({ pid: 7 })],
    ['its PID now belongs to a process of another start time (a reused PID)', holder({ started: '999' })],
    ['it runs on another machine', holder({ host: 'elsewhere' })],
    ['it is past its deadline and the grace (a reused PID)', holder({ until: now - 31_000 })],
    ['nobody announced it', undefined],
  ])('loses it when %s', (_, h) => {
    expect(holderKeepsLock(h, here)).toBe(false);
  });
});

describe('what a waiting process says', () => {
  it('shows the holder’s device code', () => {
    const text = waitingMessage(
      record({ holder: holder({ flow: 'device-code' }), device }),
      now,
      now + 35_000,
      true,
    );
    expect(text).toContain('(pid 42) is logging in with a device code');
    expect(text).toContain('shows the code ABCD-EFGH:\n  https://idp/device?user_code=ABCD-EFGH');
    expect(text).toContain('expires in 5 minutes');
  });
  it('does not open a second tab', () => {
    expect(waitingMessage(record({ holder: holder() }), now, now + 35_000, true)).toBe(
      'Another kubectl-together_login process (pid 42) is waiting for a browser login, 60 s left: not opening a second tab; waiting for it up to 35 s.',
    );
  });
  it('names a holder that is gone', () => {
    expect(waitingMessage(record({ holder: holder() }), now, now + 35_000, false)).toContain(
      'that ended (pid 42)',
    );
  });
});

describe('the callback pages', () => {
  it('say what happened and what to do next, with nothing loaded from elsewhere', () => {
    const page = messagePage(
      'Login failed',
      loginFailedText({
        message: 'the login was denied <b>',
        hint: 'run the command again and approve the request',
      }),
    );
    expect(page).toContain('The login did not complete: the login was denied &#60;b&#62;.');
    expect(page).toContain('What to do: run the command again and approve the request.');
    expect(page).toContain('--force-refresh');
    expect(page).not.toMatch(/<(script|link|img|iframe)|src=|url\(|https?:/i);
  });
});

describe('a login record in words (status, clean)', () => {
  it('names a running login, a valid device code and the last failure', () => {
    expect(
      loginRecordSummary(
        record({ holder: holder({ flow: 'device-code', until: now + 60_000 }), device, failure }),
        now,
      ),
    ).toEqual([
      'a login in progress (device-code), pid 42 on here',
      'a device code valid for 5 minutes',
      'the last login failed 10 s ago: no login',
    ]);
  });

  it('leaves out a holder past its deadline and grace, and an expired code', () => {
    const late = now + 10 * 60_000;
    expect(loginRecordSummary(record({ holder: holder({ until: now }), device }), late)).toEqual([]);
  });
});

describe('the browser slot', () => {
  it('is one name per issuer, whatever the cache key', () => {
    expect(browserSlotName('https://idp.example.com')).toMatch(/^browser-[0-9a-f]{64}$/);
    expect(browserSlotName('https://idp.example.com')).toBe(browserSlotName('https://idp.example.com'));
    expect(browserSlotName('https://idp.example.com')).not.toBe(browserSlotName('https://idp.example.com/x'));
  });

  it.each([
    // deadline, now, timeout: keeps half the timeout (at most 30 s) for the tab it would open
    [200_000, 0, 180, 170_000],
    [20_000, 0, 20, 10_000],
    [5_000, 0, 20, 0],
    [0, 1_000, 180, 0],
  ])(
    'with the deadline at %i ms, now %i, a %i s timeout: waits %i ms',
    (deadline, now, timeoutSec, waitMs) => {
      expect(browserSlotWaitMs(deadline, now, timeoutSec)).toBe(waitMs);
    },
  );
});
