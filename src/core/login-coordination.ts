/**
 * What later runs learn about a login of the same cache key: who is logging in now (and until when), the device
 * code it shows, and how the last attempt failed. kubectl runs the plugin again after every failure, so without this
 * each run would start a login of its own: a new browser tab or a new device code every time, minutes each.
 *
 * Pure decisions over the record (docs/token-cache.md, "Logins in progress"); src/cache/login-record-store.ts stores it.
 */

import type { ErrorCode } from '../error-codes.js';
import { spokenDuration } from './duration.js';
import type { LoginFlow } from './select-flow.js';
import { sha256Hex } from './sha256.js';

export const loginRecordFormat = 'together-login/login-attempt/v1';

/** A login that failed this recently is not started again, unless the user asks (--force-refresh, Enter). */
export const retryAfterFailureMs = 60_000;
/** How long past its announced deadline a waiting process keeps waiting for a lock holder. */
export const lockGraceMs = 30_000;
/** A lock left by a killed process is taken over when it was not touched for this long (src/cache/lock.ts). */
export const staleLockSec = 5;
/** A device code with less time left than this is not worth showing again: the user could not finish in time. */
const minimumDeviceCodeLeftMs = 20_000;

/** The process that holds the key's lock, as it announced itself. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** undefined while it refreshes or has not chosen a flow yet. */
  readonly flow: LoginFlow | undefined;
  /** When it gives up (ms since the epoch): its login's deadline plus nothing; waiters add lockGraceMs. */
  readonly until: number;
  /**
   * When its process started, as the system tells it (src/platform/process-start.ts); absent where it cannot be
   * read. Tells the holder from a later process that was given the same PID.
   */
  readonly started?: string;
}

/** A device code still being polled, so that the next run can show the same code and keep polling it. */
export interface SavedDeviceCode {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete: string | undefined;
  readonly intervalSec: number;
  readonly expiresAt: number;
  /** The PKCE verifier the polls must carry when the authorization was sent with a challenge. */
  readonly codeVerifier: string | undefined;
}

/** How the last login ended in failure; replayed as is (same message, hint and exit code). */
export interface RecordedFailure {
  readonly at: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string | undefined;
  readonly exitCode: number;
  /** A terminal user was offered to retry and let the offer pass: later runs in the window fail without asking. */
  readonly asked?: boolean;
}

/** Whose login the record is about: shown by status, matched by clean's --oidc-issuer-url / --oidc-client-id. */
export interface LoginIdentity {
  readonly issuer: string;
  readonly clientId: string;
}

export interface LoginRecord {
  readonly format: typeof loginRecordFormat;
  /** Absent in records written before it was added. */
  readonly identity?: LoginIdentity;
  readonly holder: LockHolder | undefined;
  readonly device: SavedDeviceCode | undefined;
  readonly failure: RecordedFailure | undefined;
}

export const emptyLoginRecord: LoginRecord = {
  format: loginRecordFormat,
  holder: undefined,
  device: undefined,
  failure: undefined,
};

/**
 * Failures that nobody fixes by running the same command again a second later: nobody was there to log in, the user
 * said no, the code ran out, the login URL was opened twice (a retry at once would hand whoever raced it a new URL
 * to race, in a new tab). Network and provider errors are not remembered: the next run may well succeed.
 */
const rememberedFailures: readonly ErrorCode[] = [
  'auth.timeout',
  'auth.access_denied',
  'auth.expired_token',
  'auth.start-url-raced',
];

export function isRememberedFailure(code: ErrorCode): boolean {
  return rememberedFailures.includes(code);
}

/** The failure to replay instead of starting a login, or undefined to log in. */
export function failureToReplay(
  record: LoginRecord | undefined,
  now: number,
  forceRefresh: boolean,
): RecordedFailure | undefined {
  const failure = record?.failure;
  if (!failure || forceRefresh) return undefined;
  const age = now - failure.at;
  // A failure "from the future" means the clock moved back: do not trust it for a whole window.
  if (age < 0 || age >= retryAfterFailureMs) return undefined;
  return failure;
}

/** The device code of an earlier run that is still worth polling, or undefined to ask for a new one. */
export function reusableDeviceCode(
  record: LoginRecord | undefined,
  now: number,
): SavedDeviceCode | undefined {
  const device = record?.device;
  if (!device || device.expiresAt - now < minimumDeviceCodeLeftMs) return undefined;
  return device;
}

/**
 * How long a process waits for the key's lock: its own authentication timeout plus the grace; longer only when the
 * holder is doing a device-code login that runs longer (its code and deadline are shown to the waiting user, who
 * may be completing it right now). Returns the absolute deadline.
 */
export function lockWaitDeadline(
  startedAt: number,
  ownTimeoutMs: number,
  holder: LockHolder | undefined,
  graceMs = lockGraceMs,
): number {
  const own = startedAt + ownTimeoutMs + graceMs;
  if (holder?.flow === 'device-code') return Math.max(own, holder.until + graceMs);
  return own;
}

/** What this machine says about a process: whether it exists, and when it started (undefined: cannot tell). */
export interface ObservedProcess {
  readonly alive: boolean;
  readonly started: string | undefined;
}

/**
 * Whether the announced holder is still running: same machine, its PID exists, and that PID's process started when
 * the holder's did. PIDs are reused (and another user can cycle them), so a PID alone proves nothing: a process of
 * another start time is someone else. Where either start time is unknown (an older holder, a system without
 * /proc), the PID is all there is, and holderKeepsLock's deadline bounds the mistake.
 */
export function holderIsAlive(
  holder: LockHolder | undefined,
  here: { host: string; observe: (pid: number) => ObservedProcess },
): boolean {
  if (!holder || holder.host !== here.host) return false;
  const observed = here.observe(holder.pid);
  if (!observed.alive) return false;
  return (
    holder.started === undefined || observed.started === undefined || observed.started === holder.started
  );
}

/**
 * Whether a lock whose mtime looks stale still belongs to a live holder (holderIsAlive) within its announced
 * deadline (so a holder whose start time is unknown and whose PID was reused cannot keep the lock forever).
 */
export function holderKeepsLock(
  holder: LockHolder | undefined,
  here: { host: string; now: number; observe: (pid: number) => ObservedProcess },
): boolean {
  if (!holder || here.now > holder.until + lockGraceMs) return false;
  return holderIsAlive(holder, here);
}

/**
 * What a login record holds, in words, for `status` and `clean` ("the last login failed 12 s ago (…)"); empty when
 * nothing in it matters any more.
 */
export function loginRecordSummary(record: LoginRecord, now: number): string[] {
  const parts: string[] = [];
  if (record.holder && now <= record.holder.until + lockGraceMs) {
    const how = record.holder.flow ? ` (${record.holder.flow})` : '';
    parts.push(`a login in progress${how}, pid ${record.holder.pid} on ${record.holder.host}`);
  }
  if (record.device && record.device.expiresAt > now) {
    parts.push(`a device code valid for ${spokenDuration(record.device.expiresAt - now)}`);
  }
  if (record.failure) {
    parts.push(
      `the last login failed ${spokenDuration(now - record.failure.at)} ago: ${record.failure.message}`,
    );
  }
  return parts;
}

/** What a process waiting for the lock tells its user about the holder (once per change of the holder's flow). */
export function waitingMessage(
  record: LoginRecord | undefined,
  now: number,
  waitUntil: number,
  holderAlive: boolean,
): string {
  const holder = record?.holder;
  if (holder && !holderAlive) {
    return `Waiting for the lock of a kubectl-together_login process that ended (pid ${holder.pid}): it is taken over once it is ${staleLockSec} s old.`;
  }
  const who = holder
    ? `Another kubectl-together_login process (pid ${holder.pid})`
    : 'Another kubectl-together_login process';
  const upTo = `waiting for it up to ${spokenDuration(waitUntil - now)}`;
  const device = record?.device;
  if (holder?.flow === 'device-code' && device && device.expiresAt > now) {
    return `${who} is logging in with a device code (${upTo}). ${deviceCodeInstructions(device)} (expires in ${spokenDuration(device.expiresAt - now)})`;
  }
  if (holder?.flow === 'authcode') {
    return `${who} is waiting for a browser login, ${spokenDuration(holder.until - now)} left: not opening a second tab; ${upTo}.`;
  }
  return `${who} is logging in or refreshing the token: ${upTo}.`;
}

/** The lines that tell the user where to go with a device code. */
export function deviceCodeInstructions(
  device: Pick<SavedDeviceCode, 'userCode' | 'verificationUri' | 'verificationUriComplete'>,
): string {
  return device.verificationUriComplete
    ? `To log in, open this URL on any device and check that it shows the code ${device.userCode}:\n  ${device.verificationUriComplete}`
    : // The URL on a line of its own: a long one wrapped inside a sentence cannot be copied in one piece.
      `To log in, open this URL on any device and enter the code ${device.userCode}:\n  ${device.verificationUri}`;
}

/** The provider's browser slot: one lock name per issuer, shared by every cache key of it (see AuthCodeOptions). */
export function browserSlotName(issuerUrl: string): string {
  return `browser-${sha256Hex(issuerUrl)}`;
}

/**
 * How long a run may wait for the browser slot: a waiter gives up when too little of its own time would be left for
 * a login in the tab it would open (half its login timeout, at most 30 s).
 */
export function browserSlotWaitMs(deadline: number, now: number, authenticationTimeoutSec: number): number {
  const timeForATabMs = Math.min(30_000, (authenticationTimeoutSec * 1000) / 2);
  return Math.max(0, deadline - now - timeForATabMs);
}
