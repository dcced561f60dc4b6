import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialHash, roundConstants, sha256Hex } from '../../src/core/sha256.js';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('has the constants FIPS 180-4 derives from the first primes (written out so no call computes them)', () => {
    const primes: number[] = [];
    for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);
    const fraction32 = (x: number) => ((x - Math.floor(x)) * 0x100000000) >>> 0;
    expect([...roundConstants]).toEqual(primes.map((p) => fraction32(Math.cbrt(p))));
    expect([...initialHash]).toEqual(primes.slice(0, 8).map((p) => fraction32(Math.sqrt(p))));
  });

  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto at every length around the padding boundaries', () => {
    for (let length = 0; length <= 200; length++) {
      const text = 'k'.repeat(length);
      expect(sha256Hex(text), `length ${length}`).toBe(reference(text));
    }
  });

  it('matches node:crypto for any string, including multi-byte UTF-8', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 600 }),
        (text) => sha256Hex(text) === reference(text),
      ),
      { numRuns: 500 },
    );
  });
});
