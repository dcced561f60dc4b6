import { describe, expect, it } from 'vitest';
import { clockSkewError, describeSkew, skewFromDateHeader } from '../../src/oidc/clock-skew.js';

const timestampError = Object.assign(new Error('unexpected JWT "exp" claim value'), {
  code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
});

describe('clock skew against the provider', () => {
  it('reads the Date header against the local clock; none or garbage gives nothing', () => {
    const now = Date.parse('2026-12-06T22:15:00Z');
    expect(skewFromDateHeader('Sun, 06 Dec 2026 22:00:00 GMT', now)).toBe(900);
    expect(skewFromDateHeader('Sun, 06 Dec 2026 22:16:30 GMT', now)).toBe(-90);
    expect(skewFromDateHeader(null, now)).toBeUndefined();
    expect(skewFromDateHeader('yesterday', now)).toBeUndefined();
  });

  it.each([
    [900, '15 min ahead of'],
    [-90, '90 s behind'],
  ])('%i s is said as "%s"', (skew, said) => {
    expect(describeSkew(skew)).toBe(said);
  });

  it('replaces only a timestamp failure, and only beyond a minute', () => {
    expect(clockSkewError(timestampError, 900)?.message).toContain('15 min ahead of');
    expect(clockSkewError(timestampError, -900)?.message).toContain('looks not yet valid here');
    expect(clockSkewError(timestampError, 30)).toBeUndefined();
    expect(clockSkewError(timestampError, undefined)).toBeUndefined();
    expect(clockSkewError(new Error('bad signature'), 900)).toBeUndefined();
  });
});
