/**
 * A wrong clock on this machine, named as such: a token check that fails on a timestamp (`exp` past, `iat` or `nbf`
 * ahead) while the provider's own clock, read from the `Date` header of its answers, is minutes away from ours. jose's
 * "expiration is past current timestamp" alone sends people looking for a provider bug.
 */
import { AppError } from '../app-error.js';

/** Below this, a difference is the Date header's one-second resolution and the request's time in flight. */
export const tolerableSkewSec = 60;

/** How far this machine's clock is ahead of the provider's (negative: behind), from an answer's Date header. */
export function skewFromDateHeader(date: string | null, nowMs: number): number | undefined {
  const providerMs = date ? Date.parse(date) : Number.NaN;
  return Number.isNaN(providerMs) ? undefined : Math.round((nowMs - providerMs) / 1000);
}

/** `15 min ahead of`, `90 s behind`. */
export function describeSkew(skewSec: number): string {
  const size = Math.abs(skewSec);
  const amount = size >= 120 ? `${Math.round(size / 60)} min` : `${size} s`;
  return `${amount} ${skewSec > 0 ? 'ahead of' : 'behind'}`;
}

/** The error to give instead of a timestamp check's, when the clocks differ by more than the tolerance. */
export function clockSkewError(error: unknown, skewSec: number | undefined): AppError | undefined {
  if (skewSec === undefined || Math.abs(skewSec) <= tolerableSkewSec || !timestampCheckFailed(error))
    return undefined;
  return new AppError(
    'provider.clock-skew',
    `this machine's clock is ${describeSkew(skewSec)} the identity provider's (its Date header), so its token looks ${skewSec > 0 ? 'expired' : 'not yet valid'} here`,
    {
      hint: "set this machine's clock right (turn on network time: NTP), then run the command again",
      cause: error,
    },
  );
}

function timestampCheckFailed(error: unknown): boolean {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') return true;
    current = current.cause as typeof current;
  }
  return false;
}
