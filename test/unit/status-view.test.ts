import { describe, expect, it } from 'vitest';
import { type CacheEntry, entryFormat } from '../../src/core/cache-entry.js';
import { relativeExpiry, renderStatus, type StatusRow, statusRow } from '../../src/core/status-view.js';

const now = 1_800_000_000_000;
const row = (change: Partial<StatusRow>): StatusRow => ({
  storage: 'disk',
  issuer: 'https://idp',
  clientId: 'kubernetes',
  subject: null,
  email: null,
  groups: [],
  expires: new Date(now + 540_000).toISOString(),
  expired: false,
  refreshToken: false,
  grant: null,
  login: [],
  location: '/cache/x.json',
  problem: null,
  audiences: [],
  audience: null,
  ...change,
});

describe('status', () => {
  it.each([
    [now + 45_000, 'in 45 s'],
    [now + 540_000, 'in 9 min'],
    [now + 3 * 3_600_000, 'in 3 h'],
    [now + 3 * 86_400_000, 'in 3 days'],
    [now - 2 * 3_600_000, 'expired 2 h ago'],
  ])('says the expiry relative to now too (%i)', (at, expected) => {
    expect(relativeExpiry(at, now)).toBe(expected);
  });

  it('names an entry without a user by its client and grant', () => {
    const text = renderStatus(
      [row({ clientId: 'robot', subject: 'robot', grant: 'client-credentials' })],
      now,
    );
    expect(text.split('\n')[0]).toBe('robot (client credentials)  (disk)');
    expect(text).toContain('  expires:  2027-01-15T08:09:00.000Z (in 9 min)');
  });

  it('lists a login record without an entry, and a record beside an entry', () => {
    const text = renderStatus(
      [
        row({
          email: 'alice@example.com',
          login: ['the last login failed 3 s ago: no login completed within 1 s'],
        }),
      ],
      now,
      [
        {
          issuer: 'https://idp',
          clientId: 'other',
          login: ['a device code valid for 9 minutes'],
          location: '/c/y.login',
        },
      ],
    );
    expect(text).toContain('  login:    the last login failed 3 s ago: no login completed within 1 s');
    expect(text).toContain(
      '(no token yet)  https://idp / other\n  login:    a device code valid for 9 minutes\n  where:    /c/y.login',
    );
  });

  it('shows the tokens exchanged for clusters under their login, and one whose login is gone on its own', () => {
    const text = renderStatus(
      [
        row({
          email: 'alice@example.com',
          audiences: [
            {
              audience: 'cluster-a',
              expires: new Date(now + 90_000).toISOString(),
              expired: false,
              location: '/a',
            },
            {
              audience: 'cluster-b',
              expires: new Date(now - 7_200_000).toISOString(),
              expired: true,
              location: '/b',
            },
          ],
        }),
        row({ email: 'alice@example.com', audience: 'cluster-c' }),
      ],
      now,
    );
    expect(text).toContain(
      [
        '  refresh:  no',
        '  audience: cluster-a (exchanged token, in 2 min)',
        '  audience: cluster-b (exchanged token, expired 2 h ago)',
      ].join('\n'),
    );
    expect(text).toContain('  audience: cluster-c (an exchanged token; its login is no longer cached)');
  });

  it.each([
    ['k'.repeat(64), null],
    [undefined, 'never served: an older version wrote it without its cache key (the next login replaces it)'],
    [
      'e'.repeat(64),
      'never served: it was written for other settings and copied or renamed to this name (`clean` removes it)',
    ],
  ])('an entry recording key %s under key k…: problem %s', (recorded, problem) => {
    const entry: CacheEntry = {
      format: entryFormat,
      issuer: 'https://idp',
      clientId: 'k',
      obtainedAt: now,
      key: recorded,
    };
    const item = {
      storage: 'disk' as const,
      key: 'k'.repeat(64),
      location: '/c/x.json',
      issuer: 'https://idp',
      clientId: 'k',
      entry,
      problem: undefined,
    };
    expect(statusRow(item, now).problem).toBe(problem);
  });
});
