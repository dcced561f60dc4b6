/**
 * The cache hit's arithmetic is written without Math (issue 25: the standalone builds the Math object on first use):
 * it must answer as the Math formulas it replaces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveMarginMs } from '../../src/core/freshness.js';
import { renderExecCredential } from '../../src/kube/exec-credential.js';

const time = fc.oneof(
  fc.integer({ min: 0, max: 8.64e15 }),
  fc.double({ min: 0, max: 8.64e15, noNaN: true }),
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
);

describe('the hit arithmetic without Math', () => {
  it('effectiveMarginMs is min(margin, floor(max(0, expiry - obtained) / 2))', () => {
    fc.assert(
      fc.property(
        time,
        time,
        fc.oneof(fc.integer({ min: 0, max: 86_400_000 }), time),
        (obtained, expires, margin) => {
          const expected = Math.min(margin, Math.floor(Math.max(0, expires - obtained) / 2));
          expect(effectiveMarginMs(obtained, expires, margin) === expected).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('the ExecCredential expiry is the time floored to the second', () => {
    fc.assert(
      fc.property(time, (expiresAt) => {
        const expected = new Date(Math.floor(expiresAt / 1000) * 1000).toISOString().replace('.000Z', 'Z');
        const rendered = JSON.parse(renderExecCredential('client.authentication.k8s.io/v1', 't', expiresAt));
        expect(rendered.status.expirationTimestamp).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});
